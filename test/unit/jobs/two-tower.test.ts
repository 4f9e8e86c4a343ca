import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { datasetFromRows, type InteractionRow } from '../../../offline/data/dataset-builder.js';
import type { Dataset } from '../../../offline/data/dataset.js';
import { createPrng } from '../../../offline/data/prng.js';
import { buildTrainingData } from '../../../offline/jobs/training-data.js';
import { buildValidationSet, emptyValidation } from '../../../offline/jobs/validation-set.js';
import { buildTowerFeatures, yearBucket } from '../../../offline/jobs/two-tower/two-tower.features.js';
import { TwoTowerModel } from '../../../offline/jobs/two-tower/two-tower.model.js';
import { evaluateTwoTower, sampleValidationUsers, trainHistories, trainTwoTower, type TwoTowerTrainOptions } from '../../../offline/jobs/two-tower/two-tower.trainer.js';
import { exportUserTower } from '../../../offline/jobs/two-tower/user-tower.export.js';
import { twoTowerJob } from '../../../offline/jobs/two-tower/two-tower.job.js';
import { UserTower, USER_TOWER_ARTIFACT, decodeUserTowerMeta } from '../../../lib/onnx/user-tower.js';
import { decodeItemVectors, ITEM_VECTORS_ARTIFACT } from '../../../lib/stores/vectors/item-vectors-artifact.js';
import { parseConfig } from '../../../lib/config/load-config.js';
import { silentProgress } from '../../../offline/progress.js';

const GENRES = ['Action', 'Comedy', 'Drama', 'Horror'];

/**
 * Users in 4 taste clusters, items in 4 matching genre blocks: each user rates ~20 items,
 * 90% from their cluster's block. Items and users carry metadata (genres, year,
 * demographics) so every feature path of the towers is exercised.
 */
function clusteredDataset(users: number, items: number, seed: number): { dataset: Dataset; held: (row: number) => boolean } {
  const random = createPrng(seed);
  const rows: InteractionRow[] = [];
  const block = items / 4;
  for (let u = 0; u < users; u++) {
    const cluster = u % 4;
    const chosen = new Set<number>();
    while (chosen.size < 20) {
      const inCluster = random.next() < 0.9;
      const c = inCluster ? cluster : random.int(4);
      // Skewed within the block, so some items are popular.
      chosen.add(c * block + Math.floor(block * random.next() ** 2));
    }
    let t = 0;
    for (const item of chosen) rows.push({ user: `u${u}`, item: `i${String(item).padStart(4, '0')}`, timestamp: 1000 + t++ });
  }
  const base = datasetFromRows(rows);
  const dataset: Dataset = {
    ...base,
    itemMeta: base.itemIds.map((id) => {
      const item = Number(id.slice(1));
      return { title: id, year: item % 7 === 0 ? null : 1950 + (item % 60), genres: item % 11 === 0 ? [] : [GENRES[Math.floor(item / block)]!] };
    }),
    userMeta: base.userIds.map((id, u) => (u % 9 === 0 ? undefined : { gender: u % 2 === 0 ? 'F' : 'M', age: 18 + (u % 5) * 7, occupation: String(u % 13) })),
  };
  // The 2 most recent interactions of each user are validation.
  const held = (row: number): boolean => dataset.interactions.timestamp[row]! >= 1018;
  return { dataset, held };
}

const OPTIONS: TwoTowerTrainOptions = {
  dim: 16, userIdDim: 8, historyDim: 16, itemIdDim: 16, featureDim: 4, userHidden: [32], itemHidden: [],
  maxHistory: 30, batchSize: 64, epochs: 4, patience: 4, learningRate: 0.01, learningRateDecay: 0.8, temperature: 0.1, logQ: 1,
  userIdDropout: 0.1, evalUsers: 200, popularityPriors: [0, 0.5], priorRecallWeight: 1, seed: 3,
};

