import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrng } from '../../../offline/data/prng.js';
import {
  Adam, DenseLayer, EmbeddingTable, Mlp, ParameterAverage, gemmABt, l2NormalizeBackward, l2NormalizeForward,
  sigmoidBinaryCrossEntropy, softmaxCrossEntropy,
} from '../../../lib/nn/index.js';

const random = createPrng(11);
const randomArray = (n: number, scale = 1): Float32Array => Float32Array.from({ length: n }, () => random.normal() * scale);

/**
 * Central finite difference of `loss` (evaluated in float64 over float32 parameters) with
 * respect to every value of `values`, compared with the analytic `grad`.
 */
function assertGradient(values: Float32Array, grad: Float32Array, loss: () => number, label: string, eps = 1e-2, tolerance = 2e-2): void {
  for (let k = 0; k < values.length; k++) {
    const saved = values[k]!;
    values[k] = saved + eps;
    const plus = loss();
    values[k] = saved - eps;
    const minus = loss();
    values[k] = saved;
    const numeric = (plus - minus) / (2 * eps);
    const analytic = grad[k]!;
    const scale = Math.max(1, Math.abs(numeric), Math.abs(analytic));
    assert.ok(Math.abs(numeric - analytic) <= tolerance * scale, `${label}[${k}]: numeric ${numeric} vs analytic ${analytic}`);
  }
}

/** L = Σ y·r: dL/dy = r, so any layer's backward can be checked against it. */
function weightedSum(y: Float32Array, r: Float32Array, n: number): number {
  let s = 0;
  for (let k = 0; k < n; k++) s += y[k]! * r[k]!;
  return s;
}

