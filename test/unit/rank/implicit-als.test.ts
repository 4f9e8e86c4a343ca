import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { ImplicitAlsSolver, factorGram } from '../../../lib/features/implicit-als.js';
import { datasetFromRows, type InteractionRow } from '../../../offline/data/dataset-builder.js';
import { createPrng } from '../../../offline/data/prng.js';
import { buildTrainingData } from '../../../offline/jobs/training-data.js';
import { trainImplicitAls } from '../../../offline/rank/implicit-als-trainer.js';
import { silentProgress } from '../../../offline/progress.js';

const parameters = { factors: 3, alpha: 4, lambda: 0.5 };

/** (YᵀY + λI + α Σ y_h y_hᵀ) x and (1 + α) Σ y_h, written out term by term. */
function normalEquations(y: Float32Array, rows: number, observed: number[], x: Float64Array, k = parameters.factors): { lhs: number[]; rhs: number[] } {
  const { alpha, lambda } = parameters;
  const lhs = new Array<number>(k).fill(0);
  const rhs = new Array<number>(k).fill(0);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let gram = i === j ? lambda : 0;
      for (let r = 0; r < rows; r++) gram += y[r * k + i]! * y[r * k + j]!;
      for (const h of observed) gram += alpha * y[h * k + i]! * y[h * k + j]!;
      lhs[i]! += gram * x[j]!;
    }
    for (const h of observed) rhs[i]! += (1 + alpha) * y[h * k + i]!;
  }
  return { lhs, rhs };
}

void describe('implicit ALS solver', () => {
  const rows = 6;
  const random = createPrng(3);
  const y = Float32Array.from({ length: rows * parameters.factors }, () => random.next() * 2 - 1);
  const solver = new ImplicitAlsSolver(parameters, factorGram(y, rows, parameters.factors, parameters.lambda));

  void it('solves the normal equations of the observed rows, ignoring indices outside the other side', () => {
    const observed = Int32Array.from([4, -1, 1, 99, 5]);
    const x = new Float64Array(parameters.factors + 2).fill(7);
    solver.solve(y, rows, observed, 0, observed.length, x, 1);
    assert.equal(x[0], 7);
    assert.equal(x[parameters.factors + 1], 7);
    const solution = x.subarray(1, 1 + parameters.factors);
    const { lhs, rhs } = normalEquations(y, rows, [4, 1, 5], solution);
    lhs.forEach((value, i) => { assert.ok(Math.abs(value - rhs[i]!) < 1e-9, `row ${i}: ${value} vs ${rhs[i]}`); });
  });

  void it('solves them for factor counts on and off the 4 × 4 blocking of the Gram', () => {
    for (const k of [1, 4, 5, 8, 11, 16]) {
      const wide = Float32Array.from({ length: 40 * k }, () => random.next() * 2 - 1);
      const wideSolver = new ImplicitAlsSolver({ ...parameters, factors: k }, factorGram(wide, 40, k, parameters.lambda));
      const observed = [3, 17, 0, 39, 22, 8, 30];
      const x = new Float64Array(k);
      wideSolver.solve(wide, 40, Int32Array.from(observed), 0, observed.length, x, 0);
      const { lhs, rhs } = normalEquations(wide, 40, observed, x, k);
      lhs.forEach((value, i) => { assert.ok(Math.abs(value - rhs[i]!) < 1e-9, `k ${k} row ${i}: ${value} vs ${rhs[i]}`); });
    }
  });

  void it('gives zeros for no observed rows, and the same answer on reuse', () => {
    const x = new Float64Array(parameters.factors).fill(1);
    solver.solve(y, rows, Int32Array.from([-5]), 0, 1, x, 0);
    assert.deepEqual(Array.from(x), [0, 0, 0]);
    const a = new Float64Array(parameters.factors);
    const b = new Float64Array(parameters.factors);
    solver.solve(y, rows, Int32Array.from([0, 2]), 0, 2, a, 0);
    solver.solve(y, rows, Int32Array.from([3]), 0, 1, b, 0);
    solver.solve(y, rows, Int32Array.from([0, 2]), 0, 2, b, 0);
    assert.deepEqual(Array.from(b), Array.from(a));
  });
});

void describe('implicit ALS trainer', () => {
  /** Two taste groups: users 0-19 rate items 0-9, users 20-39 items 10-19, each a random 8 of their group's 10. */
  function twoGroups(): ReturnType<typeof buildTrainingData> {
    const random = createPrng(5);
    const rows: InteractionRow[] = [];
    for (let u = 0; u < 40; u++) {
      const base = u < 20 ? 0 : 10;
      const picked = new Set<number>();
      while (picked.size < 8) picked.add(base + random.int(10));
      for (const i of picked) rows.push({ user: `u${u}`, item: `i${i}`, timestamp: rows.length });
    }
    return buildTrainingData(datasetFromRows(rows));
  }

  void it('learns factors whose fold-in ranks unseen items of the history\'s group first, deterministically', async () => {
    const data = twoGroups();
    const settings = { factors: 2, alpha: 5, lambda: 1, iterations: 8, seed: 9 };
    const factors = await trainImplicitAls(data, settings, silentProgress);
    assert.equal(factors.length, data.items * settings.factors);
    assert.deepEqual(await trainImplicitAls(data, settings, silentProgress), factors);
    const itemIndex = new Map(data.dataset.itemIds.map((id, index) => [id, index]));
    const solver = new ImplicitAlsSolver(settings, factorGram(factors, data.items, settings.factors, settings.lambda));
    const user = new Float64Array(settings.factors);
    const score = (item: string): number => {
      const at = itemIndex.get(item)! * settings.factors;
      let sum = 0;
      for (let c = 0; c < settings.factors; c++) sum += user[c]! * factors[at + c]!;
      return sum;
    };
    // A new user with three items of the first group.
    const history = Int32Array.from(['i0', 'i1', 'i2'], (id) => itemIndex.get(id)!);
    solver.solve(factors, data.items, history, 0, history.length, user, 0);
    const inGroup = ['i3', 'i4', 'i5', 'i6', 'i7', 'i8', 'i9'].map(score);
    const otherGroup = ['i10', 'i11', 'i12', 'i13', 'i14', 'i15', 'i16', 'i17', 'i18', 'i19'].map(score);
    assert.ok(Math.min(...inGroup) > Math.max(...otherGroup), `in group ${inGroup.map((s) => s.toFixed(3)).join(',')} vs ${otherGroup.map((s) => s.toFixed(3)).join(',')}`);
  });
});
