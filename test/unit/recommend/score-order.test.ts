import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { orderByScore } from '../../../services/recommend/score-order.js';
import { createPrng } from '../../../offline/data/prng.js';

/** The comparator sort orderByScore replaces. */
function reference(scores: Float64Array, n: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  return order.sort((a, b) => scores[b]! - scores[a]! || a - b);
}

function ordered(scores: Float64Array, n = scores.length): Int32Array {
  const order = new Int32Array(n + 3).fill(-7);
  orderByScore(scores, n, order);
  assert.deepEqual([...order.subarray(n)], [-7, -7, -7], 'nothing past n is written');
  return order.subarray(0, n);
}

void describe('orderByScore', () => {
  void it('orders as the comparator sort does on random scores with exact ties, float32-equal float64-distinct runs, zeros and infinities', () => {
    const random = createPrng(5);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + random.int(700);
      const scores = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const kind = random.int(6);
        if (kind === 0) scores[i] = random.int(4) / 4; // exact ties
        else if (kind === 1) scores[i] = 0.5 + random.int(5) * 1e-12; // same float32, different float64
        else if (kind === 2) scores[i] = random.next() < 0.5 ? 0 : -0;
        else if (kind === 3) scores[i] = random.next() < 0.1 ? Number.POSITIVE_INFINITY : -random.next();
        else scores[i] = random.next();
      }
      assert.deepEqual(ordered(scores), reference(scores, n), `trial ${trial}`);
    }
  });

  void it('falls back to the comparator for NaN scores, with the same result', () => {
    const scores = Float64Array.from([0.2, Number.NaN, 0.9, 0.2, Number.NaN, 0.1]);
    assert.deepEqual(ordered(scores), reference(scores, scores.length));
  });

  void it('handles n = 0 and orders a prefix of a longer score array', () => {
    assert.deepEqual([...ordered(new Float64Array(0))], []);
    const scores = Float64Array.from([0.1, 0.3, 0.2, 0.9, 0.8]);
    assert.deepEqual([...ordered(scores, 3)], [1, 2, 0]);
  });
});
