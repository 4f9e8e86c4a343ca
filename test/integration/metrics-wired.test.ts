import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddedHistoryStore } from '../../lib/stores/features/embedded-history-store.js';
import { startServer, type RunningServer } from '../../services/server/grpc-server.js';
import { RecommendClient } from '../../services/server/recommend-client.js';
import { makeTinyBundle, type TinyBundle } from '../support/tiny-bundle.js';
import { loadServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import { startMetricsServer, type MetricsServer } from '../../services/server/metrics-http.js';

void describe('gRPC server records metrics served on the side port', () => {
  let tiny: TinyBundle;
  let server: RunningServer;
  let client: RecommendClient;
  let side: MetricsServer;

  before(async () => {
    tiny = await makeTinyBundle();
    const bundle = await loadServingBundle(tiny.store, tiny.version);
    server = await startServer({ config: tiny.config, bundle, history: new EmbeddedHistoryStore(), host: '127.0.0.1', port: 0 });
    side = await startMetricsServer(server.metrics, '127.0.0.1', 0);
    client = new RecommendClient(`127.0.0.1:${server.port}`);
  });

  after(async () => {
    client.close();
    await side.close();
    await server.stop(2);
    await tiny.cleanup();
  });

  void it('counts calls, codes, sources and the bundle version', async () => {
    const userId = [...server.state().bundle.userIndex.keys()][0]!;
    await client.recommend({ user_id: userId, count: 10 });
    await client.recommend({ user_id: userId, count: 5 });
    await assert.rejects(client.recommend({ user_id: '', count: 5 }));
    const body = await (await fetch(`http://127.0.0.1:${side.port}/metrics`)).text();
    assert.match(body, /^recsys_rpc_requests_total\{method="Recommend",code="OK"\} 2$/m);
    assert.match(body, /^recsys_rpc_requests_total\{method="Recommend",code="INVALID_ARGUMENT"\} 1$/m);
    assert.match(body, /^recsys_recall_outcomes_total\{source="item-cf",outcome="ok"\} 2$/m);
    assert.match(body, /^recsys_candidates_sum\{stage="final"\} 15$/m);
    assert.match(body, new RegExp(`^recsys_bundle_info\\{version="${tiny.version}"\\} 1$`, 'm'));
  });
});
