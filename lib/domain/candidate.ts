/**
 * Candidates travel as parallel typed arrays of dense item indices (the bundle's
 * catalogue order) and scores, best first. No per-candidate objects on the hot path.
 */
export interface CandidateList {
  readonly items: Int32Array;
  readonly scores: Float32Array;
}

export const EMPTY_CANDIDATES: CandidateList = Object.freeze({ items: new Int32Array(0), scores: new Float32Array(0) });

/** Result of one recall source: expected failures are values, not exceptions. */
export type SourceOutcome =
  | { readonly status: 'ok'; readonly source: string; readonly candidates: CandidateList; readonly millis: number }
  | { readonly status: 'timeout' | 'error'; readonly source: string; readonly error: string; readonly millis: number };

/**
 * Sorts `count` (item, score) pairs held in scratch arrays by score descending, ties by
 * ascending item index, and returns the best `limit` as a CandidateList.
 */
export function topCandidates(items: Int32Array, scores: Float32Array, count: number, limit: number): CandidateList {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((a, b) => scores[b]! - scores[a]! || items[a]! - items[b]!);
  const n = Math.min(limit, count);
  const outItems = new Int32Array(n);
  const outScores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const at = order[i]!;
    outItems[i] = items[at]!;
    outScores[i] = scores[at]!;
  }
  return { items: outItems, scores: outScores };
}