void describe('lib/nn kernels', () => {
  void it('gemmABt equals the naive product on ragged shapes, and accumulates', () => {
    for (const [m, n, k] of [[1, 1, 1], [3, 5, 7], [4, 8, 16], [5, 3, 2], [2, 9, 1]] as const) {
      const a = randomArray(m * k);
      const b = randomArray(n * k);
      const c = new Float32Array(m * n);
      gemmABt(a, b, c, m, n, k);
      const twice = Float32Array.from(c);
      gemmABt(a, b, twice, m, n, k, true);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += a[i * k + p]! * b[j * k + p]!;
          assert.ok(Math.abs(c[i * n + j]! - s) < 1e-5, `c[${i},${j}]`);
          assert.ok(Math.abs(twice[i * n + j]! - 2 * s) < 1e-5, `accumulated c[${i},${j}]`);
        }
      }
    }
  });

  void it('DenseLayer gradients match finite differences (weights, bias, input)', () => {
    const batch = 3;
    const layer = new DenseLayer(5, 6, random);
    layer.bias.value.set(randomArray(6));
    const x = randomArray(batch * 5);
    const r = randomArray(batch * 6);
    const y = new Float32Array(batch * 6);
    const loss = (): number => {
      layer.forward(x, batch, y);
      return weightedSum(y, r, y.length);
    };
    const gx = new Float32Array(x.length);
    loss();
    layer.backward(x, r, batch, gx);
    assertGradient(layer.weight.value, layer.weight.grad, loss, 'weight');
    assertGradient(layer.bias.value, layer.bias.grad, loss, 'bias');
    assertGradient(x, gx, loss, 'input');
  });

  void it('Mlp backward (through ReLU) matches finite differences', () => {
    const batch = 4;
    const mlp = new Mlp([6, 7, 5, 3], random);
    const x = randomArray(batch * 6);
    const r = randomArray(batch * 3);
    const loss = (): number => weightedSum(mlp.forward(x, batch), r, batch * 3);
    const gx = new Float32Array(x.length);
    loss();
    mlp.backward(x, r, gx);
    for (const p of mlp.parameters) assertGradient(p.value, p.grad, loss, p.name, 1e-3, 3e-2);
    assertGradient(x, gx, loss, 'input', 1e-3, 3e-2);
  });

  void it('EmbeddingTable gather/scatterAdd and mean bags: gradients on used rows only', () => {
    const table = new EmbeddingTable(10, 3, random, 1);
    const indices = Int32Array.from([2, 7, 2, 5]);
    const out = new Float32Array(2 * 2 * 3);
    const r = randomArray(out.length);
    // Two examples × two fields, written as one concatenated row per example.
    const gatherLoss = (): number => {
      table.gather(indices, 4, out);
      return weightedSum(out, r, out.length);
    };
    gatherLoss();
    table.scatterAdd(indices, 4, r);
    assertGradient(table.parameter.value, table.parameter.grad, gatherLoss, 'gather');
    assert.deepEqual([...table.parameter.touched.subarray(0, table.parameter.touchedCount)], [2, 7, 5]);
    for (const row of [0, 1, 3, 4, 6, 8, 9]) assert.deepEqual([...table.parameter.grad.subarray(row * 3, row * 3 + 3)], [0, 0, 0]);

    const fresh = new EmbeddingTable(10, 3, random, 1);
    const offsets = Int32Array.from([0, 3, 3, 5]);
    const bagItems = Int32Array.from([1, 4, 1, 9, 0]);
    const weights = Float32Array.from([0.5, 2, 1, -1, 3]);
    const pooled = new Float32Array(3 * 4);
    const rb = randomArray(pooled.length);
    for (const [mode, w] of [['mean', null], ['sum', weights]] as const) {
      const bagLoss = (): number => {
        fresh.bagForward(offsets, bagItems, w, 3, mode, pooled, 4, 1);
        return weightedSum(pooled, rb, pooled.length);
      };
      bagLoss();
      assert.deepEqual([...pooled.subarray(4, 8)], [0, 0, 0, 0], 'empty bag pools to zeros');
      fresh.bagBackward(offsets, bagItems, w, 3, mode, rb, 4, 1);
      assertGradient(fresh.parameter.value, fresh.parameter.grad, bagLoss, `bag ${mode}`);
      fresh.parameter.grad.fill(0);
    }
  });

  void it('softmaxCrossEntropy gradient matches finite differences; masked logits get none', () => {
    const rows = 3;
    const cols = 4;
    const logits = randomArray(rows * cols, 2);
    const targets = Int32Array.from([0, 3, 1]);
    const masked = 2; // row 0, column 2
    const lossOf = (): number => {
      const copy = Float32Array.from(logits);
      copy[masked] = -Infinity;
      return softmaxCrossEntropy(copy, rows, cols, targets, new Float32Array(rows * cols));
    };
    const input = Float32Array.from(logits);
    input[masked] = -Infinity;
    const grad = new Float32Array(rows * cols);
    const loss = softmaxCrossEntropy(input, rows, cols, targets, grad);
    assert.ok(Math.abs(loss - lossOf()) < 1e-9);
    const aliased = Float32Array.from(input);
    assert.ok(Math.abs(softmaxCrossEntropy(aliased, rows, cols, targets, aliased) - loss) < 1e-9, 'same loss when grad aliases logits');
    assert.deepEqual([...aliased], [...grad], 'same gradient when grad aliases logits');
    assert.equal(grad[masked], 0);
    grad[masked] = 0;
    const check = Float32Array.from(grad);
    check[masked] = 0;
    // The masked logit's numeric gradient is 0 too, since the loss ignores it.
    assertGradient(logits, check, lossOf, 'logits', 1e-3);
  });

  void it('sigmoidBinaryCrossEntropy value and gradient', () => {
    const logits = Float32Array.from([-30, -1, 0, 2, 40]);
    const labels = Float32Array.from([0, 1, 1, 0, 1]);
    const weights = Float32Array.from([1, 2, 0.5, 1, 1]);
    const grad = new Float32Array(5);
    const loss = sigmoidBinaryCrossEntropy(logits, labels, 5, grad, weights);
    assert.ok(Number.isFinite(loss));
    const lossOf = (): number => sigmoidBinaryCrossEntropy(logits, labels, 5, new Float32Array(5), weights);
    assertGradient(logits, Float32Array.from(grad), lossOf, 'bce', 1e-3);
    const unweighted = sigmoidBinaryCrossEntropy(Float32Array.from([0]), Float32Array.from([1]), 1, new Float32Array(1));
    assert.ok(Math.abs(unweighted - Math.LN2) < 1e-12);
  });

  void it('l2Normalize forward gives unit rows; backward matches finite differences', () => {
    const rows = 3;
    const dim = 4;
    const x = randomArray(rows * dim);
    const y = new Float32Array(rows * dim);
    const norms = new Float32Array(rows);
    const r = randomArray(rows * dim);
    const loss = (): number => {
      l2NormalizeForward(x, rows, dim, y, norms);
      return weightedSum(y, r, y.length);
    };
    loss();
    for (let row = 0; row < rows; row++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += y[row * dim + d]! ** 2;
      assert.ok(Math.abs(s - 1) < 1e-5);
    }
    const gx = new Float32Array(rows * dim);
    l2NormalizeBackward(y, norms, r, rows, dim, gx);
    assertGradient(x, gx, loss, 'x', 1e-3);
  });

  void it('Adam minimises a quadratic; lazy rows leave untouched rows alone', () => {
    const layer = new DenseLayer(2, 1, random);
    const table = new EmbeddingTable(4, 2, random, 1);
    const before = Float32Array.from(table.parameter.value);
    const adam = new Adam(layer.parameters, [table.parameter], { learningRate: 0.05 });
    const target = Float32Array.from([3, -2]);
    for (let step = 0; step < 400; step++) {
      const w = layer.weight.value;
      for (let k = 0; k < 2; k++) layer.weight.grad[k] = 2 * (w[k]! - target[k]!);
      table.scatterAdd(Int32Array.from([1]), 1, Float32Array.from([1, -1]));
      adam.step();
    }
    assert.ok(Math.abs(layer.weight.value[0]! - 3) < 0.05 && Math.abs(layer.weight.value[1]! + 2) < 0.05);
    assert.equal(adam.steps, 400);
    for (const row of [0, 2, 3]) assert.deepEqual([...table.parameter.value.subarray(row * 2, row * 2 + 2)], [...before.subarray(row * 2, row * 2 + 2)]);
    assert.ok(table.parameter.value[2]! < before[2]! - 1 && table.parameter.value[3]! > before[3]! + 1, 'row 1 moved against its gradient');
    assert.equal(table.parameter.touchedCount, 0);
    assert.ok(table.parameter.grad.every((g) => g === 0));
  });

  void it('Adam sparseL2 shrinks touched rows toward 0 and leaves untouched rows alone', () => {
    const table = new EmbeddingTable(3, 1, random, 1);
    const before = Float32Array.from(table.parameter.value);
    const adam = new Adam([], [table.parameter], { learningRate: 0.02, sparseL2: 1 });
    // Loss (w - 3)² + (1 / 2)·w² for row 1: minimised at w = 2 (3 without the penalty).
    for (let step = 0; step < 1500; step++) {
      const w = table.parameter.value[1]!;
      table.scatterAdd(Int32Array.from([1]), 1, Float32Array.from([2 * (w - 3)]));
      adam.step();
    }
    assert.ok(Math.abs(table.parameter.value[1]! - 2) < 0.02, `row 1 at ${table.parameter.value[1]}`);
    assert.equal(table.parameter.value[0], before[0]);
    assert.equal(table.parameter.value[2], before[2]);
  });

  void it('seeded construction is deterministic', () => {
    const a = new Mlp([4, 3, 2], createPrng(5));
    const b = new Mlp([4, 3, 2], createPrng(5));
    assert.deepEqual(a.parameters.map((p) => [...p.value]), b.parameters.map((p) => [...p.value]));
  });

  void it('ParameterAverage keeps an exponential moving average whose decay ramps up over the first steps', () => {
    const live = [Float32Array.of(0, 10), Float32Array.of(4)];
    const average = new ParameterAverage(live, 0.5);
    // Step 0: d = min(0.5, 1/10) = 0.1; step 1: min(0.5, 2/11); from step 8 on, 0.5.
    live[0]!.set([1, 20]);
    live[1]![0] = 8;
    average.update();
    assert.deepEqual(Array.from(average.values[0]!), [Math.fround(0.9), Math.fround(19)]);
    assert.equal(average.values[1]![0], Math.fround(0.1 * 4 + 0.9 * 8));
    assert.ok(Math.abs(average.currentDecay - 2 / 11) < 1e-12);
    for (let k = 0; k < 20; k++) average.update();
    assert.equal(average.currentDecay, 0.5);
    assert.ok(Math.abs(average.values[0]![1]! - 20) < 1e-3, 'converges to a constant input');
    assert.equal(live[0]![0], 1, 'the live values are untouched');
    assert.throws(() => new ParameterAverage(live, 1), RangeError);
    assert.throws(() => new ParameterAverage(live, 0), RangeError);
  });
});
