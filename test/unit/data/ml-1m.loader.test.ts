import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadMl1m } from '../../../offline/data/loaders/ml-1m.loader.js';
import { lines, withFiles } from './temp-dir.js';

const MOVIES = Buffer.concat([
  Buffer.from('1::Toy Story (1995)::Animation|Children\'s|Comedy\n', 'latin1'),
  Buffer.from('9::Metisse (Caf\xe9 au Lait) (1993)  ::Comedy\n', 'latin1'),
  Buffer.from('10::GoldenEye (1995)::Action|Adventure|Thriller\n', 'latin1'),
  Buffer.from('99::Never Rated (1990)::Drama\n', 'latin1'),
]);

void test('reads ratings, latin-1 titles and users', async () => {
  const ratings = lines(['2::10::5::978300760', '1::9::3::978302109', '1::10::4::978301968', '', '2::1::1::978300000']);
  const users = lines(['1::F::1::10::48067', '2::M::56::16::70072', '3::M::25::15::55117']);
  await withFiles({ 'ratings.dat': ratings, 'movies.dat': MOVIES, 'users.dat': users }, async (dir) => {
    const { dataset, report } = await loadMl1m({
      ratings: join(dir, 'ratings.dat'),
      movies: join(dir, 'movies.dat'),
      users: join(dir, 'users.dat'),
    });
    assert.equal(report.format, 'ml-1m');
    assert.equal(report.rows, 4);
    assert.equal(report.accepted, 4);
    assert.deepEqual(report.rejected, {});
    assert.deepEqual(dataset.userIds, ['1', '2']);
    assert.deepEqual(dataset.itemIds, ['1', '9', '10']);
    assert.equal(report.itemsWithMeta, 3);
    assert.equal(report.usersWithMeta, 2);
    assert.deepEqual(dataset.itemMeta[1], { title: 'Metisse (Café au Lait) (1993)', year: 1993, genres: ['Comedy'] });
    assert.deepEqual(dataset.itemMeta[0]?.genres, ['Animation', "Children's", 'Comedy']);
    assert.deepEqual(dataset.userMeta[1], { gender: 'M', age: 56, occupation: '16', zip: '70072' });
    const { interactions } = dataset;
    assert.deepEqual(Array.from(interactions.user), [1, 0, 0, 1]);
    assert.deepEqual(Array.from(interactions.item), [2, 1, 2, 0]);
    assert.deepEqual(Array.from(interactions.rating), [5, 3, 4, 1]);
    assert.deepEqual(Array.from(interactions.timestamp), [978300760, 978302109, 978301968, 978300000]);
  });
});

void test('counts bad rows by reason, keeping the first of a duplicate pair', async () => {
  const ratings = lines([
    '1::1::5::978300760',
    '1::2::4::978300761',
    '1::2::3::978300762',
    '1::3::4',
    'x::3::4::978300763',
    '1::3::6::978300764',
    '::3::4::978300765',
    '1::4::4::soon',
    '2::5::four::978300766',
    '2::6::2::978300767',
    '2::7::1::978300768',
    '2::8::1::978300769',
  ]);
  await withFiles({ 'ratings.dat': ratings }, async (dir) => {
    const { dataset, report } = await loadMl1m({ ratings: join(dir, 'ratings.dat') }, { maxBadFraction: 1 });
    assert.equal(report.rows, 12);
    assert.equal(report.accepted, 5);
    assert.deepEqual(report.rejected, {
      'duplicate-pair': 1,
      'field-count': 1,
      'non-numeric': 2,
      'rating-out-of-range': 1,
      'empty-id': 1,
      'bad-timestamp': 1,
    });
    assert.deepEqual(report.examples[0], { line: 3, reason: 'duplicate-pair', text: '1::2::3::978300762' });
    assert.equal(dataset.interactions.rating[1], 4, 'the first occurrence of 1::2 is kept');
    assert.deepEqual(dataset.itemIds, ['1', '2', '6', '7', '8'], 'only items of accepted rows');
    assert.equal(report.itemsWithMeta, 0);
  });
});
