import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../lib/config/load-config.js';
import { ARTIFACT } from '../../../lib/stores/bundle/artifacts.js';
import { loadServingBundle, type ServingBundle } from '../../../lib/stores/bundle/serving-bundle.js';
import { EmbeddedHistoryStore } from '../../../lib/stores/features/embedded-history-store.js';
import { FeatureAssembler } from '../../../lib/features/feature-assembler.js';
import { decodeFeatureSpec } from '../../../lib/features/feature-spec.js';
import { decodeFeatureTables } from '../../../lib/features/feature-tables.js';
import { buildItemTensors } from '../../../lib/features/item-tensors.js';
import { modelFeeds, toOrtTensors } from '../../../lib/features/model-feeds.js';
import { SCORE_OUTPUT } from '../../../lib/features/model-inputs.js';
import { createOrtSession } from '../../../lib/onnx/ort-session.js';
import { createBundleRanker, type SessionFactory } from '../../../services/rank/bundle-ranker.js';
import type { ModelSessions } from '../../../services/rank/model-sessions.js';
import { RecsysError } from '../../../lib/domain/errors.js';
import { createInProcessPipeline } from '../../../services/server/in-process-pipeline.js';
import { makeTinyBundle, type TinyBundle } from '../../support/tiny-bundle.js';

let tiny: TinyBundle;
let bundle: ServingBundle;

before(async () => {
  tiny = await makeTinyBundle({ users: 200, items: 300, interactions: 10_000 });
  bundle = await loadServingBundle(tiny.store, tiny.version);
});

after(async () => {
  await tiny.cleanup();
});

