import type { SourceOutcome } from '../../../lib/domain/candidate.js';
import { fusionSlots } from './fusion-slots.js';

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
 * several sources agree on rises. Ties: ascending item index. Scratch and ordering: fusion-slots.ts.
 */
export function mergeByReciprocalRank(outcomes: readonly SourceOutcome[], weights: ReadonlyMap<string, number>, k: number): MergedCandidates {
  const slots = fusionSlots;
  for (const outcome of outcomes) {
    if (outcome.status !== 'ok') continue;
    const weight = weights.get(outcome.source) ?? 1;
    const list = outcome.candidates.items;
    for (let r = 0; r < list.length; r++) {
      const slot = slots.slotFor(list[r]!);
      slots.fused[slot]! += weight / (k + r + 1);
    }
  }
  return slots.finish(outcomes);
}
