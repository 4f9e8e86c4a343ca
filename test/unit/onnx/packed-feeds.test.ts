import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FeedBufferPool, packFeeds, packedByteLength } from '../../../lib/onnx/packed-feeds.js';
import type { OrtTensors } from '../../../lib/onnx/ort-worker-protocol.js';

void describe('packFeeds', () => {
  const backing = new Float32Array(64).map((_, i) => i * 0.5);
  const feeds: OrtTensors = {
    ids: { type: 'int32', data: Int32Array.from([7, -1, 3]), dims: [3] },
    dense: { type: 'float32', data: backing.subarray(5, 10), dims: [1, 5] },
    wide: { type: 'int64', data: BigInt64Array.from([1n, 2n]), dims: [2] },
    flags: { type: 'bool', data: Uint8Array.from([1, 0, 1]), dims: [3] },
  };

  void it('copies every tensor into one buffer, each at an 8-byte aligned offset, values and dims unchanged', () => {
    const bytes = packedByteLength(feeds);
    assert.equal(bytes, 16 + 24 + 16 + 8);
    const buffer = new ArrayBuffer(bytes);
    const packed = packFeeds(feeds, buffer);
    assert.deepEqual(Object.keys(packed), Object.keys(feeds));
    for (const [name, tensor] of Object.entries(packed)) {
      const original = feeds[name]!;
      assert.equal(tensor.data.buffer, buffer, name);
      assert.equal(tensor.data.byteOffset % 8, 0, name);
      assert.equal(tensor.data.constructor, original.data.constructor, name);
      assert.deepEqual([...tensor.data], [...original.data], name);
      assert.equal(tensor.type, original.type);
      assert.deepEqual(tensor.dims, original.dims);
    }
  });

  void it('leaves the caller arrays untouched and independent of the packed copy', () => {
    const packed = packFeeds(feeds, new ArrayBuffer(packedByteLength(feeds) + 40));
    (packed.dense!.data as Float32Array)[0] = 99;
    assert.equal(backing[5], 2.5);
    assert.equal(feeds.dense!.data.length, 5);
  });
});

void describe('FeedBufferPool', () => {
  void it('reuses a released buffer that is large enough, allocates otherwise, and drops detached ones', () => {
    const pool = new FeedBufferPool(2);
    const a = pool.acquire(3000);
    assert.ok(a.byteLength >= 3000);
    pool.release(a);
    assert.equal(pool.acquire(100), a);
    pool.release(a);
    const bigger = pool.acquire(a.byteLength + 1);
    assert.notEqual(bigger, a);
    pool.release(bigger);
    pool.release(new ArrayBuffer(8192));
    assert.equal(pool.size, 2, 'at most `keep` buffers are kept');
    const detached = new ArrayBuffer(4096);
    structuredClone(detached, { transfer: [detached] });
    pool.release(detached);
    assert.equal(pool.size, 2);
  });
});
