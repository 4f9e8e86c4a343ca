import { withoutValidation } from '../../../offline/jobs/validation-set.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { datasetFromRows, type InteractionRow } from '../../../offline/data/dataset-builder.js';
import { buildTrainingData, type TrainingData } from '../../../offline/jobs/training-data.js';
import { cosineNeighbours, itemCfJob, itemCfNeighbours, type ItemCfVariantOptions } from '../../../offline/jobs/item-cf/item-cf.job.js';
import { TopKRowsBuilder, i2iTables, normaliseRowsByMax } from '../../../offline/jobs/similarity-tables.js';
import { parseConfig } from '../../../lib/config/load-config.js';
import { silentProgress } from '../../../offline/progress.js';
import { SimilarityTable } from '../../../lib/stores/similarity/similarity-table.js';
import { createPrng } from '../../../offline/data/prng.js';
import { assertRowsClose, rowsOf } from '../../support/similarity-assert.js';

/*
 * Items A..E (dense 0..4), users u1..u5:
 *   u1: A B C   |I|=3      n(A)=3 {u1,u2,u4}  n(B)=3 {u1,u2,u3}  n(C)=2 {u1,u3}
 *   u2: A B     |I|=2      n(D)=2 {u3,u4}     n(E)=1 {u5}
 *   u3: B C D   |I|=3
 *   u4: A D     |I|=2
 *   u5: E       |I|=1
 * Users of both: AB {u1,u2}  AC {u1}  AD {u4}  BC {u1,u3}  BD {u3}  CD {u3}.
 */
const A = 0, B = 1, C = 2, D = 3;
const ROWS: InteractionRow[] = [
  { user: 'u1', item: 'A', timestamp: 1 },
  { user: 'u1', item: 'B', timestamp: 2 },
  { user: 'u1', item: 'C', timestamp: 3 },
  { user: 'u2', item: 'A', timestamp: 4 },
  { user: 'u2', item: 'B', timestamp: 5 },
  { user: 'u3', item: 'B', timestamp: 6 },
  { user: 'u3', item: 'C', timestamp: 7 },
  { user: 'u3', item: 'D', timestamp: 8 },
  { user: 'u4', item: 'A', timestamp: 9 },
  { user: 'u4', item: 'D', timestamp: 10 },
  { user: 'u5', item: 'E', timestamp: 11 },
];

const COSINE: ItemCfVariantOptions = { neighbours: 10, minCooccurrence: 1, iuf: false, alpha: 0.5 };

function data(): TrainingData {
  return buildTrainingData(datasetFromRows(ROWS));
}


void describe('itemCfNeighbours variants', () => {
  void it('alpha 0.5 without IUF is exactly cosineNeighbours', () => {
    const variant = itemCfNeighbours(data(), COSINE);
    const cosine = cosineNeighbours(data(), { neighbours: 10, minCooccurrence: 1 });
    assert.deepEqual(rowsOf(variant), rowsOf(cosine));
    // A: B 2/sqrt(3*3), then C and D tie at 1/sqrt(3*2) -> C first
    assertRowsClose(variant, [
      [[B, 2 / 3], [C, 1 / Math.sqrt(6)], [D, 1 / Math.sqrt(6)]],
      [[C, 2 / Math.sqrt(6)], [A, 2 / 3], [D, 1 / Math.sqrt(6)]],
      [[B, 2 / Math.sqrt(6)], [D, 1 / 2], [A, 1 / Math.sqrt(6)]],
      [[C, 1 / 2], [A, 1 / Math.sqrt(6)], [B, 1 / Math.sqrt(6)]],
      [],
    ], 'cosine');
  });

  void it('IUF weights each co-occurring user by 1/ln(1 + |I_u|)', () => {
    // w(u1) = w(u3) = 1/ln 4 = .7213, w(u2) = w(u4) = 1/ln 3 = .9102; denominators as cosine.
    const w3 = 1 / Math.log(4);
    const w2 = 1 / Math.log(3);
    const AB = (w3 + w2) / 3; //           .5438 (u1, u2)
    const AC = w3 / Math.sqrt(6); //       .2945 (u1)
    const AD = w2 / Math.sqrt(6); //       .3716 (u4): now ahead of C in A's row
    const BC = (2 * w3) / Math.sqrt(6); // .5890 (u1, u3)
    const BD = w3 / Math.sqrt(6); //       .2945 (u3)
    const CD = w3 / 2; //                  .3607 (u3)
    const table = itemCfNeighbours(data(), { ...COSINE, iuf: true });
    assertRowsClose(table, [
      [[B, AB], [D, AD], [C, AC]],
      [[C, BC], [A, AB], [D, BD]],
      [[B, BC], [D, CD], [A, AC]],
      [[A, AD], [C, CD], [B, BD]],
      [],
    ], 'iuf');
  });

  void it('alpha sets the popularity penalty |N(i)|^(1-alpha) * |N(j)|^alpha of row i, neighbour j', () => {
    // alpha = 1: s(i,j) = c/n(j). Row A (n=3): B 2/3, C 1/2, D 1/2. Row C (n=2): B 2/3, D 1/2, A 1/3.
    const one = itemCfNeighbours(data(), { ...COSINE, alpha: 1 });
    assertRowsClose(one, [
      [[B, 2 / 3], [C, 1 / 2], [D, 1 / 2]],
      [[C, 2 / 2], [A, 2 / 3], [D, 1 / 2]],
      [[B, 2 / 3], [D, 1 / 2], [A, 1 / 3]],
      [[C, 1 / 2], [A, 1 / 3], [B, 1 / 3]],
      [],
    ], 'alpha 1');
    // alpha = 0.8, row A (n=3) to C (n=2): 1 / (3^0.2 * 2^0.8); row C to A: 1 / (2^0.2 * 3^0.8).
    const penalised = itemCfNeighbours(data(), { ...COSINE, alpha: 0.8 });
    const rowA = rowsOf(penalised)[A]!;
    const rowC = rowsOf(penalised)[C]!;
    assert.equal(rowA.find(([item]) => item === C)![1], Math.fround(1 / (3 ** 0.2 * 2 ** 0.8)));
    assert.equal(rowC.find(([item]) => item === A)![1], Math.fround(1 / (2 ** 0.2 * 3 ** 0.8)));
  });

  void it('minCooccurrence counts users, not IUF weight', () => {
    // Only AB and BC have two users.
    const table = itemCfNeighbours(data(), { ...COSINE, iuf: true, minCooccurrence: 2 });
    assert.deepEqual(rowsOf(table).map((row) => row.map(([item]) => item)), [[B], [C, A], [B], [], []]);
  });
});

