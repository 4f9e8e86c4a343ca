import { withoutValidation } from '../../../offline/jobs/validation-set.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { datasetFromRows } from '../../../offline/data/dataset-builder.js';
import type { InteractionRow } from '../../../offline/data/dataset-builder.js';
import { buildTrainingData } from '../../../offline/jobs/training-data.js';
import { cosineNeighbours, itemCfJob, transposeTable } from '../../../offline/jobs/item-cf/item-cf.job.js';
import { parseConfig } from '../../../lib/config/load-config.js';
import { silentProgress } from '../../../offline/progress.js';
import { SimilarityTable } from '../../../lib/stores/similarity/similarity-table.js';

/*
 * Items A..E (dense indices 0..4, string ids sort lexicographically), users u1..u5 (0..4).
 *   u1: A B C      n(A)=3 {u1,u2,u4}  n(B)=3 {u1,u2,u3}  n(C)=2 {u1,u3}
 *   u2: A B        n(D)=2 {u3,u4}     n(E)=1 {u5}
 *   u3: B C D
 *   u4: A D
 *   u5: E
 * Co-occurrences: AB=2 AC=1 AD=1 BC=2 BD=1 CD=1, E with nothing.
 * Cosine c/sqrt(ni nj):
 *   AB = 2/sqrt(9) = 0.6667   AC = 1/sqrt(6) = 0.4082   AD = 1/sqrt(6) = 0.4082
 *   BC = 2/sqrt(6) = 0.8165   BD = 1/sqrt(6) = 0.4082   CD = 1/sqrt(4) = 0.5
 */
const A = 0, B = 1, C = 2, D = 3, E = 4;
const AB = Math.fround(2 / Math.sqrt(9));
const AC = Math.fround(1 / Math.sqrt(6));
const AD = AC;
const BC = Math.fround(2 / Math.sqrt(6));
const BD = AC;
const CD = Math.fround(1 / Math.sqrt(4));

const ROWS: InteractionRow[] = [
  { user: 'u1', item: 'A', timestamp: 100 },
  { user: 'u1', item: 'B', timestamp: 300 },
  { user: 'u1', item: 'C', timestamp: 300 },
  { user: 'u2', item: 'A', timestamp: 50 },
  { user: 'u2', item: 'B', timestamp: 60 },
  { user: 'u3', item: 'B', timestamp: 10 },
  { user: 'u3', item: 'C', timestamp: 30 },
  { user: 'u3', item: 'D', timestamp: 20 },
  { user: 'u4', item: 'A', timestamp: 5 },
  { user: 'u4', item: 'D', timestamp: 5 },
  { user: 'u5', item: 'E', timestamp: 1 },
];

function data(include?: (row: number) => boolean): ReturnType<typeof buildTrainingData> {
  return buildTrainingData(datasetFromRows(ROWS), include);
}

/** Rows of a table as [item, score] pairs. */
function rowsOf(table: SimilarityTable): [number, number][][] {
  return Array.from({ length: table.rows }, (_, i) => {
    const row = table.row(i);
    return Array.from(row.items, (item, k) => [item, row.scores[k]!] as [number, number]);
  });
}

