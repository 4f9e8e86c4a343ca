import type { OrtTensorData, OrtTensorMessage, OrtTensors } from './ort-worker-protocol.js';

/** Every tensor starts on a multiple of this many bytes (the widest element, int64/float64). */
const ALIGN = 8;

function aligned(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}

/** Bytes one buffer needs to hold every feed's data, each tensor aligned. */
export function packedByteLength(feeds: OrtTensors): number {
  let total = 0;
  for (const tensor of Object.values(feeds)) total += aligned(tensor.data.byteLength);
  return total;
}

/** A view of the same element type as `like` over `length` elements of `buffer` at `offset`. */
function viewLike(like: OrtTensorData, buffer: ArrayBuffer, offset: number, length: number): OrtTensorData {
  const View = like.constructor as new (buffer: ArrayBuffer, byteOffset: number, length: number) => OrtTensorData;
  return new View(buffer, offset, length);
}

/**
 * Copies every feed's data into `buffer` (at least packedByteLength(feeds) bytes) and returns
 * the same feeds as views of it: one buffer that can be transferred to a worker and back,
 * instead of one structured-clone copy (and allocation) per tensor. The caller's arrays are
 * not touched.
 */
export function packFeeds(feeds: OrtTensors, buffer: ArrayBuffer): OrtTensors {
  const packed: Record<string, OrtTensorMessage> = {};
  let offset = 0;
  for (const [name, tensor] of Object.entries(feeds)) {
    const view = viewLike(tensor.data, buffer, offset, tensor.data.length);
    (view as Float32Array).set(tensor.data as Float32Array);
    packed[name] = { type: tensor.type, data: view, dims: tensor.dims };
    offset += aligned(tensor.data.byteLength);
  }
  return packed;
}

/**
 * Reusable feed buffers of one pool: a run takes one, the worker hands it back with its
 * reply. A buffer still out (a run that timed out and has not answered) is simply not reused
 * until it comes back. At most `keep` buffers are kept.
 */
export class FeedBufferPool {
  private readonly free: ArrayBuffer[] = [];

  constructor(private readonly keep = 64) {}

  /** A buffer of at least `bytes` bytes (grown to the next power of two, so sizes settle). */
  acquire(bytes: number): ArrayBuffer {
    for (let i = this.free.length - 1; i >= 0; i--) {
      const buffer = this.free[i]!;
      if (buffer.byteLength >= bytes) {
        this.free[i] = this.free[this.free.length - 1]!;
        this.free.pop();
        return buffer;
      }
    }
    return new ArrayBuffer(2 ** Math.ceil(Math.log2(Math.max(bytes, 1024))));
  }

  release(buffer: ArrayBuffer): void {
    if (buffer.byteLength > 0 && this.free.length < this.keep) this.free.push(buffer);
  }

  /** Buffers ready for reuse (for tests). */
  get size(): number {
    return this.free.length;
  }
}
