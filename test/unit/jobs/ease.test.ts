import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { datasetFromRows, type InteractionRow } from '../../../offline/data/dataset-builder.js';
import { buildTrainingData, type TrainingData } from '../../../offline/jobs/training-data.js';
import { withoutValidation } from '../../../offline/jobs/validation-set.js';
import { easeItems, easeNeighbours, regularisedGram } from '../../../offline/jobs/ease/ease.kernel.js';
import { easeJob } from '../../../offline/jobs/ease/ease.job.js';
import { invertSpd } from '../../../offline/jobs/parallel/spd-inverse.js';
import { parseConfig } from '../../../lib/config/load-config.js';
import { ARTIFACT } from '../../../lib/stores/bundle/artifacts.js';
import { SimilarityTable } from '../../../lib/stores/similarity/similarity-table.js';
import { silentProgress } from '../../../offline/progress.js';
import { createPrng } from '../../../offline/data/prng.js';

/** A random SPD matrix MᵀM + n·I. */
function randomSpd(n: number, seed: number): Float64Array {
  const random = createPrng(seed);
  const m = Float64Array.from({ length: n * n }, () => random.next() * 2 - 1);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += m[k * n + i]! * m[k * n + j]!;
      a[i * n + j] = sum + (i === j ? n : 0);
    }
  }
  return a;
}

/** Textbook Gauss-Jordan with partial pivoting on an augmented [A | I], independent of invertSpd. */
function referenceInverse(a: Float64Array, n: number): number[][] {
  const rows = Array.from({ length: n }, (_, i) => [...Array.from(a.subarray(i * n, (i + 1) * n)), ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(rows[r]![c]!) > Math.abs(rows[pivot]![c]!)) pivot = r;
    [rows[c], rows[pivot]] = [rows[pivot]!, rows[c]!];
    const scale = rows[c]![c]!;
    rows[c] = rows[c]!.map((x) => x / scale);
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const factor = rows[r]![c]!;
      rows[r] = rows[r]!.map((x, j) => x - factor * rows[c]![j]!);
    }
  }
  return rows.map((row) => row.slice(n));
}

void describe('invertSpd', () => {
  void it('matches a pivoting reference inverse, and A·A⁻¹ = I', async () => {
    const n = 30;
    const a = randomSpd(n, 3);
    const inverse = await invertSpd(a.slice(), n);
    const reference = referenceInverse(a, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        assert.ok(Math.abs(inverse[i * n + j]! - reference[i]![j]!) < 1e-12, `P[${i}][${j}]`);
        let product = 0;
        for (let k = 0; k < n; k++) product += a[i * n + k]! * inverse[k * n + j]!;
        assert.ok(Math.abs(product - (i === j ? 1 : 0)) < 1e-10, `(A·A⁻¹)[${i}][${j}] = ${product}`);
      }
    }
  });

  void it('gives the same bits on worker threads as in the calling thread', async () => {
    const n = 47;
    const a = randomSpd(n, 11);
    const single = await invertSpd(a.slice(), n, 1);
    const threaded = await invertSpd(a.slice(), n, 3);
    assert.deepEqual(threaded, single);
  });

  void it('rejects a matrix of the wrong size', async () => {
    await assert.rejects(invertSpd(new Float64Array(5), 2), RangeError);
  });
});

// Users over items A..E: E is the least popular (one user).
const ROWS: InteractionRow[] = [
  ['u1', ['A', 'B', 'C']],
  ['u2', ['A', 'B']],
  ['u3', ['A', 'B', 'C', 'D']],
  ['u4', ['B', 'D']],
  ['u5', ['C', 'D', 'E']],
  ['u6', ['A', 'C']],
].flatMap(([user, items]) => (items as string[]).map((item, k) => ({ user: user as string, item, timestamp: k + 1 })));

function data(): TrainingData {
  return buildTrainingData(datasetFromRows(ROWS, 'ease-test'));
}

