import type { SourceOutcome } from '../../../lib/domain/candidate.js';
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
  const position = new Map<number, number>();
  const items: number[] = [];
  const fused: number[] = [];
  const landed: { source: string; scores: Float32Array; at: Int32Array }[] = [];
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
    const at = new Int32Array(list.length);
    for (let r = 0; r < list.length; r++) {
      const item = list[r]!;
      const value = weight * (span > 0 ? (scores[r]! - low) / span : 1);
      let slot = position.get(item);
      if (slot === undefined) {
        slot = items.length;
        position.set(item, slot);
        items.push(item);
        fused.push(value);
      } else {
        fused[slot] = combination === 'max' ? Math.max(fused[slot]!, value) : fused[slot]! + value;
      }
      at[r] = slot;
    }
    landed.push({ source: outcome.source, scores, at });
  }
  const order = Int32Array.from(items.keys()).sort((a, b) => fused[b]! - fused[a]! || items[a]! - items[b]!);
  const rankOfSlot = new Int32Array(order.length);
  order.forEach((slot, rank) => (rankOfSlot[slot] = rank));
  const sourceScores = new Map<string, Float32Array>();
  for (const { source, scores, at } of landed) {
    const column = new Float32Array(order.length).fill(Number.NaN);
    for (let r = 0; r < at.length; r++) column[rankOfSlot[at[r]!]!] = scores[r]!;
    sourceScores.set(source, column);
  }
  return { items: Int32Array.from(order, (slot) => items[slot]!), scores: Float32Array.from(order, (slot) => fused[slot]!), sourceScores };
}
