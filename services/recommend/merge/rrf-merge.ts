import type { SourceOutcome } from '../../../lib/domain/candidate.js';

/** Merged candidates: deduplicated, with every source's score kept (NaN where absent). */
export interface MergedCandidates {
  readonly items: Int32Array;
  readonly scores: Float32Array;
  /** Source id → score per merged candidate, aligned with `items`. */
  readonly sourceScores: ReadonlyMap<string, Float32Array>;
}

/**
 * Weighted reciprocal-rank fusion: score(i) = sum over sources of weight / (k + rank), rank
 * 1-based. Rank-based, so sources with incomparable score scales merge fairly, and an item
 * several sources agree on rises. Ties: ascending item index.
 */
export function mergeByReciprocalRank(outcomes: readonly SourceOutcome[], weights: ReadonlyMap<string, number>, k: number): MergedCandidates {
  const position = new Map<number, number>();
  const items: number[] = [];
  const fused: number[] = [];
  for (const outcome of outcomes) {
    if (outcome.status !== 'ok') continue;
    const weight = weights.get(outcome.source) ?? 1;
    const list = outcome.candidates.items;
    for (let r = 0; r < list.length; r++) {
      const item = list[r]!;
      let at = position.get(item);
      if (at === undefined) {
        at = items.length;
        position.set(item, at);
        items.push(item);
        fused.push(0);
      }
      fused[at]! += weight / (k + r + 1);
    }
  }
  const order = Int32Array.from(items.keys()).sort((a, b) => fused[b]! - fused[a]! || items[a]! - items[b]!);
  const outItems = Int32Array.from(order, (at) => items[at]!);
  const outScores = Float32Array.from(order, (at) => fused[at]!);
  const sourceScores = new Map<string, Float32Array>();
  const rankOf = new Map<number, number>();
  outItems.forEach((item, rank) => rankOf.set(item, rank));
  for (const outcome of outcomes) {
    if (outcome.status !== 'ok') continue;
    const column = new Float32Array(outItems.length).fill(Number.NaN);
    const { items: list, scores } = outcome.candidates;
    for (let r = 0; r < list.length; r++) column[rankOf.get(list[r]!)!] = scores[r]!;
    sourceScores.set(outcome.source, column);
  }
  return { items: outItems, scores: outScores, sourceScores };
}
