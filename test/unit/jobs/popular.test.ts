import { withoutValidation } from '../../../offline/jobs/validation-set.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { DatasetBuilder } from '../../../offline/data/dataset-builder.js';
import type { ItemMeta } from '../../../offline/data/dataset.js';
import { buildTrainingData } from '../../../offline/jobs/training-data.js';
import type { TrainingData } from '../../../offline/jobs/training-data.js';
import { popularJob } from '../../../offline/jobs/popular/popular.job.js';
import { parseConfig } from '../../../lib/config/load-config.js';
import { silentProgress } from '../../../offline/progress.js';
import { decodePopular } from '../../../lib/stores/bundle/artifacts.js';
import type { PopularLists } from '../../../lib/stores/bundle/artifacts.js';
import type { CandidateList } from '../../../lib/domain/candidate.js';

/*
 * Items A..F (indices 0..5) with interaction counts and genres:
 *   A 3  Action|Comedy      D 2  Drama
 *   B 3  Comedy             E 1  Action
 *   C 2  Action             F 1  (no metadata)
 * Overall by count desc, ties by index asc: A3 B3 C2 D2 E1 F1.
 * Action: A3 C2 E1 | Comedy: A3 B3 | Drama: D2.
 */
const A = 0, B = 1, C = 2, D = 3, E = 4, F = 5;
const ROWS: [string, string][] = [
  ['u1', 'A'], ['u1', 'B'], ['u1', 'C'],
  ['u2', 'A'], ['u2', 'B'],
  ['u3', 'B'], ['u3', 'C'], ['u3', 'D'],
  ['u4', 'A'], ['u4', 'D'],
  ['u5', 'E'],
  ['u6', 'F'],
];
const E_ROW = 10;

function meta(genres: string[]): ItemMeta {
  return { title: genres.join('/'), year: null, genres };
}

function trainingData(include?: (row: number) => boolean): TrainingData {
  const builder = new DatasetBuilder({ name: 'popular', source: 'rows', format: 'rows', ratingRange: null, numericIds: false, maxBadFraction: 0 });
  ROWS.forEach(([user, item], row) => builder.addRow(row + 1, `${user},${item}`, user, item, null, row));
  const items = new Map<string, ItemMeta>([
    ['A', meta(['Action', 'Comedy'])],
    ['B', meta(['Comedy'])],
    ['C', meta(['Action'])],
    ['D', meta(['Drama'])],
    ['E', meta(['Action'])],
  ]);
  return buildTrainingData(builder.build({ items }).dataset, include);
}

async function run(config: unknown, include?: (row: number) => boolean): Promise<{ lists: PopularLists; details: Readonly<Record<string, unknown>> }> {
  const output = await popularJob.run({ ...withoutValidation(trainingData(include)), config: parseConfig(config), progress: silentProgress });
  assert.equal(output.artifacts.length, 1);
  const artifact = output.artifacts[0]!;
  assert.equal(artifact.name, 'popular.json');
  return { lists: decodePopular(Buffer.from(artifact.bytes)), details: output.details };
}

function pairs(list: CandidateList | undefined): [number, number][] {
  assert.ok(list);
  return Array.from(list.items, (item, k) => [item, list.scores[k]!]);
}

void describe('popularJob', () => {
  void it('ranks every interacted item by count, ties by item index', async () => {
    const { lists, details } = await run({});
    assert.deepEqual(pairs(lists.overall), [[A, 3], [B, 3], [C, 2], [D, 2], [E, 1], [F, 1]]);
    assert.deepEqual(details, { overall: 6, genres: 3 });
  });

  void it('builds one list per genre, genres in name order, items without metadata in none', async () => {
    const { lists } = await run({});
    assert.deepEqual([...lists.byGenre.keys()], ['Action', 'Comedy', 'Drama']);
    assert.deepEqual(pairs(lists.byGenre.get('Action')), [[A, 3], [C, 2], [E, 1]]);
    assert.deepEqual(pairs(lists.byGenre.get('Comedy')), [[A, 3], [B, 3]]);
    assert.deepEqual(pairs(lists.byGenre.get('Drama')), [[D, 2]]);
  });

  void it('truncates the overall list to limit and each genre list to perGenre', async () => {
    const { lists } = await run({ jobs: { popular: { limit: 3, perGenre: 1 } } });
    // the B/C boundary: A3 B3 | C2 ...
    assert.deepEqual(pairs(lists.overall), [[A, 3], [B, 3], [C, 2]]);
    assert.deepEqual(pairs(lists.byGenre.get('Action')), [[A, 3]]);
    assert.deepEqual(pairs(lists.byGenre.get('Comedy')), [[A, 3]]);
    assert.deepEqual(pairs(lists.byGenre.get('Drama')), [[D, 2]]);
  });

  void it('counts only training rows: an item seen only in held-out rows is left out', async () => {
    // without E's only row (and u1's A): A2 B3 C2 D2 F1; E has count 0
    const { lists } = await run({}, (row) => row !== E_ROW && row !== 0);
    assert.deepEqual(pairs(lists.overall), [[B, 3], [A, 2], [C, 2], [D, 2], [F, 1]]);
    assert.deepEqual(pairs(lists.byGenre.get('Action')), [[A, 2], [C, 2]]);
    assert.deepEqual([...lists.byGenre.keys()], ['Action', 'Comedy', 'Drama']);
  });
});