void describe('buildTrainingData', () => {
  void it('assigns dense indices in ascending id order', () => {
    const training = data();
    assert.deepEqual(training.dataset.itemIds, ['A', 'B', 'C', 'D', 'E']);
    assert.deepEqual(training.dataset.userIds, ['u1', 'u2', 'u3', 'u4', 'u5']);
    assert.equal(training.users, 5);
    assert.equal(training.items, 5);
    assert.equal(training.interactions, 11);
  });

  void it('lists each user\'s rows most recent first, ties by item index descending', () => {
    const training = data();
    assert.deepEqual(Array.from(training.userOffsets), [0, 3, 5, 8, 10, 11]);
    // u1: B@300 and C@300 tie -> C (2) before B (1), then A@100
    // u2: B@60, A@50; u3: C@30, D@20, B@10; u4: A@5 and D@5 tie -> D then A; u5: E
    assert.deepEqual(Array.from(training.userItems), [C, B, A, B, A, C, D, B, D, A, E]);
    assert.deepEqual(Array.from(training.userTimes), [300, 300, 100, 60, 50, 30, 20, 10, 5, 5, 1]);
  });

  void it('indexes items to users in CSR form with users ascending', () => {
    const training = data();
    // A: u1 u2 u4 | B: u1 u2 u3 | C: u1 u3 | D: u3 u4 | E: u5
    assert.deepEqual(Array.from(training.itemOffsets), [0, 3, 6, 8, 10, 11]);
    assert.deepEqual(Array.from(training.itemUsers), [0, 1, 3, 0, 1, 2, 0, 2, 2, 3, 4]);
  });

  void it('keeps only the rows the include predicate accepts, but every user and item slot', () => {
    // drop row 0 (u1 A) and row 10 (u5 E): training on the remaining 9
    const training = data((row) => row !== 0 && row !== 10);
    assert.equal(training.interactions, 9);
    assert.equal(training.users, 5);
    assert.equal(training.items, 5);
    // u1: C B | u2: B A | u3: C D B | u4: D A | u5: (none)
    assert.deepEqual(Array.from(training.userOffsets), [0, 2, 4, 7, 9, 9]);
    assert.deepEqual(Array.from(training.userItems), [C, B, B, A, C, D, B, D, A]);
    // A: u2 u4 | B: u1 u2 u3 | C: u1 u3 | D: u3 u4 | E: (none)
    assert.deepEqual(Array.from(training.itemOffsets), [0, 2, 5, 7, 9, 9]);
    assert.deepEqual(Array.from(training.itemUsers), [1, 3, 0, 1, 2, 0, 2, 2, 3]);
  });
});

void describe('cosineNeighbours', () => {
  void it('scores c_ij / sqrt(n_i n_j), ordered by score desc then item index asc', () => {
    const table = cosineNeighbours(data(), { neighbours: 10, minCooccurrence: 1 });
    assert.equal(table.rows, 5);
    assert.deepEqual(rowsOf(table), [
      // A: B .667, then C and D tie at .408 -> C first
      [[B, AB], [C, AC], [D, AD]],
      // B: C .816, A .667, D .408
      [[C, BC], [A, AB], [D, BD]],
      // C: B .816, D .5, A .408
      [[B, BC], [D, CD], [A, AC]],
      // D: C .5, then A and B tie at .408 -> A first
      [[C, CD], [A, AD], [B, BD]],
      // E co-occurs with nothing
      [],
    ]);
  });

  void it('never lists an item as its own neighbour', () => {
    const table = cosineNeighbours(data(), { neighbours: 10, minCooccurrence: 1 });
    for (let i = 0; i < table.rows; i++) assert.ok(!table.row(i).items.includes(i), `row ${i}`);
  });

  void it('keeps only the top K of each row', () => {
    const k1 = cosineNeighbours(data(), { neighbours: 1, minCooccurrence: 1 });
    assert.deepEqual(rowsOf(k1), [[[B, AB]], [[C, BC]], [[B, BC]], [[C, CD]], []]);
    const k2 = cosineNeighbours(data(), { neighbours: 2, minCooccurrence: 1 });
    // the C/D tie in A's row and the A/B tie in D's row are cut by item index
    assert.deepEqual(rowsOf(k2), [[[B, AB], [C, AC]], [[C, BC], [A, AB]], [[B, BC], [D, CD]], [[C, CD], [A, AD]], []]);
    assert.deepEqual(Array.from(k2.offsets), [0, 2, 4, 6, 8, 8]);
  });

  void it('drops pairs below minCooccurrence', () => {
    // only AB=2 and BC=2 reach 2
    const table = cosineNeighbours(data(), { neighbours: 10, minCooccurrence: 2 });
    assert.deepEqual(rowsOf(table), [[[B, AB]], [[C, BC], [A, AB]], [[B, BC]], [], []]);
  });

  void it('learns only from the included rows', () => {
    // without row 0 (u1 A): n(A)=2 {u2,u4}; AB=1 -> 1/sqrt(2*3); AC=0; AD=1 -> 1/sqrt(2*2)=0.5
    const table = cosineNeighbours(data((row) => row !== 0), { neighbours: 10, minCooccurrence: 1 });
    assert.deepEqual(rowsOf(table)[A], [[D, Math.fround(0.5)], [B, Math.fround(1 / Math.sqrt(6))]]);
  });

  void it('ticks once per item', () => {
    let ticks = 0;
    cosineNeighbours(data(), { neighbours: 3, minCooccurrence: 1 }, (n) => {
      ticks += n;
    });
    assert.equal(ticks, 5);
  });
});

