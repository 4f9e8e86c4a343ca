import { PACKED_ITEM_LIMIT, descendingScoreKey, unpackRankedKeys } from '../../lib/domain/candidate.js';

/** Reused key buffer (grown on demand); calls are synchronous, so one is enough. */
let keys = new Float64Array(1024);

/**
 * Writes into order[0..n) the positions 0..n-1 ordered by scores descending (float64
 * comparison), ties by ascending position: the same order as sorting with
 * `(a, b) => scores[b] - scores[a] || a - b`, without a comparator call per comparison.
 * Each position packs (float32 key of its score, position) into one float64 for the native
 * numeric sort; float32 rounding is monotonic, so only runs of equal float32 keys can be out
 * of float64 order, and those runs are re-sorted with the exact comparator. NaN scores, or
 * n >= 2^21, fall back to the comparator.
 */
export function orderByScore(scores: Float64Array, n: number, order: Int32Array): void {
  const exact = (a: number, b: number): number => scores[b]! - scores[a]! || a - b;
  const head = order.subarray(0, n);
  let packable = n < PACKED_ITEM_LIMIT;
  if (packable && keys.length < n) keys = new Float64Array(Math.max(n, keys.length * 2));
  const packed = keys.subarray(0, n);
  for (let i = 0; i < n && packable; i++) {
    const score = scores[i]!;
    if (Number.isNaN(score)) packable = false;
    else packed[i] = descendingScoreKey(score) * PACKED_ITEM_LIMIT + i;
  }
  if (!packable) {
    for (let i = 0; i < n; i++) head[i] = i;
    head.sort(exact);
    return;
  }
  packed.sort();
  unpackRankedKeys(packed, head, null, scores, exact);
}
