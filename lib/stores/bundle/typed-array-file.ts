/**
 * A small binary container for named typed arrays (the bundle's tables):
 * `RSYSARR1` magic, u32 header length, JSON header {meta, arrays:[{name,type,length,offset}]},
 * then each array's bytes 8-aligned. Reading maps each array onto one Buffer without copying.
 */
import { readFile } from 'node:fs/promises';
import { RecsysError } from '../../domain/errors.js';

const MAGIC = 'RSYSARR1';

export type NumericArray = Int32Array | Float32Array | Float64Array | Uint8Array | Uint32Array;
type ArrayType = 'i32' | 'f32' | 'f64' | 'u8' | 'u32';

function typeOf(array: NumericArray): ArrayType {
  if (array instanceof Int32Array) return 'i32';
  if (array instanceof Float32Array) return 'f32';
  if (array instanceof Float64Array) return 'f64';
  if (array instanceof Uint32Array) return 'u32';
  return 'u8';
}

function view(type: ArrayType, buffer: ArrayBuffer, offset: number, length: number): NumericArray {
  switch (type) {
    case 'i32': return new Int32Array(buffer, offset, length);
    case 'f32': return new Float32Array(buffer, offset, length);
    case 'f64': return new Float64Array(buffer, offset, length);
    case 'u32': return new Uint32Array(buffer, offset, length);
    case 'u8': return new Uint8Array(buffer, offset, length);
  }
}

interface ArrayEntry { name: string; type: ArrayType; length: number; offset: number }

export function encodeArrays(arrays: Readonly<Record<string, NumericArray>>, meta: unknown = {}): Buffer {
  const entries: ArrayEntry[] = [];
  let offset = 0;
  for (const [name, array] of Object.entries(arrays)) {
    entries.push({ name, type: typeOf(array), length: array.length, offset });
    offset += Math.ceil(array.byteLength / 8) * 8;
  }
  const header = Buffer.from(JSON.stringify({ meta, arrays: entries }), 'utf8');
  const headerSize = Math.ceil((MAGIC.length + 4 + header.length) / 8) * 8;
  const out = Buffer.alloc(headerSize + offset);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length, MAGIC.length);
  header.copy(out, MAGIC.length + 4);
  for (const entry of entries) {
    const array = arrays[entry.name]!;
    Buffer.from(array.buffer, array.byteOffset, array.byteLength).copy(out, headerSize + entry.offset);
  }
  return out;
}

export interface DecodedArrays {
  readonly meta: unknown;
  readonly arrays: ReadonlyMap<string, NumericArray>;
}

export function decodeArrays(bytes: Buffer, origin: string): DecodedArrays {
  const corrupt = (why: string): RecsysError => new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${origin}: ${why}`);
  if (bytes.length < MAGIC.length + 4 || bytes.toString('latin1', 0, MAGIC.length) !== MAGIC) throw corrupt('not a recsys array file');
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const headerSize = Math.ceil((MAGIC.length + 4 + headerLength) / 8) * 8;
  if (headerSize > bytes.length) throw corrupt('truncated header');
  let header: unknown;
  try {
    header = JSON.parse(bytes.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + headerLength));
  } catch {
    throw corrupt('unreadable header');
  }
  if (typeof header !== 'object' || header === null || !('arrays' in header) || !Array.isArray(header.arrays)) throw corrupt('bad header');
  // Copy once into an aligned buffer so typed views need no per-array copies.
  const aligned = new ArrayBuffer(bytes.length - headerSize);
  new Uint8Array(aligned).set(bytes.subarray(headerSize));
  const arrays = new Map<string, NumericArray>();
  for (const raw of header.arrays as unknown[]) {
    const entry = raw as Partial<ArrayEntry>;
    if (typeof entry.name !== 'string' || typeof entry.length !== 'number' || typeof entry.offset !== 'number') throw corrupt('bad array entry');
    const type = entry.type;
    if (type !== 'i32' && type !== 'f32' && type !== 'f64' && type !== 'u8' && type !== 'u32') throw corrupt(`bad array type for ${entry.name}`);
    const width = type === 'f64' ? 8 : type === 'u8' ? 1 : 4;
    if (!Number.isSafeInteger(entry.offset) || !Number.isSafeInteger(entry.length) || entry.offset < 0 || entry.length < 0 || entry.offset % 8 !== 0) {
      throw corrupt(`array ${entry.name} has a bad offset or length`);
    }
    if (entry.offset + entry.length * width > aligned.byteLength) throw corrupt(`array ${entry.name} runs past the end`);
    arrays.set(entry.name, view(type, aligned, entry.offset, entry.length));
  }
  return { meta: 'meta' in header ? header.meta : {}, arrays };
}

export async function readArraysFile(path: string): Promise<DecodedArrays> {
  return decodeArrays(await readFile(path), path);
}

export function requireArray<T extends NumericArray>(decoded: DecodedArrays, name: string, ctor: abstract new (...args: never[]) => T, origin: string): T {
  const array = decoded.arrays.get(name);
  if (!(array instanceof ctor)) throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${origin}: missing or mistyped array "${name}"`);
  return array;
}
