import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { selectSmallest, topCandidates } from '../../../lib/domain/candidate.js';

/** The definition: stable order by score descending, then item ascending. */
function reference(items: Int32Array, scores: Float32Array, count: number, limit: number): { items: number[]; scores: number[] } {
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || items[a]! - items[b]!);
  const top = order.slice(0, limit);
  return { items: top.map((i) => items[i]!), scores: top.map((i) => scores[i]!) };
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

void describe('topCandidates', () => {
  void it('matches the score-desc, item-asc definition on random lists with ties, negatives and zeros', () => {
    const next = random(7);
    for (let round = 0; round < 50; round++) {
      const count = 1 + Math.floor(next() * 3000);
      const items = Int32Array.from({ length: count }, () => Math.floor(next() * 2 ** 21));
      // Few distinct values: many ties; some negative and zero (including -0).
      const scores = Float32Array.from({ length: count }, () => [-0, 0, -1.5, 0.25, 1e-30, -1e-30, 3.4e38][Math.floor(next() * 7)]! * (next() < 0.5 ? 1 : next()));
      const limit = Math.floor(next() * (count + 10));
      const got = topCandidates(items, scores, count, limit);
      const want = reference(items, scores, count, limit);
      assert.deepEqual(Array.from(got.items), want.items, `round ${round}`);
      assert.deepEqual(Array.from(got.scores).map((s) => s + 0), want.scores.map((s) => s + 0), `round ${round}`);
    }
  });

  void it('reads only the first `count` entries of scratch arrays and handles items beyond 2^21 and NaN scores', () => {
    const items = Int32Array.from([5, 3, 9, 2 ** 22, 7, 99]);
    const scores = Float32Array.from([1, 2, 2, 0.5, Number.NaN, 100]);
    assert.deepEqual(Array.from(topCandidates(items, scores, 4, 10).items), [3, 9, 5, 2 ** 22]);
    assert.deepEqual(Array.from(topCandidates(items, scores, 3, 2).items), [3, 9]);
    const withNaN = topCandidates(items, scores, 5, 5);
    assert.equal(withNaN.items.length, 5);
    assert.deepEqual(Array.from(topCandidates(items, scores, 0, 5).items), []);
  });
});

void describe('selectSmallest', () => {
  void it('puts exactly the k smallest distinct keys first, for every k', () => {
    let state = 99;
    const next = (): number => (state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0);
    for (const size of [1, 2, 3, 10, 257]) {
      const values = [...new Set(Array.from({ length: size * 2 }, () => next() % 100_000))].slice(0, size);
      const sorted = [...values].sort((a, b) => a - b);
      for (let k = 1; k <= values.length; k++) {
        const keys = Float64Array.from(values);
        selectSmallest(keys, k);
        assert.deepEqual(Array.from(keys.subarray(0, k)).sort((a, b) => a - b), sorted.slice(0, k), `size ${size} k ${k}`);
      }
    }
  });
});