void describe('the rank job and the in-process ranker', () => {
  void it('writes the feature spec, tables and one ONNX file per model, each checked against its trainer', () => {
    for (const name of [ARTIFACT.featureSpec, ARTIFACT.featureTables, ...Object.values(ARTIFACT.rankModels)]) assert.ok(bundle.ranking.has(name), name);
    const details = bundle.manifest.jobs['rank'] as { models: Record<string, { auc: number; onnxMaxAbsDiff: number }> };
    for (const model of ['lr', 'wide-deep', 'gbdt']) {
      assert.ok(details.models[model]!.onnxMaxAbsDiff <= 1e-4, `${model} parity`);
      assert.ok(details.models[model]!.auc > 0.5, `${model} AUC`);
    }
  });

  void it('ranks the merged candidates: one score per candidate, provider reported, same items as recall', async () => {
    const pipeline = createInProcessPipeline(bundle, tiny.config, new EmbeddedHistoryStore(), { deadlines: false });
    try {
      const userId = [...bundle.userIndex.keys()][5]!;
      const result = await pipeline.recommend({ userId, count: 1000, excludeItemIds: [] });
      assert.deepEqual(result.degradedSources, []);
      assert.deepEqual(result.ranker, { model: 'wide-deep', provider: 'cpu' });
      assert.deepEqual([...result.items].sort((a, b) => a - b), [...result.merged.items].sort((a, b) => a - b));
      for (let k = 1; k < result.scores.length; k++) assert.ok(result.scores[k - 1]! >= result.scores[k]!, 'sorted by score');
      assert.ok(result.timings.some((timing) => timing.stage === 'rank'));
    } finally {
      await pipeline.close();
    }
  });

  void it('scores with every model of the bundle and rejects an unknown one', async () => {
    const ranker = createBundleRanker(bundle, tiny.config)!;
    try {
      const ready = await ranker.ready();
      assert.deepEqual([...ready.models].sort(), ['gbdt', 'lr', 'wide-deep']);
      const popular = bundle.popular.overall;
      const candidates = { items: popular.items.subarray(0, 37), scores: popular.scores.subarray(0, 37), sourceScores: new Map([['popular', popular.scores.subarray(0, 37)]]) };
      const input = { userId: [...bundle.userIndex.keys()][0]!, known: true, recent: bundle.histories.items.subarray(0, 5), recentRatings: new Float32Array(5).fill(4), candidates };
      for (const model of ready.models) {
        const output = await ranker.rank({ ...input, model }, 1000);
        assert.equal(output.scores.length, 37, model);
        assert.ok(output.scores.every((score) => score >= 0 && score <= 1), `${model}: ${String(output.scores.slice(0, 5))}`);
      }
      await assert.rejects(ranker.rank({ ...input, model: 'nope' }, 1000), /no ranker model "nope"/);
    } finally {
      await ranker.close();
    }
  });

  void it('scores in its worker exactly what assembling and running the model in this thread scores', async () => {
    const ranker = createBundleRanker(bundle, tiny.config)!;
    const spec = decodeFeatureSpec(bundle.ranking.get(ARTIFACT.featureSpec)!);
    const tables = decodeFeatureTables(bundle.ranking.get(ARTIFACT.featureTables)!, spec.users, spec.items, spec.als.factors);
    const assembler = new FeatureAssembler(spec, buildItemTensors(spec, tables, bundle.catalogue), tables);
    try {
      const { models } = await ranker.ready();
      const users = [...bundle.userIndex.keys()];
      const n = 120;
      const items = Int32Array.from({ length: n }, (_, k) => (k * 7) % bundle.catalogue.itemIds.length);
      const scores = Float32Array.from({ length: n }, (_, k) => 1 / (60 + k));
      const sourceScores = new Map(spec.sources.map((source, s) => [source, Float32Array.from({ length: n }, (_, k) => ((k + s) % 3 === 0 ? Number.NaN : (k % 11) / (s + 1) - 2))]));
      for (const [u, userId] of [users[3]!, users[40]!, 'a-stranger'].entries()) {
        const userIndex = bundle.userIndex.get(userId) ?? -1;
        const recent = bundle.histories.items.subarray(u * 9, u * 9 + 2 + u * 5);
        const recentRatings = Float32Array.from(recent, (_, k) => (k % 4 === 0 ? Number.NaN : 1 + (k % 5)));
        for (const model of models) {
          const output = await ranker.rank({ userId, known: userIndex >= 0, recent, recentRatings, candidates: { items, scores, sourceScores }, model }, 1000);
          const session = await createOrtSession(bundle.ranking.get(ARTIFACT.rankModels[model as keyof typeof ARTIFACT.rankModels])!);
          try {
            const feeds = modelFeeds(model, spec, assembler.assemble({ userIndex, recent, recentRatings }, { items, scores, sourceScores }));
            const expected = (await session.session.run(toOrtTensors(feeds)))[SCORE_OUTPUT]!.data as Float32Array;
            assert.deepEqual(Array.from(output.scores), Array.from(expected), `${model}, user ${userId}`);
          } finally {
            await session.release();
          }
        }
      }
    } finally {
      await ranker.close();
    }
  });

  void it("hands the sessions what is left of the call's deadline, and bounds the wait for a load that never ends", async () => {
    const budgets: (number | undefined)[] = [];
    const sessions: ModelSessions = {
      models: ['wide-deep'],
      provider: () => 'cpu',
      score: (_model, input, timeoutMs) => {
        budgets.push(timeoutMs);
        return Promise.resolve(new Float32Array(input['items']!.data.length));
      },
      close: () => Promise.resolve(),
    };
    const ranker = createBundleRanker(bundle, tiny.config, () => Promise.resolve(sessions))!;
    const popular = bundle.popular.overall;
    const input = { userId: 'u', known: false, recent: new Int32Array(0), recentRatings: new Float32Array(0), model: '', candidates: { items: popular.items.subarray(0, 4), scores: popular.scores.subarray(0, 4), sourceScores: new Map<string, Float32Array>() } };
    await ranker.ready();
    budgets.length = 0;
    await ranker.rank(input, 50);
    await ranker.rank(input, Number.POSITIVE_INFINITY);
    assert.equal(budgets.length, 2);
    assert.ok(budgets[0]! > 40 && budgets[0]! <= 50, `budget left ${budgets[0]}`);
    assert.equal(budgets[1], undefined, 'no deadline: the sessions keep their own timeout');

    const stuck = createBundleRanker(bundle, tiny.config, () => new Promise<ModelSessions>(() => undefined))!;
    const started = performance.now();
    await assert.rejects(stuck.rank(input, 30), (error: unknown) => error instanceof RecsysError && error.code === 'RECSYS_ERR_ONNX_TIMEOUT');
    assert.ok(performance.now() - started < 1000);
  });

  void it('hands its sessions the item tensors and tables in shared memory, the ALS factors once', () => {
    let given: Parameters<SessionFactory>[1] | undefined;
    const ranker = createBundleRanker(bundle, tiny.config, (_models, feeds) => {
      given = feeds;
      return new Promise<ModelSessions>(() => undefined);
    })!;
    assert.ok(ranker);
    const values = (Object.values(given!.items) as unknown[]).concat(Object.values(given!.tables) as unknown[]);
    const arrays = values.filter((value): value is ArrayBufferView => ArrayBuffer.isView(value));
    assert.ok(arrays.length >= 10);
    for (const array of arrays) assert.ok(array.buffer instanceof SharedArrayBuffer, 'shared, so posting it to a worker does not copy it');
    assert.equal(given!.items.alsFactors, given!.tables.alsItemFactors);
    assert.ok(given!.items.alsFactors.length > 0);
  });

  void it('serves recall order, marked degraded, when the ranker fails', async () => {
    const failing = { rank: () => Promise.reject(new Error('ranker down')) };
    const pipeline = createInProcessPipeline(bundle, tiny.config, new EmbeddedHistoryStore(), { deadlines: false, rankPort: failing });
    const result = await pipeline.recommend({ userId: [...bundle.userIndex.keys()][5]!, count: 20, excludeItemIds: [] });
    assert.deepEqual(result.degradedSources, ['rank']);
    assert.equal(result.ranker, null);
    assert.deepEqual(Array.from(result.items), Array.from(result.merged.items.subarray(0, 20)));
  });

  void it('a bundle built with rank.enabled off has no ranker, and the pipeline keeps recall order', () => {
    assert.equal(createBundleRanker({ ...bundle, ranking: new Map() }, parseConfig({})), null);
  });
});
