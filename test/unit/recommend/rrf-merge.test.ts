import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { mergeByReciprocalRank } from '../../../services/recommend/merge/rrf-merge.js';
import type { SourceOutcome } from '../../../lib/domain/candidate.js';

function ok(source: string, items: number[], scores: number[]): SourceOutcome {
  return { status: 'ok', source, candidates: { items: Int32Array.from(items), scores: Float32Array.from(scores) }, millis: 1 };
}

function failed(status: 'error' | 'timeout', source: string): SourceOutcome {
  return { status, source, error: 'boom', millis: 1 };
}

/** NaN-aware array comparison (deepEqual treats NaN as equal to NaN). */
function column(merged: ReturnType<typeof mergeByReciprocalRank>, source: string): number[] {
  const values = merged.sourceScores.get(source);
  assert.ok(values, `column ${source}`);
  return Array.from(values);
}

void describe('mergeByReciprocalRank', () => {
  const K = 60;

  void it('fuses weight/(k+rank) over sources, dedupes and keeps each source\'s scores', () => {
    const merged = mergeByReciprocalRank(
      [ok('cf', [10, 20, 30], [0.9, 0.8, 0.7]), ok('pop', [30, 40], [5, 4])],
      new Map([['cf', 1], ['pop', 0.5]]),
      K,
    );
    // 10: 1/61 = .016393 | 20: 1/62 = .016129 | 30: 1/63 + .5/61 = .015873 + .008197 = .024070 | 40: .5/62 = .008065
    assert.deepEqual(Array.from(merged.items), [30, 10, 20, 40]);
    assert.deepEqual(Array.from(merged.scores), [1 / 63 + 0.5 / 61, 1 / 61, 1 / 62, 0.5 / 62].map(Math.fround));
    assert.deepEqual([...merged.sourceScores.keys()], ['cf', 'pop']);
    assert.deepEqual(column(merged, 'cf'), [0.7, 0.9, 0.8, Number.NaN].map(Math.fround));
    assert.deepEqual(column(merged, 'pop'), [5, Number.NaN, Number.NaN, 4]);
  });

  void it('ignores failed and timed-out outcomes entirely', () => {
    const merged = mergeByReciprocalRank(
      [failed('error', 'cf'), ok('pop', [3, 1], [2, 1]), failed('timeout', 'tt')],
      new Map([['pop', 0.3]]),
      K,
    );
    // 3: .3/61, 1: .3/62
    assert.deepEqual(Array.from(merged.items), [3, 1]);
    assert.deepEqual(Array.from(merged.scores), [0.3 / 61, 0.3 / 62].map(Math.fround));
    assert.deepEqual([...merged.sourceScores.keys()], ['pop']);
  });

  void it('weights a source missing from the map by 1 and honours k', () => {
    const merged = mergeByReciprocalRank([ok('x', [8, 9], [1, 1])], new Map(), 0);
    // k = 0: 8: 1/1, 9: 1/2
    assert.deepEqual(Array.from(merged.scores), [1, 0.5]);
  });

  void it('breaks ties by ascending item index', () => {
    // each item is rank 1 in one source and rank 2 in the other: 1/61 + 1/62 for both
    const crossed = mergeByReciprocalRank([ok('a', [7, 3], [2, 1]), ok('b', [3, 7], [2, 1])], new Map(), K);
    assert.deepEqual(Array.from(crossed.items), [3, 7]);
    assert.equal(crossed.scores[0], crossed.scores[1]);
    // rank 1 in two equally weighted sources: 1/61 each
    const split = mergeByReciprocalRank([ok('a', [5], [1]), ok('b', [2], [1])], new Map(), K);
    assert.deepEqual(Array.from(split.items), [2, 5]);
    assert.deepEqual(column(split, 'a'), [Number.NaN, 1]);
    assert.deepEqual(column(split, 'b'), [1, Number.NaN]);
  });

  void it('lets agreement beat a single better rank', () => {
    // 1: 1/61 only in a; 2: 1/62 + 1/62 in both -> 2 wins
    const merged = mergeByReciprocalRank([ok('a', [1, 2], [1, 1]), ok('b', [3, 2], [1, 1])], new Map(), K);
    assert.deepEqual(Array.from(merged.items), [2, 1, 3]);
  });

  void it('returns empty columns for no outcomes or only failures', () => {
    const none = mergeByReciprocalRank([], new Map(), K);
    assert.equal(none.items.length, 0);
    assert.equal(none.scores.length, 0);
    assert.equal(none.sourceScores.size, 0);
    const down = mergeByReciprocalRank([failed('error', 'a')], new Map(), K);
    assert.equal(down.items.length, 0);
    assert.equal(down.sourceScores.size, 0);
  });

  void it('keeps a column for an ok source that returned nothing (all NaN)', () => {
    const merged = mergeByReciprocalRank([ok('empty', [], []), ok('pop', [4], [9])], new Map(), K);
    assert.deepEqual(Array.from(merged.items), [4]);
    assert.deepEqual(column(merged, 'empty'), [Number.NaN]);
    assert.deepEqual(column(merged, 'pop'), [9]);
  });
});
