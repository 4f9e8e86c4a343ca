import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { isRecsysError, type ErrorCode } from '../../../lib/domain/errors.js';
import { loadDataset } from '../../../offline/data/load-dataset.js';
import { lines, withFiles } from './temp-dir.js';

const ML1M_RATINGS = lines(['1::1::5::978300760', '1::2::3::978302109', '2::1::4::978301968']);
const ML1M_MOVIES = Buffer.from('1::Toy Story (1995)::Animation\n2::Caf\xe9 (2010)::Drama\n', 'latin1');
const ML1M_USERS = lines(['1::F::1::10::48067', '2::M::56::16::70072']);
const LATEST_RATINGS = lines(['userId,movieId,rating,timestamp', '1,1,4.0,964982703', '2,1,0.5,964982704'], '\r\n');
const LATEST_MOVIES = lines(['movieId,title,genres', '1,"Toy Story, The (1995)",Comedy'], '\r\n');

function rejectsWith(code: ErrorCode, pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isRecsysError(error), String(error));
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  };
}

void test('detects an ml-1m folder and its metadata', async () => {
  await withFiles({ 'ratings.dat': ML1M_RATINGS, 'movies.dat': ML1M_MOVIES, 'users.dat': ML1M_USERS }, async (dir) => {
    const { dataset, report } = await loadDataset(dir);
    assert.equal(report.format, 'ml-1m');
    assert.equal(report.source, join(dir, 'ratings.dat'));
    assert.equal(dataset.itemMeta[1]?.title, 'Café (2010)');
    assert.equal(report.usersWithMeta, 2);
  });
});

void test('finds a ratings-*.dat part in a folder, and metadata beside a ratings file', async () => {
  const files = { 'ratings-users-1-2.dat': ML1M_RATINGS, 'movies.dat': ML1M_MOVIES, 'users.dat': ML1M_USERS };
  await withFiles(files, async (dir) => {
    const fromFolder = await loadDataset(dir);
    assert.equal(fromFolder.report.source, join(dir, 'ratings-users-1-2.dat'));
    const fromFile = await loadDataset(join(dir, 'ratings-users-1-2.dat'));
    assert.equal(fromFile.report.format, 'ml-1m');
    assert.equal(fromFile.dataset.name, 'ratings-users-1-2');
    assert.equal(fromFile.report.itemsWithMeta, 2);
    assert.equal(fromFile.report.usersWithMeta, 2);
  });
});

void test('detects ml-latest-small by folder and by file header', async () => {
  await withFiles({ 'ratings.csv': LATEST_RATINGS, 'movies.csv': LATEST_MOVIES }, async (dir) => {
    const fromFolder = await loadDataset(dir);
    assert.equal(fromFolder.report.format, 'ml-latest-small');
    assert.equal(fromFolder.dataset.itemMeta[0]?.title, 'Toy Story, The (1995)');
    const fromFile = await loadDataset(join(dir, 'ratings.csv'));
    assert.equal(fromFile.report.format, 'ml-latest-small');
    assert.equal(fromFile.report.itemsWithMeta, 1);
  });
});

void test('detects ml-100k by folder and by u.data', async () => {
  await withFiles({ 'u.data': lines(['1\t1\t5\t881250949', '2\t1\t3\t881250950']) }, async (dir) => {
    assert.equal((await loadDataset(dir)).report.format, 'ml-100k');
    assert.equal((await loadDataset(join(dir, 'u.data'))).report.format, 'ml-100k');
  });
});

void test('other csv files go to the generic loader, with default ranges per format', async () => {
  await withFiles({ 'events.csv': lines(['userId,itemId,rating', 'u1,i1,9', 'u2,i1,7']) }, async (dir) => {
    const { dataset, report } = await loadDataset(join(dir, 'events.csv'));
    assert.equal(report.format, 'csv');
    assert.equal(dataset.name, 'events');
    assert.deepEqual(Array.from(dataset.interactions.rating), [9, 7]);
    await assert.rejects(
      loadDataset(join(dir, 'events.csv'), { ratingRange: [1, 5] }),
      rejectsWith('RECSYS_ERR_DATA_TOO_MANY_BAD_ROWS', /2 of 2 rows rejected \(rating-out-of-range 2\)/),
    );
  });
});

void test('a mostly bad file is rejected with counts by reason', async () => {
  const ratings = lines(['1::1::5::978300760', '1::2::9::978300761', '1::3', 'a::4::3::978300763']);
  await withFiles({ 'ratings.dat': ratings }, async (dir) => {
    await assert.rejects(
      loadDataset(dir),
      rejectsWith(
        'RECSYS_ERR_DATA_TOO_MANY_BAD_ROWS',
        /3 of 4 rows rejected \(rating-out-of-range 1, field-count 1, non-numeric 1\)/,
      ),
    );
    const tolerant = await loadDataset(dir, { maxBadFraction: 0.8 });
    assert.equal(tolerant.report.accepted, 1);
  });
});

void test('a missing path is unreadable and names the path; an unknown folder names what it found', async () => {
  await withFiles({ 'notes.txt': 'hello\n' }, async (dir) => {
    const missing = join(dir, 'nope', 'ratings.csv');
    await assert.rejects(loadDataset(missing), rejectsWith('RECSYS_ERR_DATA_UNREADABLE', /nope\/ratings\.csv/));
    await assert.rejects(loadDataset(dir), rejectsWith('RECSYS_ERR_DATA_FORMAT_UNKNOWN', /notes\.txt/));
    await assert.rejects(loadDataset(dir, { format: 'ml-100k' }), rejectsWith('RECSYS_ERR_DATA_FORMAT_UNKNOWN', /ml-100k/));
  });
});

void test('reports progress and validates its options', async () => {
  await withFiles({ 'ratings.dat': ML1M_RATINGS }, async (dir) => {
    const seen: number[] = [];
    await loadDataset(dir, { onProgress: (rows) => seen.push(rows) });
    assert.equal(seen.at(-1), 3);
    await assert.rejects(loadDataset(dir, { maxBadFraction: 2 }), rejectsWith('RECSYS_ERR_CONFIG_INVALID', /maxBadFraction/));
  });
});
