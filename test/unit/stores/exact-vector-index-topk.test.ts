import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CandidateList } from '../../../lib/domain/candidate.js';
import { ExactVectorIndex, dotRow } from '../../../lib/stores/vectors/exact-vector-index.js';
import { TopKHeap } from '../../../lib/stores/vectors/top-k-heap.js';
import { createPrng } from '../../../offline/data/prng.js';

/** The bounded-heap search ExactVectorIndex.topK used before, kept as the reference. */
function heapTopK(index: ExactVectorIndex, query: Float32Array, k: number, blocked?: (item: number) => boolean): CandidateList {
  const heap = new TopKHeap(Math.min(k, index.size));
  for (let item = 0; item < index.size; item++) {
    const score = Math.fround(dotRow(query, index.vectors, item, index.dim));
    if (!heap.accepts(item, score)) continue;
    if (blocked !== undefined && blocked(item)) continue;
    heap.push(item, score);
  }
  return heap.drain();
}

void describe('ExactVectorIndex.topK', () => {
  void it('returns exactly what the bounded heap returned: same items, float32 scores, order and ties, with and without blocked items', () => {
    const random = createPrng(9);
    const dim = 8;
    for (let trial = 0; trial < 40; trial++) {
      const size = 1 + random.int(900);
      // Coarse values make many exact score ties.
      const vectors = Float32Array.from({ length: size * dim }, () => random.int(5) - 2);
      const index = new ExactVectorIndex(vectors, dim);
      const query = Float32Array.from({ length: dim }, () => random.int(3) - 1);
      const k = 1 + random.int(size + 10);
      const blocked = trial % 2 === 0 ? undefined : (item: number): boolean => item % 5 === trial % 5;
      const got = index.topK(query, k, blocked);
      const want = heapTopK(index, query, k, blocked);
      assert.deepEqual(Array.from(got.items), Array.from(want.items), `trial ${trial}`);
      assert.deepEqual(Array.from(got.scores), Array.from(want.scores), `trial ${trial}`);
    }
  });
});
