import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceOutcome } from '../../../lib/domain/candidate.js';
import { mergeByReciprocalRank, type MergedCandidates } from '../../../services/recommend/merge/rrf-merge.js';
import { mergeByScore, type ScoreCombination } from '../../../services/recommend/merge/score-merge.js';

/*
 * The slot-array merges (fusion-slots.ts) must give exactly what the Map + comparator-sort
 * merges they replaced gave. The two functions below are those implementations, verbatim in
 * behaviour, kept as the reference.
 */

function referenceReciprocalRank(outcomes: readonly SourceOutcome[], weights: ReadonlyMap<string, number>, k: number): MergedCandidates {
  const position = new Map<number, number>();
  const items: number[] = [];
  const fused: number[] = [];
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
  return referenceOutput(items, fused, landed);
}

function referenceScore(outcomes: readonly SourceOutcome[], weights: ReadonlyMap<string, number>, combination: ScoreCombination): MergedCandidates {
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
  return referenceOutput(items, fused, landed);
}

function referenceOutput(items: number[], fused: number[], landed: { source: string; scores: Float32Array; at: Int32Array }[]): MergedCandidates {
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

/** mulberry32: a small seeded generator, so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  readonly outcomes: SourceOutcome[];
  readonly weights: Map<string, number>;
}

/** Overlapping sources with many score ties; sometimes duplicates, odd items, NaN scores, failed sources. */
function randomCase(next: () => number, odd: boolean): Case {
  const sources = 1 + Math.floor(next() * 5);
  const universe = 20 + Math.floor(next() * 600);
  const outcomes: SourceOutcome[] = [];
  const weights = new Map<string, number>();
  for (let s = 0; s < sources; s++) {
    const source = `s${String(Math.floor(next() * 4))}`;
    if (next() < 0.1) {
      outcomes.push({ status: next() < 0.5 ? 'timeout' : 'error', source, error: 'down', millis: 1 });
      continue;
    }
    if (next() < 0.7) weights.set(source, [0, 0.5, 1, 1, 2, 1 / 3][Math.floor(next() * 6)]!);
    const length = Math.floor(next() * 300);
    const coarse = next() < 0.5;
    const items = new Int32Array(length);
    const scores = new Float32Array(length);
    for (let r = 0; r < length; r++) {
      items[r] = Math.floor(next() * universe);
      if (odd && next() < 0.05) items[r] = next() < 0.5 ? -1 - Math.floor(next() * 5) : 2 ** 21 + Math.floor(next() * 5);
      scores[r] = coarse ? Math.floor(next() * 5) : next() * 100;
      if (odd && next() < 0.02) scores[r] = Number.NaN;
    }
    outcomes.push({ status: 'ok', source, candidates: { items, scores }, millis: 1 });
  }
  return { outcomes, weights };
}

function assertSame(actual: MergedCandidates, expected: MergedCandidates, label: string): void {
  assert.deepEqual(Array.from(actual.items), Array.from(expected.items), `${label}: items`);
  assert.deepEqual(Array.from(actual.scores), Array.from(expected.scores), `${label}: scores`);
  assert.deepEqual([...actual.sourceScores.keys()], [...expected.sourceScores.keys()], `${label}: sources`);
  for (const [source, column] of expected.sourceScores) {
    assert.deepEqual(Array.from(actual.sourceScores.get(source)!), Array.from(column), `${label}: ${source} column`);
  }
}

void describe('slot-array merges equal the Map-based reference', () => {
  void it('reciprocal-rank fusion on random overlapping lists', () => {
    const next = random(7);
    for (let round = 0; round < 400; round++) {
      const { outcomes, weights } = randomCase(next, round % 4 === 3);
      const k = [0, 1, 60][round % 3]!;
      assertSame(mergeByReciprocalRank(outcomes, weights, k), referenceReciprocalRank(outcomes, weights, k), `round ${String(round)}`);
    }
  });

  void it('max and weighted-sum on random overlapping lists', () => {
    const next = random(11);
    for (let round = 0; round < 400; round++) {
      const { outcomes, weights } = randomCase(next, round % 4 === 3);
      const combination: ScoreCombination = round % 2 === 0 ? 'max' : 'weighted-sum';
      assertSame(mergeByScore(outcomes, weights, combination), referenceScore(outcomes, weights, combination), `round ${String(round)} ${combination}`);
    }
  });

  void it('orders by the float64 score where two scores round to the same float32', () => {
    const outcomes: SourceOutcome[] = [1, 2, 3].map((item, s) => ({ status: 'ok', source: `s${String(s)}`, candidates: { items: Int32Array.of(item), scores: Float32Array.of(1) }, millis: 0 }));
    // 1/61 and (1 + 1e-12)/61 are one float32 but two float64 values: item 2 must lead, then 1 and 3 by index.
    const weights = new Map([['s0', 1], ['s1', 1 + 1e-12], ['s2', 1]]);
    const merged = mergeByReciprocalRank(outcomes, weights, 60);
    assert.deepEqual(Array.from(merged.items), [2, 1, 3]);
    assertSame(merged, referenceReciprocalRank(outcomes, weights, 60), 'near tie');
  });

  void it('handles items far beyond earlier calls (the slot table grows) and empty input', () => {
    const outcomes: SourceOutcome[] = [{ status: 'ok', source: 'a', candidates: { items: Int32Array.of(1_500_000, 3, 200_000), scores: Float32Array.of(3, 2, 1) }, millis: 0 }];
    assertSame(mergeByReciprocalRank(outcomes, new Map(), 60), referenceReciprocalRank(outcomes, new Map(), 60), 'large items');
    assertSame(mergeByReciprocalRank([], new Map(), 60), referenceReciprocalRank([], new Map(), 60), 'empty');
    assertSame(mergeByScore(outcomes, new Map(), 'max'), referenceScore(outcomes, new Map(), 'max'), 'large items, max');
  });
});
