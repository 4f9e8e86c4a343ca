import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { datasetFromRows } from '../../../offline/data/dataset-builder.js';
import { buildValidationSet, isHeldOut, recentHoldout } from '../../../offline/jobs/validation-set.js';

function rows(user: string, count: number, timestamp: (k: number) => number): { user: string; item: string; rating: number; timestamp: number }[] {
  return Array.from({ length: count }, (_, k) => ({ user, item: String(100 + k), rating: 4, timestamp: timestamp(k) }));
}

void describe('validation set', () => {
  void it('holds out the most recent ceil(n/10) per user, ties by numeric item id, none below 3 interactions', () => {
    const dataset = datasetFromRows([
      ...rows('a', 30, (k) => k),
      ...rows('b', 11, () => 5),
      ...rows('c', 2, (k) => k),
    ]);
    const holdout = recentHoldout(dataset);
    assert.equal(holdout.overlapsTraining, true);
    const count = (id: string): number => {
      const u = dataset.userIds.indexOf(id);
      return holdout.offsets[u + 1]! - holdout.offsets[u]!;
    };
    assert.equal(count('a'), 3);
    assert.equal(count('b'), 2);
    assert.equal(count('c'), 0);
    const a = dataset.userIds.indexOf('a');
    for (const k of [27, 28, 29]) assert.ok(isHeldOut(holdout, a, dataset.itemIds.indexOf(String(100 + k))));
    assert.ok(!isHeldOut(holdout, a, dataset.itemIds.indexOf('126')));
    const b = dataset.userIds.indexOf('b');
    // Same timestamp: the largest item ids are the most recent.
    assert.ok(isHeldOut(holdout, b, dataset.itemIds.indexOf('110')));
    assert.ok(isHeldOut(holdout, b, dataset.itemIds.indexOf('109')));
  });

  void it('builds a disjoint set from row labels', () => {
    const dataset = datasetFromRows(rows('a', 10, (k) => k));
    const set = buildValidationSet(dataset, (row) => row % 2 === 0, false);
    assert.equal(set.items.length, 5);
    assert.equal(set.overlapsTraining, false);
  });
});
