import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { isRecsysError } from '../../../lib/domain/errors.js';
import { loadGenericCsv } from '../../../offline/data/loaders/generic-csv.loader.js';
import { lines, withFiles } from './temp-dir.js';

void test('recognises header names, string ids, quoted fields and ISO timestamps', async () => {
  const log = lines([
    'user_id,item_id,rating,ts',
    'alice,"book, red",4,1700000000',
    'bob,book-blue,2.5,2023-11-14T22:13:21Z',
    'alice,book-blue,5,1700000100',
  ]);
  await withFiles({ 'log.csv': log }, async (dir) => {
    const { dataset, report } = await loadGenericCsv(join(dir, 'log.csv'));
    assert.equal(report.format, 'csv');
    assert.equal(report.accepted, 3);
    assert.deepEqual(dataset.userIds, ['alice', 'bob']);
    assert.deepEqual(dataset.itemIds, ['book, red', 'book-blue']);
    assert.deepEqual(Array.from(dataset.interactions.timestamp), [1700000000, 1700000001, 1700000100]);
    assert.deepEqual(Array.from(dataset.interactions.rating), [4, 2.5, 5]);
  });
});

void test('maps columns by name; a missing rating is NaN and a missing timestamp is the row number', async () => {
  const log = lines(['when,who,what', 'x,u1,i1', '', 'x,u2,i1', 'x,u1,i2']);
  await withFiles({ 'clicks.csv': log }, async (dir) => {
    const { dataset } = await loadGenericCsv(join(dir, 'clicks.csv'), { columns: { user: 'who', item: 'what' } });
    assert.ok(Array.from(dataset.interactions.rating).every(Number.isNaN));
    assert.deepEqual(Array.from(dataset.interactions.timestamp), [1, 2, 3]);
  });
});

void test('maps columns by index when there is no header, with a given delimiter', async () => {
  const log = lines(['5;u1;i9;1000', '4;u1;i10;1001', '3;u2;i9;1002']);
  await withFiles({ 'log.txt': log }, async (dir) => {
    const { dataset, report } = await loadGenericCsv(join(dir, 'log.txt'), {
      delimiter: ';',
      columns: { user: '1', item: '2', rating: '0', timestamp: '3' },
    });
    assert.equal(report.rows, 3);
    assert.deepEqual(dataset.itemIds, ['i10', 'i9']);
    assert.deepEqual(Array.from(dataset.interactions.rating), [5, 4, 3]);
  });
});

void test('sniffs a tab delimiter and skips a header even with index columns', async () => {
  const log = lines(['user\titem\tscore', '1\t2\t0.5', '1\t3\tbad']);
  await withFiles({ 'log.tsv': log }, async (dir) => {
    const { report } = await loadGenericCsv(join(dir, 'log.tsv'), { columns: { user: '0', item: '1', rating: '2' } });
    assert.equal(report.rows, 2);
    assert.deepEqual(report.rejected, { 'non-numeric': 1 });
  });
});

void test('applies a rating range only when given, and flags empty ids', async () => {
  const log = lines(['user,item,rating', 'a,1,7', 'b,,3', 'c,1,-2']);
  await withFiles({ 'log.csv': log }, async (dir) => {
    const open = await loadGenericCsv(join(dir, 'log.csv'));
    assert.equal(open.report.accepted, 2);
    assert.deepEqual(open.report.rejected, { 'empty-id': 1 });
    const ranged = await loadGenericCsv(join(dir, 'log.csv'), { ratingRange: [0, 10], maxBadFraction: 1 });
    assert.deepEqual(ranged.report.rejected, { 'empty-id': 1, 'rating-out-of-range': 1 });
  });
});

void test('an unrecognisable header or a missing named column is an unknown format', async () => {
  await withFiles({ 'a.csv': lines(['foo,bar', '1,2']) }, async (dir) => {
    await assert.rejects(loadGenericCsv(join(dir, 'a.csv')), (error: unknown) => {
      assert.ok(isRecsysError(error));
      assert.equal(error.code, 'RECSYS_ERR_DATA_FORMAT_UNKNOWN');
      assert.match(error.message, /foo, bar/);
      return true;
    });
    await assert.rejects(loadGenericCsv(join(dir, 'a.csv'), { columns: { user: 'foo', item: 'baz' } }), /"baz" not in the header/);
  });
});
