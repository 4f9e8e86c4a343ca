import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ort from 'onnxruntime-node';
import { buildFeatureSpec } from '../../../lib/features/build-feature-spec.js';
import type { FeatureSpec } from '../../../lib/features/feature-spec.js';
import { USER_CATEGORICAL_FIELDS, USER_DENSE_FIELDS } from '../../../lib/features/feature-spec.js';
import { onnxParity } from '../../../offline/rank/onnx-parity.js';
import { createPrng } from '../../../offline/data/prng.js';
import { silentProgress } from '../../../offline/progress.js';
import { rocAuc } from '../../../offline/rank/binary-metrics.js';
import type { LabelledPairs } from '../../../offline/rank/labelled-pairs.js';
import { predictPairs, trainWideDeep, trainWideDeepEnsemble } from '../../../offline/rank/train-wide-deep.js';

function maxAbsDifference(a: Float32Array, b: Float32Array, rows: number): number {
  let worst = 0;
  for (let k = 0; k < rows; k++) worst = Math.max(worst, Math.abs(a[k]! - b[k]!));
  return worst;
}

/**
 * The rank job's parity check (onnxParity: onnxruntime's scores of the export against the
 * trainer's `expected`, max abs difference over `rows` rows), after checking that the graph
 * takes one input per feature field.
 */
async function exportParity(model: { toOnnx(): Uint8Array }, name: string, spec: FeatureSpec, pairs: LabelledPairs, expected: Float32Array, rows: number): Promise<number> {
  const bytes = model.toOnnx();
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  try {
    assert.equal(session.inputNames.length, spec.categorical.length + spec.dense.length, 'one input per feature field');
  } finally {
    await session.release();
  }
  return onnxParity(bytes, name, spec, pairs, expected, rows);
}

function smallSpec(): FeatureSpec {
  const users = 50;
  const items = 80;
  return buildFeatureSpec({
    years: Array.from({ length: items }, (_, i) => 1950 + (i % 50)),
    genres: Array.from({ length: items }, (_, i) => [['A', 'B', 'C', 'D'][i % 4]!]),
    userMeta: Array.from({ length: users }, (_, u) => ({ gender: u % 2 ? 'M' : 'F', age: 18 + (u % 5) * 10, occupation: String(u % 7) })),
    itemCount: Int32Array.from({ length: items }, (_, i) => i + 1),
    itemRatingSum: Float64Array.from({ length: items }, (_, i) => 3 * (i + 1)),
    itemRatingCount: Int32Array.from({ length: items }, (_, i) => i + 1),
    userActivity: Int32Array.from({ length: users }, (_, u) => u + 1),
    sources: ['item-cf', 'swing', 'popular'],
    als: { factors: 4, alpha: 3, lambda: 30 },
    alsItemFactors: Float32Array.from({ length: items * 4 }, (_, k) => Math.sin(k)),
  }).spec;
}

/**
 * Random pairs, user by user (groups of 100 rows share the user fields, as assembled pairs
 * do), whose label depends on the item id and a dense column, so there is something to learn.
 */
function randomPairs(spec: FeatureSpec, rows: number, seed: number): LabelledPairs {
  const random = createPrng(seed);
  const group = 100;
  const categorical = spec.categorical.map((field) => {
    const column = Int32Array.from({ length: rows }, () => random.int(field.size));
    if (USER_CATEGORICAL_FIELDS.has(field.name)) for (let r = 0; r < rows; r++) column[r] = field.name === 'user' ? 1 + Math.floor(r / group) % (field.size - 1) : column[r - (r % group)]!;
    return column;
  });
  const dense = spec.dense.map((field) => {
    const column = Float32Array.from({ length: rows * field.width }, () => random.normal());
    if (USER_DENSE_FIELDS.has(field.name)) for (let r = 0; r < rows; r++) column.copyWithin(r * field.width, (r - (r % group)) * field.width, (r - (r % group) + 1) * field.width);
    return column;
  });
  const item = categorical[1]!;
  const labels = Float32Array.from({ length: rows }, (_, r) => (item[r]! % 3 === 0 && dense[5]![r * spec.dense[5]!.width]! > -0.5 ? 1 : random.next() < 0.05 ? 1 : 0));
  return { rows, categorical, dense, widths: spec.dense.map((field) => field.width), labels };
}

