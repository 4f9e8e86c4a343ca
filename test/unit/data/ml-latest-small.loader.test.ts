import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadMlLatestSmall } from '../../../offline/data/loaders/ml-latest-small.loader.js';
import { lines, withFiles } from './temp-dir.js';

const RATINGS = lines(
  ['userId,movieId,rating,timestamp', '1,1,4.0,964982703', '1,11,0.5,964981247', '10,2,5.0,964982224', '2,11,3.5,964983815'],
  '\r\n',
);
const MOVIES = lines(
  [
    'movieId,title,genres',
    '1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy',
    '2,Jumanji (1995),Adventure|Children|Fantasy',
    '11,"American President, The (1995)",Comedy|Drama|Romance',
    '12,"""Great"" Escape, The (1963) ",War',
    '13,Paterson,(no genres listed)',
  ],
  '\r\n',
);

void test('reads CRLF ratings and quoted titles with commas', async () => {
  await withFiles({ 'ratings.csv': RATINGS, 'movies.csv': MOVIES }, async (dir) => {
    const { dataset, report } = await loadMlLatestSmall({ ratings: join(dir, 'ratings.csv'), movies: join(dir, 'movies.csv') });
    assert.equal(report.rows, 4);
    assert.equal(report.accepted, 4);
    assert.deepEqual(dataset.userIds, ['1', '2', '10']);
    assert.deepEqual(dataset.itemIds, ['1', '2', '11']);
    assert.deepEqual(dataset.itemMeta[2], {
      title: 'American President, The (1995)',
      year: 1995,
      genres: ['Comedy', 'Drama', 'Romance'],
    });
    assert.deepEqual(Array.from(dataset.interactions.rating), [4, 0.5, 5, 3.5]);
    assert.equal(report.itemsWithMeta, 3);
  });
});

void test('parses escaped quotes, trailing spaces after the year and "(no genres listed)"', async () => {
  const ratings = lines(['userId,movieId,rating,timestamp', '1,12,4.0,1', '1,13,4.0,2'], '\r\n');
  await withFiles({ 'ratings.csv': ratings, 'movies.csv': MOVIES }, async (dir) => {
    const { dataset } = await loadMlLatestSmall({ ratings: join(dir, 'ratings.csv'), movies: join(dir, 'movies.csv') });
    assert.deepEqual(dataset.itemMeta[0], { title: '"Great" Escape, The (1963)', year: 1963, genres: ['War'] });
    assert.deepEqual(dataset.itemMeta[1], { title: 'Paterson', year: null, genres: [] });
  });
});

void test('rejects out-of-range and malformed rows', async () => {
  const ratings = lines(
    ['userId,movieId,rating,timestamp', '1,1,4.0,1', '1,2,5.5,2', '1,3,,3', '1,4,4.0', 'a1,5,4.0,5', '1,6,4.0,6'],
    '\r\n',
  );
  await withFiles({ 'ratings.csv': ratings }, async (dir) => {
    const { report } = await loadMlLatestSmall({ ratings: join(dir, 'ratings.csv') }, { maxBadFraction: 1 });
    assert.equal(report.rows, 6);
    assert.equal(report.accepted, 2);
    assert.deepEqual(report.rejected, { 'rating-out-of-range': 1, 'non-numeric': 2, 'field-count': 1 });
    assert.deepEqual(
      report.examples.map((e) => e.line),
      [3, 4, 5, 6],
    );
  });
});
