import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { loadServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import { EmbeddedHistoryStore } from '../../lib/stores/features/embedded-history-store.js';
import { startServer, type RunningServer } from '../../services/server/grpc-server.js';
import { RecommendClient } from '../../services/server/recommend-client.js';
import { makeTinyBundle, type TinyBundle } from '../support/tiny-bundle.js';
import { loadSync } from '@grpc/proto-loader';
import { loadPackageDefinition, type Client, type ClientDuplexStream, type GrpcObject } from '@grpc/grpc-js';

function grpcCode(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? (error as ServiceError).code : undefined;
}

async function expectStatus(promise: Promise<unknown>, code: status, field: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.equal(grpcCode(error), code);
    assert.match((error as ServiceError).details, new RegExp(field));
    return true;
  });
}

void describe('all-in-one gRPC server on an ephemeral port', () => {
  let tiny: TinyBundle;
  let server: RunningServer;
  let client: RecommendClient;

  before(async () => {
    tiny = await makeTinyBundle();
    const bundle = await loadServingBundle(tiny.store, tiny.version);
    server = await startServer({ config: tiny.config, bundle, history: new EmbeddedHistoryStore(), host: '127.0.0.1', port: 0 });
    client = new RecommendClient(`127.0.0.1:${server.port}`);
  });

  after(async () => {
    client.close();
    await server.stop(2);
    await tiny.cleanup();
  });

  void it('recommends unseen catalogue items with scores, sources and the bundle version', async () => {
    const { bundle } = server.state();
    const userId = [...bundle.userIndex.keys()][0]!;
    const seen = new Set(Array.from(bundle.userHistory(userId)!, (item) => bundle.catalogue.itemIds[item]));
    const response = await client.recommend({ user_id: userId, count: 10, with_info: true });
    assert.equal(response.items.length, 10);
    const serving = response.serving;
    assert.ok(serving);
    assert.equal(serving.bundle_version, tiny.version);
    assert.equal(serving.degraded, false);
    assert.equal(serving.rank_provider, 'cpu', 'ranked by the bundle\'s wide & deep on the CPU provider');
    const ids = response.items.map((item) => item.item_id);
    assert.equal(new Set(ids).size, 10, 'no duplicates');
    for (const item of response.items) {
      assert.ok(!seen.has(item.item_id), `${item.item_id} was already seen`);
      assert.ok(bundle.itemIndex.has(item.item_id));
      assert.ok(Object.keys(item.source_scores).length > 0, 'every item names its sources');
      assert.ok(item.info && item.info.title.length > 0);
    }
    const scores = response.items.map((item) => item.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'best first');
  });

  void it('serves an unknown user from popular items, not an error', async () => {
    const response = await client.recommend({ user_id: 'someone-new', count: 5 });
    const { bundle } = server.state();
    const expected = Array.from(bundle.popular.overall.items.subarray(0, 5), (item) => bundle.catalogue.itemIds[item]);
    assert.deepEqual(response.items.map((item) => item.item_id), expected);
  });

  void it('honours request exclusions', async () => {
    const first = await client.recommend({ user_id: 'someone-new', count: 5 });
    const excluded = first.items.slice(0, 2).map((item) => item.item_id);
    const second = await client.recommend({ user_id: 'someone-new', count: 5, exclude_item_ids: excluded });
    for (const id of excluded) assert.ok(!second.items.some((item) => item.item_id === id));
  });

  void it('reflects Feedback in the next Recommend', async () => {
    const before = await client.recommend({ user_id: 'feedback-user', count: 10 });
    const clicked = before.items[0]!.item_id;
    const ack = await client.feedback({ user_id: 'feedback-user', item_id: clicked, event: 'click' });
    assert.equal(ack.history_length, 1);
    const afterResponse = await client.recommend({ user_id: 'feedback-user', count: 10 });
    assert.ok(!afterResponse.items.some((item) => item.item_id === clicked), 'clicked item is now seen');
    assert.ok(afterResponse.items.some((item) => 'item-cf' in item.source_scores), 'history now triggers item-cf');
  });

  void it('returns SimilarItems from the item-cf table', async () => {
    const { bundle } = server.state();
    const item = bundle.popular.overall.items[0]!;
    const response = await client.similarItems({ item_id: bundle.catalogue.itemIds[item]!, count: 5 });
    const [row] = await bundle.similarity.neighbours('item-cf', [item]);
    assert.deepEqual(response.items.map((entry) => entry.item_id), Array.from(row!.items.subarray(0, 5), (j) => bundle.catalogue.itemIds[j]));
    await expectStatus(client.similarItems({ item_id: 'no-such-item' }), status.NOT_FOUND, 'item_id');
  });

  void it('rejects bad requests with INVALID_ARGUMENT naming the field', async () => {
    await expectStatus(client.recommend({ user_id: '', count: 5 }), status.INVALID_ARGUMENT, 'user_id');
    await expectStatus(client.recommend({ user_id: 'x'.repeat(129), count: 5 }), status.INVALID_ARGUMENT, 'user_id');
    await expectStatus(client.recommend({ user_id: 'u', count: 0 }), status.INVALID_ARGUMENT, 'count');
    await expectStatus(client.recommend({ user_id: 'u', count: -3 }), status.INVALID_ARGUMENT, 'count');
    await expectStatus(client.recommend({ user_id: 'u', count: 1001 }), status.INVALID_ARGUMENT, 'count');
    await expectStatus(client.recommend({ user_id: 'u', count: 5, scene: 'nope' }), status.INVALID_ARGUMENT, 'scene');
    await expectStatus(client.feedback({ user_id: 'u', item_id: '' }), status.INVALID_ARGUMENT, 'item_id');
  });

  void it('returns per-stage traces in debug mode', async () => {
    const { bundle } = server.state();
    const userId = [...bundle.userIndex.keys()][1]!;
    const response = await client.recommend({ user_id: userId, count: 5, debug: true });
    const stages = response.stages.map((stage) => stage.stage);
    for (const stage of ['history', 'recall', 'merge', 'filter', 'select', 'recall/item-cf', 'recall/popular']) assert.ok(stages.includes(stage), stage);
  });

  void it('answers grpc.health.v1 with SERVING and exposes reflection', async () => {
    const definition = loadSync('health.proto', { enums: String, includeDirs: [new URL('../../../node_modules/grpc-health-check/proto/health/v1', import.meta.url).pathname] });
    const loaded: GrpcObject = loadPackageDefinition(definition);
    const healthPackage = ((loaded.grpc as GrpcObject).health as GrpcObject).v1 as GrpcObject;
    const Health = healthPackage.Health as unknown as new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client & {
      Check(request: { service: string }, callback: (error: ServiceError | null, response?: { status: string }) => void): void;
    };
    const health = new Health(`127.0.0.1:${server.port}`, credentials.createInsecure());
    try {
      const response = await new Promise<{ status: string }>((resolve, reject) => {
        health.Check({ service: 'recsys.v1.RecommendService' }, (error, value) => {
          if (error || !value) reject(error ?? new Error('empty'));
          else resolve(value);
        });
      });
      assert.equal(response.status, 'SERVING');
    } finally {
      health.close();
    }
  });

  void it('lists its services through server reflection (what grpcurl and ghz use)', async () => {
    const definition = loadSync('grpc/reflection/v1/reflection.proto', { keepCase: true, includeDirs: [new URL('../../../node_modules/@grpc/reflection/build/proto', import.meta.url).pathname] });
    const loaded: GrpcObject = loadPackageDefinition(definition);
    const v1 = ((loaded.grpc as GrpcObject).reflection as GrpcObject).v1 as GrpcObject;
    const Reflection = v1.ServerReflection as unknown as new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => Client & {
      ServerReflectionInfo(): ClientDuplexStream<{ list_services: string }, { list_services_response?: { service: { name: string }[] } }>;
    };
    const reflection = new Reflection(`127.0.0.1:${server.port}`, credentials.createInsecure());
    try {
      const names = await new Promise<string[]>((resolve, reject) => {
        const stream = reflection.ServerReflectionInfo();
        stream.on('data', (message: { list_services_response?: { service: { name: string }[] } }) => {
          resolve((message.list_services_response?.service ?? []).map((service) => service.name));
          stream.end();
        });
        stream.on('error', reject);
        stream.write({ list_services: '' });
      });
      assert.ok(names.includes('recsys.v1.RecommendService'), names.join(','));
    } finally {
      reflection.close();
    }
  });
});
