import type { SourceOutcome } from '../../../lib/domain/candidate.js';
import { fusionSlots } from './fusion-slots.js';
import type { MergedCandidates } from './rrf-merge.js';

/** How per-source normalised scores combine for an item several sources returned. */
export type ScoreCombination = 'max' | 'weighted-sum';

/**
 * Score-based merge: each source's scores are min-max normalised to [0, 1] within its own list
 * (scales differ: popularity counts vs similarity sums), multiplied by the source's weight, and
 * combined per item by `max` (dedupe keeping the best source's view) or `weighted-sum` (sources
 * that agree add up). A list whose scores are all equal normalises to 1. Ties: ascending item index.
 */
export function mergeByScore(outcomes: readonly SourceOutcome[], weights: ReadonlyMap<string, number>, combination: ScoreCombination): MergedCandidates {
  const slots = fusionSlots;
  for (const outcome of outcomes) {
    if (outcome.status !== 'ok') continue;
    const weight = weights.get(outcome.source) ?? 1;
    const { items: list, scores } = outcome.candidates;
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    for (const score of scores) {
      if (score < low) low = score;
      if (score > high) high = score;
    }
    const span = high - low;
    for (let r = 0; r < list.length; r++) {
      const value = weight * (span > 0 ? (scores[r]! - low) / span : 1);
      const fresh = slots.count;
      const slot = slots.slotFor(list[r]!);
      const { fused } = slots;
      if (slot === fresh) fused[slot] = value;
      else fused[slot] = combination === 'max' ? Math.max(fused[slot]!, value) : fused[slot]! + value;
    }
  }
  return slots.finish(outcomes);
}
