import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { isRecsysError } from '../../../lib/domain/errors.js';
import type { Dataset } from '../../../offline/data/dataset.js';
import { datasetFromRows, type InteractionRow } from '../../../offline/data/dataset-builder.js';
import { createPrng } from '../../../offline/data/prng.js';
import {
  readSplitFile,
  splitCounts,
  splitRandom811,
  splitTemporal,
  type Split,
} from '../../../offline/data/splits.js';
import { lines, withFiles } from './temp-dir.js';

function userRows(user: string, n: number, timestamp: (k: number) => number = (k) => 1000 + k): InteractionRow[] {
  return Array.from({ length: n }, (_, k) => ({ user, item: String(k + 1), timestamp: timestamp(k) }));
}

function countsOf(ds: Dataset, split: Split, user: string): { train: number; valid: number; test: number } {
  const u = ds.userIds.indexOf(user);
  const counts = [0, 0, 0];
  for (let r = 0; r < ds.interactions.length; r++) {
    if (ds.interactions.user[r] === u) counts[split.labels[r]!]!++;
  }
  return { train: counts[0]!, valid: counts[1]!, test: counts[2]! };
}

/** "user/item" → label, to compare splits of differently ordered datasets. */
function labelsByPair(ds: Dataset, split: Split): Map<string, number> {
  const byPair = new Map<string, number>();
  for (let r = 0; r < ds.interactions.length; r++) {
    byPair.set(`${ds.userIds[ds.interactions.user[r]!]}/${ds.itemIds[ds.interactions.item[r]!]}`, split.labels[r]!);
  }
  return byPair;
}

function shuffledRows(rows: readonly InteractionRow[], seed: number): InteractionRow[] {
  const random = createPrng(seed);
  const copy = [...rows];
  for (let k = copy.length - 1; k > 0; k--) {
    const j = random.int(k + 1);
    [copy[k], copy[j]] = [copy[j]!, copy[k]!];
  }
  return copy;
}

void test('random-811 gives floor(0.8n) train, floor(0.1n) valid, the rest test', () => {
  const ds = datasetFromRows([...userRows('1', 10), ...userRows('2', 7), ...userRows('3', 1)]);
  const split = splitRandom811(ds);
  assert.equal(split.protocol, 'random-811');
  assert.deepEqual(countsOf(ds, split, '1'), { train: 8, valid: 1, test: 1 });
  assert.deepEqual(countsOf(ds, split, '2'), { train: 5, valid: 0, test: 2 });
  assert.deepEqual(countsOf(ds, split, '3'), { train: 0, valid: 0, test: 1 });
  assert.deepEqual(splitCounts(split), { train: 13, valid: 1, test: 4 });
});

void test('temporal holds out ceil(n/10) test and ceil(n/10) valid at the end; short users are all train', () => {
  const ds = datasetFromRows([...userRows('1', 30), ...userRows('2', 2), ...userRows('3', 3)]);
  const split = splitTemporal(ds);
  assert.equal(split.protocol, 'temporal');
  assert.deepEqual(countsOf(ds, split, '1'), { train: 24, valid: 3, test: 3 });
  assert.deepEqual(countsOf(ds, split, '2'), { train: 2, valid: 0, test: 0 });
  assert.deepEqual(countsOf(ds, split, '3'), { train: 1, valid: 1, test: 1 });
  const byPair = labelsByPair(ds, split);
  assert.deepEqual(
    ['1/24', '1/25', '1/27', '1/28'].map((pair) => byPair.get(pair)),
    [0, 1, 1, 2],
  );
});

void test('equal timestamps are ordered by numeric item id ("9" before "10")', () => {
  const rows = ['100', '10', '9'].map((item) => ({ user: '7', item, timestamp: 5 }));
  const ds = datasetFromRows(rows);
  const byPair = labelsByPair(ds, splitTemporal(ds));
  assert.deepEqual([byPair.get('7/9'), byPair.get('7/10'), byPair.get('7/100')], [0, 1, 2]);
});