void describe('wide & deep ranker', () => {
  void it('learns, and its ONNX export matches the trainer within 1e-4 on 1,000 rows', async () => {
    const spec = smallSpec();
    const train = randomPairs(spec, 4000, 1);
    const valid = randomPairs(spec, 1000, 2);
    const settings = { epochs: 3, patience: 2, batchSize: 256, learningRate: 0.003, embeddingL2: 0, seed: 5 };
    const trained = await trainWideDeep(spec, { deep: true, embeddingDim: 16, hidden: [256, 128, 64] }, train, valid, settings, silentProgress, 'test');
    const expected = await predictPairs(trained.model, valid);
    assert.ok(rocAuc(expected, valid.labels) > 0.7, 'learns the planted signal');

    const worst = await exportParity(trained.model, 'wide-deep', spec, valid, expected, 1000);
    assert.ok(worst <= 1e-4, `max abs difference ${worst}`);
  });

  void it('with weightAverage, the kept parameters are the moving average: it still learns and its export still matches', async () => {
    const spec = smallSpec();
    const train = randomPairs(spec, 3000, 31);
    const valid = randomPairs(spec, 1000, 32);
    const settings = { epochs: 3, patience: 2, batchSize: 256, learningRate: 0.003, embeddingL2: 0.001, seed: 8 };
    const shape = { deep: true, embeddingDim: 8, hidden: [32, 16] };
    const plain = await trainWideDeep(spec, shape, train, valid, settings, silentProgress, 'plain');
    // A vanishing decay averages nothing: the same trajectory and parameters, up to float32 rounding.
    const vanishing = await trainWideDeep(spec, shape, train, valid, { ...settings, weightAverage: 1e-9 }, silentProgress, 'vanishing');
    const plainValues = plain.model.snapshot();
    const drift = Math.max(...vanishing.model.snapshot().map((values, p) => maxAbsDifference(values, plainValues[p]!, values.length)));
    assert.ok(drift <= 1e-6, `drift ${drift}`);
    assert.equal(vanishing.bestEpoch, plain.bestEpoch);
    const averaged = await trainWideDeep(spec, shape, train, valid, { ...settings, weightAverage: 0.95 }, silentProgress, 'averaged');
    assert.notDeepEqual(averaged.model.snapshot(), plain.model.snapshot());
    const expected = await predictPairs(averaged.model, valid);
    assert.ok(rocAuc(expected, valid.labels) > 0.7, 'learns the planted signal');
    assert.equal(averaged.epochs[averaged.bestEpoch - 1]!.validAuc, rocAuc(expected, valid.labels), 'the validated parameters are the kept ones');
    const worst = await exportParity(averaged.model, 'wide-deep', spec, valid, expected, 1000);
    assert.ok(worst <= 1e-4, `max abs difference ${worst}`);
  });

  void it('the logistic-regression baseline exports the wide part alone', async () => {
    const spec = smallSpec();
    const train = randomPairs(spec, 2000, 3);
    const trained = await trainWideDeep(spec, { deep: false, embeddingDim: 16, hidden: [8] }, train, train, { epochs: 1, patience: 1, batchSize: 256, learningRate: 0.01, embeddingL2: 0, seed: 1 }, silentProgress, 'lr');
    const expected = await predictPairs(trained.model, train);
    const worst = await exportParity(trained.model, 'lr', spec, train, expected, train.rows);
    assert.ok(worst <= 1e-4, `max abs difference ${worst}`);
  });

  void it('an ensemble is the mean of its members\' logits, in the trainer and in its one-graph ONNX export', async () => {
    const spec = smallSpec();
    const train = randomPairs(spec, 3000, 4);
    const valid = randomPairs(spec, 1000, 6);
    const settings = { epochs: 2, patience: 1, batchSize: 256, learningRate: 0.003, embeddingL2: 0, seed: 9 };
    const shape = { deep: true, embeddingDim: 8, hidden: [32, 16] };
    const trained = await trainWideDeepEnsemble(spec, shape, 3, train, valid, settings, silentProgress, 'ensemble');
    assert.equal(trained.members.length, 3);
    const expected = await predictPairs(trained.ensemble, valid);
    const memberScores = await Promise.all(trained.members.map((member) => predictPairs(member.model, valid)));
    const logit = (p: number): number => Math.log(p / (1 - p));
    for (const k of [0, 17, 999]) {
      const mean = memberScores.reduce((sum, scores) => sum + logit(scores[k]!), 0) / 3;
      assert.ok(Math.abs(1 / (1 + Math.exp(-mean)) - expected[k]!) <= 1e-5, `row ${k}`);
    }
    assert.notDeepEqual(memberScores[0], memberScores[1], 'members start from different seeds');

    const worst = await exportParity(trained.ensemble, 'wide-deep', spec, valid, expected, 1000);
    assert.ok(worst <= 1e-4, `max abs difference ${worst}`);
  });
});
