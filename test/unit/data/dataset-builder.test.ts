import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isRecsysError } from '../../../lib/domain/errors.js';
import { DatasetBuilder, datasetFromRows } from '../../../offline/data/dataset-builder.js';

void test('dense indices follow compareIds: integers numerically, then strings', () => {
  const ds = datasetFromRows([
    { user: 'b', item: '10', timestamp: 1 },
    { user: '10', item: '9', timestamp: 2 },
    { user: '9', item: 'x', timestamp: 3 },
    { user: 'a', item: '100', timestamp: 4 },
  ]);
  assert.deepEqual(ds.userIds, ['9', '10', 'a', 'b']);
  assert.deepEqual(ds.itemIds, ['9', '10', '100', 'x']);
  assert.deepEqual(Array.from(ds.interactions.user), [3, 1, 0, 2]);
  assert.deepEqual(Array.from(ds.interactions.item), [1, 0, 3, 2]);
  assert.ok(Number.isNaN(ds.interactions.rating[0]));
});

void test('keeps the first of a duplicate pair and reports the rest', () => {
  const builder = new DatasetBuilder({
    name: 't',
    source: 't',
    format: 'rows',
    ratingRange: [1, 5],
    numericIds: true,
    maxBadFraction: 0.5,
  });
  assert.equal(builder.addRow(1, 'a', '1', '2', '4', 10), true);
  assert.equal(builder.addRow(2, 'b', '1', '2', '5', 11), false);
  assert.equal(builder.addRow(3, 'c', '1', '3', '3', '12'), true);
  const { dataset, report } = builder.build();
  assert.deepEqual(report.rejected, { 'duplicate-pair': 1 });
  assert.deepEqual(Array.from(dataset.interactions.rating), [4, 3]);
  assert.deepEqual(Array.from(dataset.interactions.timestamp), [10, 12]);
});

void test('grows past its initial capacity', () => {
  const rows = Array.from({ length: 10_000 }, (_, k) => ({ user: String(k % 97), item: String(k), timestamp: k }));
  const ds = datasetFromRows(rows);
  assert.equal(ds.interactions.length, 10_000);
  assert.equal(ds.userIds.length, 97);
  assert.equal(ds.itemIds[9999], '9999');
});

void test('datasetFromRows refuses duplicates', () => {
  assert.throws(
    () => datasetFromRows([{ user: 'u', item: 'i', timestamp: 1 }, { user: 'u', item: 'i', timestamp: 2 }]),
    (error: unknown) => isRecsysError(error) && error.code === 'RECSYS_ERR_DATA_TOO_MANY_BAD_ROWS',
  );
});