void test('random-811 shuffles the (timestamp, item)-sorted list with a PRNG seeded by seed + user id', () => {
  const items = ['100', '10', '9', '11', '1', '50', '7', '8', '12', '13'];
  const ds = datasetFromRows(items.map((item, k) => ({ user: '5', item, timestamp: k < 5 ? 1 : 2 })));
  const sorted = ['1', '9', '10', '11', '100', '7', '8', '12', '13', '50'];
  const random = createPrng(2026 + 5);
  for (let k = sorted.length - 1; k > 0; k--) {
    const j = random.int(k + 1);
    [sorted[k], sorted[j]] = [sorted[j]!, sorted[k]!];
  }
  const byPair = labelsByPair(ds, splitRandom811(ds));
  assert.deepEqual(
    sorted.map((item) => byPair.get(`5/${item}`)),
    [0, 0, 0, 0, 0, 0, 0, 0, 1, 2],
  );
});

void test('splits do not depend on the order of the input rows', () => {
  const rows = [
    ...userRows('1', 23, (k) => Math.floor(k / 4)),
    ...userRows('2', 12, () => 7),
    ...userRows('abc', 15, (k) => k % 3),
  ];
  const a = datasetFromRows(rows);
  const b = datasetFromRows(shuffledRows(rows, 3));
  assert.notDeepEqual(Array.from(a.interactions.item), Array.from(b.interactions.item));
  assert.deepEqual(labelsByPair(b, splitRandom811(b)), labelsByPair(a, splitRandom811(a)));
  assert.deepEqual(labelsByPair(b, splitTemporal(b)), labelsByPair(a, splitTemporal(a)));
  assert.notDeepEqual(labelsByPair(a, splitRandom811(a, 1)), labelsByPair(a, splitRandom811(a, 2)));
});

const SMALL = datasetFromRows([
  { user: '1', item: '9', timestamp: 1 },
  { user: '1', item: '10', timestamp: 2 },
  { user: '2', item: '9', timestamp: 3 },
]);

void test('reads a split file', async () => {
  await withFiles({ 'split.tsv': lines(['1\t9\ttrain', '1\t10\ttest', '', '2\t9\tvalid']) }, async (dir) => {
    const split = await readSplitFile(join(dir, 'split.tsv'), SMALL);
    assert.equal(split.protocol, 'file');
    assert.deepEqual(labelsByPair(SMALL, split), new Map([['1/9', 0], ['1/10', 2], ['2/9', 1]]));
  });
});

void test('split file errors name the line', async () => {
  const cases: readonly (readonly [string[], RegExp])[] = [
    [['1\t9\ttrain', '3\t9\ttrain'], /:2: user 3 is not in dataset/],
    [['1\t11\ttrain'], /:1: item 11 is not in dataset/],
    [['1\t9\ttrain', '2\t10\ttrain'], /:2: user 2 has no interaction with item 10/],
    [['1\t9\tholdout'], /:1: label must be train, valid or test, got "holdout"/],
    [['1\t9\ttrain', '', '1 10 train'], /:3: expected user<TAB>item<TAB>label, got 1 field/],
    [['1\t9\ttrain', '1\t9\ttest'], /:2: user 1, item 9 is listed twice/],
    [['1\t9\ttrain'], /2 of 3 interactions of dataset inline are absent/],
  ];
  for (const [content, pattern] of cases) {
    await withFiles({ 'split.tsv': lines(content) }, async (dir) => {
      await assert.rejects(readSplitFile(join(dir, 'split.tsv'), SMALL), (error: unknown) => {
        assert.ok(isRecsysError(error));
        assert.equal(error.code, 'RECSYS_ERR_SPLIT_INVALID');
        assert.match(error.message, pattern);
        return true;
      });
    });
  }
});
