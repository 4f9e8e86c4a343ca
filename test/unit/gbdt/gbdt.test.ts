import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import ort from 'onnxruntime-node';
import { DecisionTreeRegression } from 'ml-cart';

import { RecsysError } from '../../../lib/domain/errors.js';
import { createOrtSession } from '../../../lib/onnx/ort-session.js';
import { createPrng } from '../../../offline/data/prng.js';
import { trainGbdt, logloss, type GbdtModel } from '../../../offline/rank/gbdt/index.js';
import { ceilFloat32, flattenCartTree, leafOf } from '../../../offline/rank/gbdt/gbdt-tree.js';

const WIDTH = 6;

/** Nonlinear logistic data: a threshold, an interaction, a discrete feature, NaNs that carry signal, noise. */
function dataset(rows: number, seed: number): { features: Float32Array; labels: Uint8Array } {
  const random = createPrng(seed);
  const features = new Float32Array(rows * WIDTH);
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const x0 = random.normal();
    const x1 = random.next();
    const x2 = random.int(5);
    const x3 = random.int(2);
    const x4 = random.next() < 0.1 ? Number.NaN : random.normal();
    const x5 = random.normal();
    features.set([x0, x1, x2, x3, x4, x5], r * WIDTH);
    const z = 1.5 * x0 - 2 * (x1 > 0.6 ? 1 : 0) + 0.5 * x2 * x3 + (Number.isNaN(x4) ? 1.5 : 0.8 * x4) - 1;
    labels[r] = random.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { features, labels };
}

function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let rankSum = 0;
  let positives = 0;
  order.forEach((row, rank) => {
    if (labels[row] === 1) {
      rankSum += rank + 1;
      positives++;
    }
  });
  const negatives = labels.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

const OPTIONS = { trees: 60, learningRate: 0.2, maxDepth: 3, minSamplesLeaf: 10, maxRowsPerTree: 300, seed: 7 } as const;

void describe('trainGbdt', () => {
  const train = dataset(3000, 1);
  const valid = dataset(1000, 2);
  const test = dataset(800, 3);
  let model: GbdtModel;

  before(() => {
    model = trainGbdt(train.features, train.labels, OPTIONS, valid);
  });

  void it('learns the signal: held-out AUC > 0.8 and logloss well under the prior', () => {
    const prior = train.labels.reduce((sum, label) => sum + label, 0) / train.labels.length;
    const priorLoss = logloss(new Float64Array(test.labels.length).fill(Math.log(prior / (1 - prior))), test.labels);
    const logits = model.predictLogit(test.features);
    assert.ok(auc(logits, test.labels) > 0.8, `AUC ${auc(logits, test.labels)}`);
    assert.ok(logloss(logits, test.labels) < priorLoss - 0.1, `logloss ${logloss(logits, test.labels)} vs prior ${priorLoss}`);
  });

  void it('early stopping keeps the rounds up to the best validation logloss', () => {
    assert.equal(model.report.bestIteration, model.trees.length);
    assert.ok(model.trees.length >= 1 && model.trees.length <= OPTIONS.trees);
    const validLoss = logloss(model.predictLogit(valid.features), valid.labels);
    assert.ok(Math.abs(validLoss - model.report.validationLogloss!) < 1e-6, `${validLoss} vs ${model.report.validationLogloss}`);
  });

  void it('onnxruntime-node (TreeEnsembleRegressor + Sigmoid) matches the JS predict to 1e-4 on 1,000 rows, NaNs and split thresholds included', async () => {
    // 800 ordinary rows plus 200 rows sitting exactly on a split threshold or just below it.
    const rows = 1000;
    const features = new Float32Array(rows * WIDTH);
    features.set(test.features);
    const random = createPrng(9);
    for (let r = 800; r < rows; r++) {
      const tree = model.trees[random.int(model.trees.length)]!;
      const internal = Array.from(tree.feature.keys()).filter((node) => tree.feature[node]! >= 0);
      features.set(valid.features.subarray(r * WIDTH, (r + 1) * WIDTH), r * WIDTH);
      if (internal.length === 0) continue;
      const node = internal[random.int(internal.length)]!;
      const threshold = tree.threshold[node]!;
      const below = new Float32Array([threshold]);
      new Int32Array(below.buffer)[0]! += threshold > 0 ? -1 : 1;
      features[r * WIDTH + tree.feature[node]!] = r % 2 === 0 ? threshold : below[0]!;
    }
    const expected = model.predict(features);
    const { session, release } = await createOrtSession(model.toOnnx());
    try {
      const out = await session.run({ features: new ort.Tensor('float32', features, [rows, WIDTH]) });
      const score = out['score']!;
      assert.deepEqual(score.dims, [rows, 1]);
      let worst = 0;
      for (let i = 0; i < rows; i++) worst = Math.max(worst, Math.abs((score.data as Float32Array)[i]! - expected[i]!));
      assert.ok(worst <= 1e-4, `max abs diff ${worst}`);
    } finally {
      await release();
    }
  });

  void it('is deterministic for a seed', () => {
    const again = trainGbdt(train.features, train.labels, { ...OPTIONS, trees: 5 });
    const once = trainGbdt(train.features, train.labels, { ...OPTIONS, trees: 5 });
    assert.deepEqual(again.predictLogit(test.features), once.predictLogit(test.features));
  });

  void it('rejects labels that are not 0/1 and rows of the wrong width', () => {
    assert.throws(() => trainGbdt(new Float32Array(4), [0, 2]), (error: unknown) => error instanceof RecsysError && error.message.includes('expected 0 or 1'));
    assert.throws(() => trainGbdt(new Float32Array(5), [0, 1]), (error: unknown) => error instanceof RecsysError && error.field === 'features');
  });
});

