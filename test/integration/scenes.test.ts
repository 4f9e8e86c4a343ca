import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import { packageRoot, parseConfig } from '../../lib/config/load-config.js';
import { loadServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import { EmbeddedHistoryStore } from '../../lib/stores/features/embedded-history-store.js';
import { startServer, type RunningServer } from '../../services/server/grpc-server.js';
import { RecommendClient } from '../../services/server/recommend-client.js';
import { makeTinyBundle, type TinyBundle } from '../support/tiny-bundle.js';

void describe('scenes and experiments through the server (configs/scenes)', () => {
  let tiny: TinyBundle;
  let server: RunningServer;
  let client: RecommendClient;

  before(async () => {
    tiny = await makeTinyBundle();
    const config = parseConfig({ ...tiny.config, serving: { ...tiny.config.serving, scenesDir: join(packageRoot(), 'configs', 'scenes') } });
    server = await startServer({ config, bundle: await loadServingBundle(tiny.store, tiny.version), history: new EmbeddedHistoryStore(), host: '127.0.0.1', port: 0 });
    client = new RecommendClient(`127.0.0.1:${server.port}`);
  });

  after(async () => {
    client.close();
    await server.stop(1);
    await tiny.cleanup();
  });

  void it('names the scene and each layer\'s experiment; the default scene is the first file\'s', async () => {
    const plain = await client.recommend({ user_id: 'u1', count: 5 });
    assert.equal(plain.serving?.scene, 'default');
    assert.deepEqual(plain.serving.experiments, ['main/control']);
    assert.equal(plain.serving.experiment, 'main/control');
    const seen = new Set<string>();
    for (let u = 0; u < 200; u++) {
      const response = await client.recommend({ user_id: `user-${u}`, count: 5, scene: 'home' });
      assert.equal(response.serving?.scene, 'home');
      assert.equal(response.serving.experiments.length, 2);
      seen.add(response.serving.experiment);
    }
    assert.ok(seen.has('recall/control,rerank/relevance-only') && seen.size >= 4, [...seen].join(' '));
  });

  void it('force_experiment overrides bucketing, and max-per-genre caps each primary genre', async () => {
    const { bundle } = server.state();
    const userId = [...bundle.userIndex.keys()][3]!;
    const capped = await client.recommend({ user_id: userId, count: 30, scene: 'home', force_experiment: 'genre-cap' });
    assert.ok(capped.serving?.experiments.includes('rerank/genre-cap'));
    const relevance = await client.recommend({ user_id: userId, count: 30, scene: 'home', force_experiment: 'control,relevance-only' });
    assert.deepEqual(relevance.serving?.experiments, ['recall/control', 'rerank/relevance-only']);
    const primary = (id: string): string => bundle.catalogue.genres[bundle.resolveItem(id)]?.[0] ?? '';
    const counts = new Map<string, number>();
    let k = 0;
    // Up to the first deferred item, no primary genre appears more than 3 times.
    for (const item of capped.items) {
      const genre = primary(item.item_id);
      const count = (counts.get(genre) ?? 0) + 1;
      if (count > 3) break;
      counts.set(genre, count);
      k++;
    }
    assert.ok(k >= 10, `only ${k} items before a genre repeated a 4th time`);
    const relevanceCounts = new Map<string, number>();
    for (const item of relevance.items.slice(0, k)) relevanceCounts.set(primary(item.item_id), (relevanceCounts.get(primary(item.item_id)) ?? 0) + 1);
    assert.ok(Math.max(...relevanceCounts.values()) > 3 || k === relevance.items.length, 'relevance order alone would have repeated a genre more (else the cap proves nothing here)');
  });

  void it('rejects an unknown scene or experiment with INVALID_ARGUMENT naming the field', async () => {
    for (const [request, field] of [[{ scene: 'nope' }, 'scene'], [{ scene: 'home', force_experiment: 'nope' }, 'force_experiment']] as const) {
      await assert.rejects(client.recommend({ user_id: 'u', count: 3, ...request }), (error: ServiceError) => error.code === status.INVALID_ARGUMENT && error.details.startsWith(`${field}:`));
    }
  });

  void it('debug returns every stage\'s candidates, scores and timings', async () => {
    const userId = [...server.state().bundle.userIndex.keys()][0]!;
    const response = await client.recommend({ user_id: userId, count: 5, scene: 'home', debug: true });
    const byStage = new Map(response.stages.map((stage) => [stage.stage, stage]));
    for (const stage of ['history', 'recall', 'merge', 'filter', 'rerank', 'select']) assert.ok(byStage.get(stage)!.millis >= 0, stage);
    for (const stage of ['recall/item-cf', 'merge/candidates', 'filter/candidates', 'rerank/candidates']) assert.ok(byStage.get(stage)!.items.length > 0, stage);
    const merged = byStage.get('merge/candidates')!.items;
    assert.ok(merged.every((item) => Number.isFinite(item.score) && Object.keys(item.source_scores).length > 0));
    assert.ok(byStage.get('filter/candidates')!.items.length <= merged.length);
  });
});
