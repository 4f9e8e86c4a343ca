import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { parseConfig } from '../../../lib/config/load-config.js';
import { RecsysError } from '../../../lib/domain/errors.js';
import { encodeArrays } from '../../../lib/stores/bundle/typed-array-file.js';
import { ExactVectorIndex } from '../../../lib/stores/vectors/exact-vector-index.js';
import { HnswVectorIndex } from '../../../lib/stores/vectors/hnsw-vector-index.js';
import {
  ITEM_VECTORS_ARTIFACT, decodeHnswArtifact, decodeItemVectors, encodeItemVectors, itemVectorArtifacts,
} from '../../../lib/stores/vectors/item-vectors-artifact.js';
import { loadEmbeddedVectorIndex } from '../../../lib/stores/vectors/load-vector-index.js';
import { TopKHeap } from '../../../lib/stores/vectors/top-k-heap.js';
import { contractVectors } from '../../contract/vector-index.contract.js';

const corrupt = (error: unknown): boolean => error instanceof RecsysError && error.code === 'RECSYS_ERR_BUNDLE_CORRUPT';

function normalised(vectors: Float32Array, dim: number): Float32Array {
  const out = vectors.slice();
  for (let base = 0; base < out.length; base += dim) {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += out[base + j]! ** 2;
    for (let j = 0; j < dim; j++) out[base + j]! /= Math.sqrt(norm);
  }
  return out;
}

function reader(artifacts: { name: string; bytes: Buffer }[]): { read: (name: string) => Promise<Buffer>; names: string[] } {
  const map = new Map(artifacts.map((a) => [a.name, a.bytes]));
  return { read: (name) => Promise.resolve(map.get(name)!), names: [...map.keys()] };
}

void describe('TopKHeap', () => {
  void it('keeps the best k of a stream, best first, ties by ascending item', () => {
    const heap = new TopKHeap(4);
    const pushes: [number, number][] = [[9, 0.5], [3, 0.9], [5, 0.5], [1, 0.1], [7, 0.9], [2, 0.5], [8, 0.95], [0, 0.05]];
    for (const [item, score] of pushes) heap.push(item, score);
    const { items, scores } = heap.drain();
    assert.deepEqual(Array.from(items), [8, 3, 7, 2]);
    assert.deepEqual(Array.from(scores), [0.95, 0.9, 0.9, 0.5].map(Math.fround));
    assert.equal(heap.size, 0);
  });

  void it('a zero-capacity heap keeps nothing', () => {
    const heap = new TopKHeap(0);
    heap.push(1, 1);
    assert.equal(heap.drain().items.length, 0);
  });
});

void describe('item vectors artifacts', () => {
  const dim = 12;
  const vectors = contractVectors(300, dim, 5);

  void it('round-trip the vectors with dim, count, metric and the normalised flag', () => {
    const raw = decodeItemVectors(encodeItemVectors(vectors, dim));
    assert.deepEqual(raw.meta, { dim, count: 300, metric: 'ip', normalised: false });
    assert.deepEqual(raw.vectors, vectors);
    assert.equal(decodeItemVectors(encodeItemVectors(normalised(vectors, dim), dim)).meta.normalised, true);
  });

  void it('refuse ragged or non-finite vectors and reject a corrupt file', () => {
    assert.throws(() => encodeItemVectors(new Float32Array(10), 3), (error: unknown) => error instanceof RecsysError && error.code === 'RECSYS_ERR_VECTORS_DIM_MISMATCH');
    assert.throws(() => encodeItemVectors(Float32Array.of(1, Number.NaN), 2), RecsysError);
    assert.throws(() => decodeItemVectors(encodeArrays({ vectors: new Float32Array(5) }, { dim: 2, count: 3, metric: 'ip', normalised: false })), corrupt);
    assert.throws(() => decodeItemVectors(encodeArrays({ vectors: new Float32Array(4) }, { dim: 2, count: 2, metric: 'l2', normalised: false })), corrupt);
    assert.throws(() => decodeItemVectors(Buffer.from('nope')), corrupt);
  });

  void it('write an HNSW graph only at or above stores.vectors.hnswAbove, and the loader picks the index by what is there', async () => {
    const below = await itemVectorArtifacts(vectors, dim, parseConfig({ stores: { vectors: { hnswAbove: 301 } } }));
    assert.deepEqual(below.map((a) => a.name), [ITEM_VECTORS_ARTIFACT.vectors]);
    const exact = reader(below);
    assert.ok(await loadEmbeddedVectorIndex(exact.read, exact.names, 300, { efSearch: 50 }) instanceof ExactVectorIndex);

    const at = await itemVectorArtifacts(vectors, dim, parseConfig({ stores: { vectors: { hnswAbove: 300, m: 8, efConstruction: 64 } } }));
    assert.deepEqual(at.map((a) => a.name), [ITEM_VECTORS_ARTIFACT.vectors, ITEM_VECTORS_ARTIFACT.hnsw]);
    const hnswMeta = decodeHnswArtifact(at[1]!.bytes).meta;
    assert.equal(hnswMeta.count, 300);
    assert.equal(hnswMeta.m, 8);
    const hnsw = reader(at);
    const index = await loadEmbeddedVectorIndex(hnsw.read, hnsw.names, 300, { efSearch: 77 });
    assert.ok(index instanceof HnswVectorIndex);
    assert.equal(index.efSearch, 77);

    assert.equal(await loadEmbeddedVectorIndex(hnsw.read, ['catalogue.json'], 300, { efSearch: 50 }), null);
    await assert.rejects(loadEmbeddedVectorIndex(hnsw.read, hnsw.names, 299, { efSearch: 50 }), corrupt);
  });

  void it('the same vectors and seed give the same HNSW bytes (deterministic build)', async () => {
    const config = parseConfig({ stores: { vectors: { hnswAbove: 1, m: 8, efConstruction: 64 } } });
    const [first, second] = await Promise.all([itemVectorArtifacts(vectors, dim, config), itemVectorArtifacts(vectors, dim, config)]);
    assert.ok(first[1]!.bytes.equals(second[1]!.bytes));
  });

  void it('a truncated HNSW graph is a corrupt bundle, not a crash', async () => {
    const artifacts = await itemVectorArtifacts(vectors, dim, parseConfig({ stores: { vectors: { hnswAbove: 1, m: 8, efConstruction: 64 } } }));
    const { index, meta } = decodeHnswArtifact(artifacts[1]!.bytes);
    await assert.rejects(HnswVectorIndex.load(vectors, index.subarray(0, 200), meta, 50), corrupt);
  });
});