void describe('gbdt trees follow ml-cart exactly', () => {
  void it('ceilFloat32 keeps both sides of a midpoint split, also where Math.fround rounds onto the lower value', () => {
    const a = 1;
    const b = 1 + 2 ** -23; // the next float32 after 1
    const mid = (a + b) / 2;
    assert.equal(Math.fround(mid), a, 'the tie rounds to even, onto a');
    assert.equal(ceilFloat32(mid), b);
    const random = createPrng(4);
    for (let k = 0; k < 1000; k++) {
      const x = Math.fround(random.normal() * 10 ** random.int(6));
      const y = Math.fround(x + Math.abs(random.normal()) * 10 ** (random.int(6) - 3));
      if (!(x < y)) continue;
      const t = ceilFloat32((x + y) / 2);
      assert.ok(x < t && !(y < t), `${x} < ${t} <= ${y}`);
    }
  });

  void it('a flattened ml-cart tree routes float32 rows exactly as ml-cart predicts them', () => {
    const { features, labels } = dataset(400, 5);
    const random = createPrng(6);
    const x = Array.from({ length: 400 }, (_, r) => Array.from(features.subarray(r * WIDTH, (r + 1) * WIDTH)));
    const y = Array.from(labels, (label) => label + random.normal() * 0.1);
    const cart = new DecisionTreeRegression({ maxDepth: 5, minNumSamples: 5 });
    cart.train(x, y);
    const flat = flattenCartTree(cart.root);
    const probe = dataset(300, 8).features;
    // Put some probe values exactly on the splits.
    for (let node = 0, r = 0; node < flat.feature.length && r < 300; node++, r++) {
      if (flat.feature[node]! >= 0) probe[r * WIDTH + flat.feature[node]!] = flat.threshold[node]!;
    }
    const probeRows = Array.from({ length: 300 }, (_, r) => Array.from(probe.subarray(r * WIDTH, (r + 1) * WIDTH)));
    const expected = cart.predict(probeRows);
    for (let r = 0; r < 300; r++) assert.equal(flat.value[leafOf(flat, probe, r * WIDTH)], expected[r], `row ${r}`);
  });
});
