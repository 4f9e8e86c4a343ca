/**
 * Typed arrays backed by SharedArrayBuffer, so that worker threads read large read-only
 * arrays in place (posting a shared typed array to a worker shares it, it does not copy):
 * the offline jobs' training CSR, and the ranker workers' item tensors and feature tables.
 */

export type NumericArray = Int32Array | Float32Array | Float64Array;

/** The array itself when it is already shared, else a shared copy (one memcpy). */
export function toShared<T extends NumericArray>(array: T): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const Ctor = array.constructor as new (buffer: SharedArrayBuffer) => T;
  const copy = new Ctor(new SharedArrayBuffer(array.byteLength));
  copy.set(array);
  return copy;
}

export function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT));
}

export function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}

export function sharedFloat64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT));
}

/** Every typed array of a flat record made shared (other values kept as they are). */
export function shareAll<T extends object>(record: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    out[key] = value instanceof Int32Array || value instanceof Float32Array || value instanceof Float64Array ? toShared(value) : value;
  }
  return out as T;
}