void describe('transposeTable', () => {
  /** Checks that row i of `t` lists exactly the j whose row in `table` holds i, with the same score. */
  function assertTranspose(table: SimilarityTable, t: SimilarityTable): void {
    assert.equal(t.rows, table.rows);
    assert.equal(t.items.length, table.items.length);
    for (let i = 0; i < table.rows; i++) {
      const expected: [number, number][] = [];
      for (let j = 0; j < table.rows; j++) {
        const row = table.row(j);
        const at = row.items.indexOf(i);
        if (at >= 0) expected.push([j, row.scores[at]!]);
      }
      expected.sort((x, y) => y[1] - x[1] || x[0] - y[0]);
      assert.deepEqual(rowsOf(t)[i], expected, `row ${i}`);
    }
  }

  void it('transposes a truncated (asymmetric) table by hand', () => {
    const k1 = cosineNeighbours(data(), { neighbours: 1, minCooccurrence: 1 });
    // K=1 rows: A->B, B->C, C->B, D->C. Transposed:
    //   A: nobody lists A | B: A (.667) and C (.816) -> C first | C: B (.816), D (.5) | D, E: none
    const t = transposeTable(k1);
    assert.deepEqual(rowsOf(t), [[], [[C, BC], [A, AB]], [[B, BC], [D, CD]], [], []]);
    assertTranspose(k1, t);
  });

  void it('matches the definition for every K, and a full cosine table is its own transpose', () => {
    for (const neighbours of [1, 2, 3, 10]) {
      const table = cosineNeighbours(data(), { neighbours, minCooccurrence: 1 });
      assertTranspose(table, transposeTable(table));
    }
    const full = cosineNeighbours(data(), { neighbours: 10, minCooccurrence: 1 });
    assert.deepEqual(rowsOf(transposeTable(full)), rowsOf(full));
  });

  void it('handles an empty table', () => {
    const empty = new SimilarityTable(new Int32Array(4), new Int32Array(0), new Float32Array(0));
    const t = transposeTable(empty);
    assert.equal(t.rows, 3);
    assert.deepEqual(Array.from(t.offsets), [0, 0, 0, 0]);
  });
});

void describe('itemCfJob', () => {
  void it('writes item-cf (history) and item-cf-target (transposed) tables', async () => {
    const config = parseConfig({ jobs: { 'item-cf': { neighbours: 1, iuf: false, alpha: 0.5, normalise: false } } });
    const output = await itemCfJob.run({ ...withoutValidation(data()), config, progress: silentProgress });
    assert.deepEqual(output.artifacts.map((artifact) => artifact.name), ['item-cf.i2i', 'item-cf-target.i2i']);
    const [history, target] = output.artifacts.map((artifact) => SimilarityTable.decode(Buffer.from(artifact.bytes), artifact.name));
    assert.deepEqual(rowsOf(history!), [[[B, AB]], [[C, BC]], [[B, BC]], [[C, CD]], []]);
    assert.deepEqual(rowsOf(target!), [[], [[C, BC], [A, AB]], [[B, BC], [D, CD]], [], []]);
    assert.equal(output.details.neighbours, 1);
    assert.equal(output.details.entries, 4);
  });
});
