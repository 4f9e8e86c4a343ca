import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceOutcome } from '../../../lib/domain/candidate.js';
import { applyQuotas, mergeCandidates } from '../../../services/recommend/merge/merge-strategy.js';
import { mergeByScore } from '../../../services/recommend/merge/score-merge.js';

function ok(source: string, items: number[], scores: number[]): SourceOutcome {
  return { status: 'ok', source, candidates: { items: Int32Array.from(items), scores: Float32Array.from(scores) }, millis: 0 };
}

/*
 * a: items 1 2 3 scores 10 6 2 → normalised 1 .5 0
 * b: items 3 4   scores 4 2    → normalised 1 0
 */
const outcomes: SourceOutcome[] = [ok('a', [1, 2, 3], [10, 6, 2]), ok('b', [3, 4], [4, 2]), { status: 'timeout', source: 'c', error: 'late', millis: 30 }];

void describe('score-based merges', () => {
  void it('max keeps, per item, the best weighted normalised score', () => {
    const merged = mergeByScore(outcomes, new Map([['a', 1], ['b', 0.8]]), 'max');
    // 1: 1, 2: .5, 3: max(0, .8) = .8, 4: 0
    assert.deepEqual(Array.from(merged.items), [1, 3, 2, 4]);
    assert.deepEqual(Array.from(merged.scores), [1, 0.8, 0.5, 0].map(Math.fround));
    assert.deepEqual(Array.from(merged.sourceScores.get('a')!), [10, 2, 6, Number.NaN]);
    assert.deepEqual(Array.from(merged.sourceScores.get('b')!), [Number.NaN, 4, Number.NaN, 2]);
    assert.ok(!merged.sourceScores.has('c'), 'a failed source contributes nothing');
  });

  void it('weighted-sum adds the sources\' weighted normalised scores', () => {
    const merged = mergeByScore(outcomes, new Map([['a', 1], ['b', 0.8]]), 'weighted-sum');
    // 1: 1, 3: 0 + .8, 2: .5, 4: 0; with b weighted 2: 3 → 2 leads
    assert.deepEqual(Array.from(merged.items), [1, 3, 2, 4]);
    const heavy = mergeByScore(outcomes, new Map([['a', 1], ['b', 2]]), 'weighted-sum');
    assert.deepEqual(Array.from(heavy.items), [3, 1, 2, 4]);
    assert.deepEqual(Array.from(heavy.scores), [2, 1, 0.5, 0]);
  });

  void it('a list of equal scores normalises to 1, ties broken by item index', () => {
    const merged = mergeByScore([ok('a', [5, 2], [3, 3])], new Map(), 'max');
    assert.deepEqual(Array.from(merged.items), [2, 5]);
    assert.deepEqual(Array.from(merged.scores), [1, 1]);
  });
});

void describe('per-source quotas and strategy dispatch', () => {
  void it('cuts each source to its quota before the merge (best candidates kept)', () => {
    const limited = applyQuotas(outcomes, new Map([['a', 2]]));
    const a = limited[0]!;
    assert.ok(a.status === 'ok');
    assert.deepEqual(Array.from(a.candidates.items), [1, 2]);
    assert.equal(limited[1], outcomes[1], 'sources without a quota are untouched');
    const merged = mergeCandidates(outcomes, { strategy: 'max', rrfK: 60, weights: new Map(), quotas: new Map([['a', 1]]) });
    assert.deepEqual(Array.from(merged.items).sort(), [1, 3, 4], 'item 2 was beyond a\'s quota');
  });

  void it('rrf remains the weighted reciprocal-rank fusion', () => {
    const merged = mergeCandidates(outcomes, { strategy: 'rrf', rrfK: 0, weights: new Map([['a', 1], ['b', 1]]) });
    // 1: 1/1, 3: 1/3 + 1/1, 2: 1/2, 4: 1/2 → 3 1 2 4
    assert.deepEqual(Array.from(merged.items), [3, 1, 2, 4]);
  });
});
