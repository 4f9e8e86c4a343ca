import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDataset } from '../../../offline/data/load-dataset.js';
import { writeSyntheticDataset } from '../../../offline/data/synthetic.js';
import { withFiles } from './temp-dir.js';

const SMALL = { users: 150, items: 400, interactions: 9000, clusters: 8 };

void test('same seed, same bytes; another seed, other bytes', async () => {
  await withFiles({}, async (dir) => {
    const a = await writeSyntheticDataset(join(dir, 'a'), { ...SMALL, seed: 7 });
    const b = await writeSyntheticDataset(join(dir, 'b'), { ...SMALL, seed: 7 });
    const c = await writeSyntheticDataset(join(dir, 'c'), { ...SMALL, seed: 8 });
    assert.equal(a.interactions, 9000);
    assert.deepEqual(await readFile(a.ratingsPath), await readFile(b.ratingsPath));
    assert.deepEqual(await readFile(a.moviesPath), await readFile(b.moviesPath));
    assert.notDeepEqual(await readFile(a.ratingsPath), await readFile(c.ratingsPath));
  });
});

void test('writes the ml-latest-small format and loads with no bad rows', async () => {
  await withFiles({}, async (dir) => {
    const result = await writeSyntheticDataset(dir, SMALL);
    const ratingsText = await readFile(result.ratingsPath, 'utf8');
    const moviesText = await readFile(result.moviesPath, 'utf8');
    assert.ok(ratingsText.startsWith('userId,movieId,rating,timestamp\r\n'));
    assert.ok(moviesText.startsWith('movieId,title,genres\r\n'));
    assert.equal(ratingsText.split('\n').length - 1, ratingsText.split('\r\n').length - 1, 'every line ends in CRLF');
    assert.match(moviesText, /^\d+,"[^"\r\n]*, [^"\r\n]*\(\d{4}\)",/m, 'some titles hold a comma and are quoted');

    const { dataset, report } = await loadDataset(dir);
    assert.equal(report.format, 'ml-latest-small');
    assert.deepEqual(report.rejected, {});
    assert.equal(report.accepted, result.interactions);
    assert.equal(dataset.userIds.length, SMALL.users);
    assert.equal(report.itemsWithMeta, dataset.itemIds.length);
    for (const rating of dataset.interactions.rating) {
      assert.ok(rating >= 0.5 && rating <= 5 && Number.isInteger(rating * 2), `rating ${rating}`);
    }
    const perUser = new Int32Array(dataset.userIds.length);
    for (const user of dataset.interactions.user) perUser[user]!++;
    assert.ok(Math.min(...perUser) >= 20, 'at least 20 interactions per user');
    assert.ok(dataset.itemMeta.every((meta) => meta !== undefined && meta.year !== null));
  });
});
