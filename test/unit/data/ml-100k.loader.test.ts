import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadMl100k } from '../../../offline/data/loaders/ml-100k.loader.js';
import { lines, withFiles } from './temp-dir.js';

const FLAGS = (set: readonly number[]): string =>
  Array.from({ length: 19 }, (_, k) => (set.includes(k) ? '1' : '0')).join('|');

const ITEMS = Buffer.concat([
  Buffer.from(`1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)|${FLAGS([3, 4, 5])}\n`, 'latin1'),
  Buffer.from(`2|Caf\xe9 Society|01-Jan-1995||http://x|${FLAGS([8])}\n`, 'latin1'),
  Buffer.from(`267|unknown||||${FLAGS([0])}\n`, 'latin1'),
]);

void test('reads tab-separated u.data with u.item, u.user and standard genre names', async () => {
  const data = lines(['196\t2\t3\t881250949', '186\t1\t5\t891717742', '22\t267\t1\t878887116', '', '186\t2\t4\t891717743']);
  const users = lines(['22|25|M|writer|40206', '186|39|F|executive|00000', '196|49|M|writer|55105']);
  await withFiles({ 'u.data': data, 'u.item': ITEMS, 'u.user': users }, async (dir) => {
    const { dataset, report } = await loadMl100k({
      ratings: join(dir, 'u.data'),
      items: join(dir, 'u.item'),
      users: join(dir, 'u.user'),
    });
    assert.equal(report.accepted, 4);
    assert.deepEqual(dataset.userIds, ['22', '186', '196']);
    assert.deepEqual(dataset.itemIds, ['1', '2', '267']);
    assert.deepEqual(dataset.itemMeta[0], { title: 'Toy Story (1995)', year: 1995, genres: ['Animation', "Children's", 'Comedy'] });
    assert.deepEqual(dataset.itemMeta[1], { title: 'Café Society', year: 1995, genres: ['Drama'] });
    assert.deepEqual(dataset.itemMeta[2], { title: 'unknown', year: null, genres: [] });
    assert.deepEqual(dataset.userMeta[1], { gender: 'F', age: 39, occupation: 'executive', zip: '00000' });
  });
});

void test('takes genre names from u.genre when present', async () => {
  const genres = lines(['unknown|0', 'Action|1', 'Adventure|2', 'Cartoons|3', 'Kids|4', 'Comedy|5', '']);
  await withFiles({ 'u.data': lines(['1\t1\t4\t1']), 'u.item': ITEMS, 'u.genre': genres }, async (dir) => {
    const { dataset } = await loadMl100k({
      ratings: join(dir, 'u.data'),
      items: join(dir, 'u.item'),
      genres: join(dir, 'u.genre'),
    });
    assert.deepEqual(dataset.itemMeta[0]?.genres, ['Cartoons', 'Kids', 'Comedy']);
  });
});

void test('a row that is not tab-separated is a field-count error', async () => {
  await withFiles({ 'u.data': lines(['1\t1\t4\t1', '1 2 4 1', '2\t1\t4\t1']) }, async (dir) => {
    const { report } = await loadMl100k({ ratings: join(dir, 'u.data') });
    assert.deepEqual(report.rejected, { 'field-count': 1 });
    assert.equal(report.accepted, 2);
  });
});