void describe('two-tower', () => {
  void it('features: year buckets, genre bags, demographics with an unknown index per field', () => {
    assert.equal(yearBucket(null), 0);
    assert.equal(yearBucket(1900), 1);
    assert.equal(yearBucket(1930), 2);
    assert.equal(yearBucket(1934), 2);
    assert.equal(yearBucket(1935), 3);
    assert.equal(yearBucket(2030), 19);
    const { dataset } = clusteredDataset(20, 40, 1);
    const features = buildTowerFeatures(dataset);
    assert.deepEqual(features.genres, GENRES);
    const item11 = dataset.itemIds.indexOf('i0011');
    assert.equal(features.itemGenreOffsets[item11 + 1]! - features.itemGenreOffsets[item11]!, 0, 'no genres: empty bag');
    const users = dataset.userIds.length;
    const [genders, ages, occupations] = features.demographicVocabularies;
    assert.deepEqual(genders, ['F', 'M']);
    assert.equal(features.demographicRows, 3 + ages!.length + 1 + occupations!.length + 1);
    // Unknown user (row `users`) and a user without metadata (u0) get each field's 0 index.
    const unknown = [...features.userDemographics.subarray(users * 3, users * 3 + 3)];
    assert.deepEqual(unknown, [0, 3, 3 + ages!.length + 1]);
    const u0 = dataset.userIds.indexOf('u0');
    assert.deepEqual([...features.userDemographics.subarray(u0 * 3, u0 * 3 + 3)], unknown);
  });

  void it('user-tower.onnx matches the trainer forward pass within 1e-4 on 1,000 users', async () => {
    const { dataset } = clusteredDataset(1000, 200, 2);
    const features = buildTowerFeatures(dataset);
    const random = createPrng(5);
    const model = new TwoTowerModel({ ...OPTIONS, userHidden: [64, 32], users: dataset.userIds.length, items: dataset.itemIds.length }, features, random);
    // Non-zero biases so the exported Gemm biases are checked too.
    for (const p of model.denseParameters) if (p.name.endsWith('.bias')) for (let k = 0; k < p.value.length; k++) p.value[k] = random.normal() * 0.1;
    const meta = { dim: OPTIONS.dim + 1, users: dataset.userIds.length, items: dataset.itemIds.length, maxHistory: OPTIONS.maxHistory };
    const tower = await UserTower.load(exportUserTower(model), meta);
    const count = 1000;
    const users = Int32Array.from({ length: count }, (_, b) => (b % 10 === 9 ? meta.users : b));
    const histories = Array.from({ length: count }, (_, b) => Int32Array.from({ length: b % 37 }, () => random.int(meta.items)));
    const offsets = new Int32Array(count + 1);
    for (let b = 0; b < count; b++) offsets[b + 1] = offsets[b]! + Math.min(meta.maxHistory, histories[b]!.length);
    const items = new Int32Array(offsets[count]!);
    const weights = new Float32Array(offsets[count]!);
    for (let b = 0; b < count; b++) {
      const length = offsets[b + 1]! - offsets[b]!;
      items.set(histories[b]!.subarray(0, length), offsets[b]);
      weights.fill(1 / length, offsets[b], offsets[b + 1]);
    }
    const expected = Float32Array.from(model.forwardUsers({ count, users, historyOffsets: offsets, historyItems: items, historyWeights: weights }).subarray(0, count * OPTIONS.dim));
    const actual = await tower.vectors(Array.from(users), histories);
    const dim = OPTIONS.dim;
    assert.equal(actual.length, count * (dim + 1));
    let maxDiff = 0;
    for (let b = 0; b < count; b++) {
      for (let d = 0; d < dim; d++) maxDiff = Math.max(maxDiff, Math.abs(actual[b * (dim + 1) + d]! - expected[b * dim + d]!));
      assert.equal(actual[b * (dim + 1) + dim], 1, 'the prior column multiplier is exactly 1');
    }
    assert.ok(maxDiff <= 1e-4, `max abs diff ${maxDiff}`);
    // One user at a time (the serving call) gives the same vector as the batch.
    const single = await tower.vector(users[7]!, histories[7]!);
    for (let d = 0; d < dim; d++) assert.ok(Math.abs(single[d]! - expected[7 * dim + d]!) <= 1e-4);
    await tower.close();
  });

  void it('training learns the clusters, early-stops on validation and is deterministic', async () => {
    const { dataset, held } = clusteredDataset(400, 200, 3);
    const data = buildTrainingData(dataset, (row) => !held(row));
    const validation = buildValidationSet(dataset, held, false);
    const features = buildTowerFeatures(dataset);
    const histories = trainHistories(data, validation);
    const users = sampleValidationUsers(validation, histories, 200, 1);
    assert.equal(users.length, 200);
    const untrained = new TwoTowerModel({ ...OPTIONS, users: data.users, items: data.items }, features, createPrng(OPTIONS.seed));
    const before = evaluateTwoTower(untrained, users, histories, validation, OPTIONS.maxHistory);
    const first = await trainTwoTower(data, validation, features, OPTIONS, silentProgress);
    const best = first.epochs.find((e) => e.epoch === first.bestEpoch)!;
    assert.ok(best.recall50 > before.recall50 + 0.1, `recall@50 ${before.recall50} → ${best.recall50}`);
    assert.ok(OPTIONS.popularityPriors.includes(first.prior));
    assert.ok(first.epochs.every((e) => Number.isFinite(e.loss)));
    assert.ok(first.epochs[first.epochs.length - 1]!.loss < first.epochs[0]!.loss, 'loss decreases');
    const second = await trainTwoTower(data, validation, features, OPTIONS, silentProgress);
    assert.deepEqual(second.model.allItemVectors(), first.model.allItemVectors());
    assert.deepEqual(second.epochs.map((e) => e.loss), first.epochs.map((e) => e.loss));
  });

  void it('chooses the prior by NDCG@10 + priorRecallWeight x recall@50 and reports every candidate', async () => {
    const { dataset, held } = clusteredDataset(400, 200, 3);
    const data = buildTrainingData(dataset, (row) => !held(row));
    const validation = buildValidationSet(dataset, held, false);
    const histories = trainHistories(data, validation);
    const users = sampleValidationUsers(validation, histories, 200, 1);
    const trained = await trainTwoTower(data, validation, buildTowerFeatures(dataset), { ...OPTIONS, epochs: 1 }, silentProgress);
    const priors = [0, 0.5, 1, 2, 4];
    for (const weight of [0, 1, 10]) {
      const scored = evaluateTwoTower(trained.model, users, histories, validation, OPTIONS.maxHistory, trained.priorColumn, priors, weight);
      assert.deepEqual(scored.candidates.map((m) => m.prior), priors);
      const criterion = (m: { ndcg10: number; recall50: number }): number => m.ndcg10 + weight * m.recall50;
      assert.equal(criterion(scored), Math.max(...scored.candidates.map(criterion)), `weight ${weight}`);
      assert.equal(scored.bestNdcg10, Math.max(...scored.candidates.map((m) => m.ndcg10)));
    }
  });

  void it('held-out rows of an overlapping validation set are never trained on', () => {
    const { dataset, held } = clusteredDataset(40, 40, 4);
    const data = buildTrainingData(dataset);
    const validation = buildValidationSet(dataset, held, true);
    const histories = trainHistories(data, validation);
    assert.equal(histories.items.length, data.interactions - validation.items.length);
    for (let u = 0; u < data.users; u++) {
      const kept = new Set(histories.items.subarray(histories.offsets[u], histories.offsets[u + 1]));
      for (const item of validation.items.subarray(validation.offsets[u], validation.offsets[u + 1])) assert.ok(!kept.has(item));
    }
  });

  void it('job writes user-tower.onnx, its meta and unit item vectors for every item', async () => {
    const { dataset } = clusteredDataset(60, 40, 5);
    const data = buildTrainingData(dataset);
    const config = parseConfig({ jobs: { 'two-tower': { dim: 8, userHidden: [16], batchSize: 32, epochs: 1, evalUsers: 10 } } });
    const output = await twoTowerJob.run({ data, validation: emptyValidation(data.users), config, progress: silentProgress });
    const names = output.artifacts.map((a) => a.name);
    assert.deepEqual(names, [USER_TOWER_ARTIFACT.model, USER_TOWER_ARTIFACT.meta, ITEM_VECTORS_ARTIFACT.vectors]);
    const meta = decodeUserTowerMeta(Buffer.from(output.artifacts[1]!.bytes));
    assert.deepEqual(meta, { dim: 9, users: data.users, items: data.items, maxHistory: 500 });
    const vectors = decodeItemVectors(Buffer.from(output.artifacts[2]!.bytes));
    assert.equal(vectors.meta.count, data.items);
    assert.equal(vectors.meta.dim, 9);
    // The first 8 components are the unit tower output; the 9th the (non-positive) prior.
    for (let i = 0; i < data.items; i++) {
      let norm = 0;
      for (let d = 0; d < 8; d++) norm += vectors.vectors[i * 9 + d]! ** 2;
      assert.ok(Math.abs(norm - 1) < 1e-4);
      assert.ok(vectors.vectors[i * 9 + 8]! <= 0);
    }
    const disabled = await twoTowerJob.run({ data, validation: emptyValidation(data.users), config: parseConfig({ jobs: { 'two-tower': { enabled: false } } }), progress: silentProgress });
    assert.equal(disabled.artifacts.length, 0);
  });
});