void describe('row normalisation (i2iTables)', () => {
  void it('divides each served row by its maximum', () => {
    const raw = itemCfNeighbours(data(), COSINE);
    const { history, target } = i2iTables(raw, true);
    // Row A: B 2/3 -> 1, C and D (1/sqrt 6)/(2/3) = 3/(2 sqrt 6) = .6124
    const cd = 3 / (2 * Math.sqrt(6));
    assertRowsClose(history, [
      [[B, 1], [C, cd], [D, cd]],
      [[C, 1], [A, (2 / 3) / (2 / Math.sqrt(6))], [D, 1 / 2]],
      [[B, 1], [D, (1 / 2) / (2 / Math.sqrt(6))], [A, 1 / 2]],
      [[C, 1], [A, 2 / Math.sqrt(6)], [B, 2 / Math.sqrt(6)]],
      [],
    ], 'history');
    // A full cosine table is symmetric, so its transpose normalises to the same rows.
    assert.deepEqual(rowsOf(target), rowsOf(history));
  });

  void it('normalises the target table after transposing (each trigger row peaks at 1)', () => {
    const raw = itemCfNeighbours(data(), { ...COSINE, neighbours: 1 });
    // K=1 raw rows: A->B .667, B->C .816, C->B .816, D->C .5; transposed: B: C .816, A .667 | C: B .816, D .5
    const { target } = i2iTables(raw, true);
    assertRowsClose(target, [[], [[C, 1], [A, (2 / 3) / (2 / Math.sqrt(6))]], [[B, 1], [D, 0.5 / (2 / Math.sqrt(6))]], [], []], 'target');
  });

  void it('orders each transposed row by |score| (EASE keeps negative weights), ties by score then item', () => {
    // Raw rows: 0 -> {2: -0.9, 3: 0.5}, 1 -> {2: 0.4, 3: -0.5}, 4 -> {2: 0.9}
    const raw = new SimilarityTable(Int32Array.from([0, 2, 4, 4, 4, 5]), Int32Array.from([2, 3, 2, 3, 2]), Float32Array.from([-0.9, 0.5, 0.4, -0.5, 0.9]));
    const { target } = i2iTables(raw, false);
    assert.deepEqual(rowsOf(target).slice(2, 4), [[[4, Math.fround(0.9)], [0, Math.fround(-0.9)], [1, Math.fround(0.4)]], [[0, 0.5], [1, -0.5]]]);
  });

  void it('keeps ties in item order after rounding', () => {
    const table = new SimilarityTable(Int32Array.from([0, 2]), Int32Array.from([5, 3]), Float32Array.from([1, 1]));
    assert.deepEqual(Array.from(normaliseRowsByMax(table).items), [3, 5]);
  });
});

void describe('itemCfJob options', () => {
  void it('builds the configured variant into both tables', async () => {
    const config = parseConfig({ jobs: { 'item-cf': { neighbours: 10, iuf: true, alpha: 0.5, normalise: true } } });
    const output = await itemCfJob.run({ ...withoutValidation(data()), config, progress: silentProgress });
    const [history, target] = output.artifacts.map((artifact) => SimilarityTable.decode(Buffer.from(artifact.bytes), artifact.name));
    const expected = i2iTables(itemCfNeighbours(data(), { ...COSINE, iuf: true }), true);
    assert.deepEqual(rowsOf(history!), rowsOf(expected.history));
    assert.deepEqual(rowsOf(target!), rowsOf(expected.target));
    assert.equal(rowsOf(history!)[A]![0]![1], 1);
    assert.deepEqual(
      { iuf: output.details.iuf, alpha: output.details.alpha, normalise: output.details.normalise },
      { iuf: true, alpha: 0.5, normalise: true },
    );
  });
});

void describe('TopKRowsBuilder', () => {
  void it('keeps the best K of each row, score desc then item asc, like a full sort', () => {
    const random = createPrng(5);
    for (const k of [1, 3, 17, 1000]) {
      const rows = 20;
      const builder = new TopKRowsBuilder(rows, k);
      const expected: [number, number][][] = [];
      for (let r = 0; r < rows; r++) {
        const n = Math.floor(random.next() * 60);
        const row: [number, number][] = [];
        for (let c = 0; c < n; c++) {
          // Few distinct scores, so ties are frequent.
          const item = c * 7 % 61;
          const score = Math.floor(random.next() * 5) / 4;
          builder.push(item, score);
          row.push([item, score]);
        }
        builder.endRow();
        expected.push(row.sort((x, y) => y[1] - x[1] || x[0] - y[0]).slice(0, k));
      }
      assert.deepEqual(rowsOf(builder.build()), expected, `k=${k}`);
    }
  });

  void it('refuses to build before every row is closed', () => {
    const builder = new TopKRowsBuilder(2, 3);
    builder.endRow();
    assert.throws(() => builder.build());
  });
});
