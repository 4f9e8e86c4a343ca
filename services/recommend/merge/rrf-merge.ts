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
  // Per ok source, where each of its candidates landed in `items`: the score columns below need no second lookup.
  const landed: { source: string; scores: Float32Array; at: Int32Array }[] = [];
  for (const outcome of outcomes) {
    if (outcome.status !== 'ok') continue;
    const weight = weights.get(outcome.source) ?? 1;
    const list = outcome.candidates.items;
    const at = new Int32Array(list.length);
    for (let r = 0; r < list.length; r++) {
      const item = list[r]!;
      let slot = position.get(item);
      if (slot === undefined) {
        slot = items.length;
        position.set(item, slot);
        items.push(item);
        fused.push(0);
      }
      fused[slot]! += weight / (k + r + 1);
      at[r] = slot;
    }
    landed.push({ source: outcome.source, scores: outcome.candidates.scores, at });
  }
  const order = Int32Array.from(items.keys()).sort((a, b) => fused[b]! - fused[a]! || items[a]! - items[b]!);
  const outItems = Int32Array.from(order, (slot) => items[slot]!);
  const outScores = Float32Array.from(order, (slot) => fused[slot]!);
  const rankOfSlot = new Int32Array(order.length);
  order.forEach((slot, rank) => (rankOfSlot[slot] = rank));
  const sourceScores = new Map<string, Float32Array>();
  for (const { source, scores, at } of landed) {
    const column = new Float32Array(outItems.length).fill(Number.NaN);
    for (let r = 0; r < at.length; r++) column[rankOfSlot[at[r]!]!] = scores[r]!;
    sourceScores.set(source, column);
  }
  return { items: outItems, scores: outScores, sourceScores };
}
