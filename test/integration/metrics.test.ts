import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ServingMetrics } from '../../services/server/metrics.js';
import { startMetricsServer, type MetricsServer } from '../../services/server/metrics-http.js';

void describe('metrics HTTP side port on an ephemeral port', () => {
  let metrics: ServingMetrics;
  let server: MetricsServer;
  let base: string;

  before(async () => {
    metrics = new ServingMetrics();
    server = await startMetricsServer(metrics, '127.0.0.1', 0);
    base = `http://127.0.0.1:${server.port}`;
  });

  after(async () => {
    await server.close();
  });

  void it('binds an ephemeral port', () => {
    assert.ok(server.port > 0);
  });

  void it('GET /metrics serves the Prometheus text format with the observed series', async () => {
    metrics.setBundleVersion('20260101-000000');
    metrics.observeCall('Recommend', 3.2, 'OK');
    metrics.observePipeline({
      outcomes: [{ status: 'timeout', source: 'item-cf', millis: 31 }],
      merged: { items: new Int32Array(7) },
      items: new Int32Array(5),
      degradedSources: ['item-cf'],
    });
    const response = await fetch(`${base}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4; charset=utf-8$/);
    const body = await response.text();
    assert.match(body, /^# TYPE recsys_rpc_requests_total counter$/m);
    assert.match(body, /^recsys_rpc_requests_total\{method="Recommend",code="OK"\} 1$/m);
    assert.match(body, /^recsys_rpc_duration_seconds_count\{method="Recommend"\} 1$/m);
    assert.match(body, /^recsys_recall_outcomes_total\{source="item-cf",outcome="timeout"\} 1$/m);
    assert.match(body, /^recsys_degraded_calls_total 1$/m);
    assert.match(body, /^recsys_bundle_info\{version="20260101-000000"\} 1$/m);
    assert.match(body, /^recsys_rank_provider_info\{provider="none"\} 1$/m);
    assert.match(body, /^process_resident_memory_bytes \d/m);
  });

  void it('GET /healthz answers ok', async () => {
    const response = await fetch(`${base}/healthz`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'ok\n');
  });

  void it('answers 404 for other paths and 405 for other methods', async () => {
    const missing = await fetch(`${base}/nope`);
    assert.equal(missing.status, 404);
    await missing.text();
    const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    await post.text();
  });
});