/** B over `items` by the definition, with the reference inverse. */
function referenceWeights(training: TrainingData, items: Int32Array, lambda: number): number[][] {
  const n = items.length;
  const p = referenceInverse(regularisedGram(training, items, lambda, false), n);
  return p.map((row, h) => row.map((_, j) => (h === j ? 0 : -p[h]![j]! / p[j]![j]!)));
}

function row(table: SimilarityTable, i: number): [number, number][] {
  const out: [number, number][] = [];
  for (let p = table.offsets[i]!; p < table.offsets[i + 1]!; p++) out.push([table.items[p]!, table.scores[p]!]);
  return out;
}

void describe('EASE', () => {
  void it('keeps each target\'s weights B[h][j] (negative ones too), best first, as the closed form gives them', async () => {
    const training = data();
    const lambda = 0.5;
    const items = easeItems(training, 100);
    assert.equal(items.length, 5);
    const weights = referenceWeights(training, items, lambda);
    const { table } = await easeNeighbours(training, { lambda, neighbours: 10, maxItems: 100, threads: 1 });
    assert.ok(table.scores.some((score) => score < 0), 'negative weights are kept');
    for (let j = 0; j < 5; j++) {
      const expected = [...Array(5).keys()]
        .filter((h) => h !== j && Math.fround(weights[h]![j]!) !== 0)
        .map((h): [number, number] => [items[h]!, Math.fround(weights[h]![j]!)])
        .sort((x, y) => y[1] - x[1] || x[0] - y[0]);
      const actual = row(table, items[j]!);
      assert.equal(actual.length, expected.length, `row ${j}`);
      actual.forEach(([item, score], k) => {
        assert.equal(item, expected[k]![0]);
        assert.ok(Math.abs(score - expected[k]![1]) < 1e-6, `row ${j} item ${item}: ${score} vs ${expected[k]![1]}`);
      });
    }
  });

  void it('reconstructs: (XᵀX + λI)(I - B) is diagonal', () => {
    const training = data();
    const items = easeItems(training, 100);
    const lambda = 2;
    const n = items.length;
    const g = regularisedGram(training, items, lambda, false);
    const b = referenceWeights(training, items, lambda);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (i === j) continue;
        let sum = 0;
        for (let k = 0; k < n; k++) sum += g[i * n + k]! * ((k === j ? 1 : 0) - b[k]![j]!);
        assert.ok(Math.abs(sum) < 1e-9, `[${i}][${j}] = ${sum}`);
      }
    }
  });

  void it('limits the model to the most popular items and the row length to `neighbours`', async () => {
    const training = data();
    const items = easeItems(training, 4);
    const e = training.dataset.itemIds.indexOf('E');
    assert.ok(!items.includes(e), 'E (one user) is left out');
    const { table, items: count } = await easeNeighbours(training, { lambda: 0.5, neighbours: 1, maxItems: 4, threads: 1 });
    assert.equal(count, 4);
    assert.equal(row(table, e).length, 0);
    for (let j = 0; j < table.rows; j++) {
      assert.ok(row(table, j).length <= 1);
      assert.ok(row(table, j).every(([h]) => h !== e));
    }
  });

  void it('writes the ease and ease-target tables, and skips when disabled', async () => {
    const { data: training, validation } = withoutValidation(data());
    const config = parseConfig({ jobs: { ease: { lambda: 0.5, threads: 1 } } });
    const output = await easeJob.run({ data: training, validation, config, progress: silentProgress });
    assert.deepEqual(output.artifacts.map((artifact) => artifact.name).sort(), [ARTIFACT.similarity('ease'), ARTIFACT.similarity('ease-target')].sort());
    assert.equal(output.details.modelItems, 5);
    const skipped = await easeJob.run({ data: training, validation, config: parseConfig({ jobs: { ease: { enabled: false } } }), progress: silentProgress });
    assert.equal(skipped.artifacts.length, 0);
  });
});
