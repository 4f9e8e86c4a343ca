import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RecsysError } from '../../../lib/domain/errors.js';
import { grpcCodeName, ServingMetrics, type PipelineObservation } from '../../../services/server/metrics.js';

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Parses Prometheus text exposition sample lines (comments skipped). */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `malformed sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

function value(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, v]) => sample.labels[key] === v));
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0]?.value;
}

async function scrape(metrics: ServingMetrics): Promise<Sample[]> {
  return parseExposition((await metrics.render()).body);
}

function pipelineResult(overrides: Partial<PipelineObservation> = {}): PipelineObservation {
  return {
    outcomes: [
      { status: 'ok', source: 'item-cf', millis: 2, candidates: { items: new Int32Array(120) } },
      { status: 'ok', source: 'popular', millis: 0.4, candidates: { items: new Int32Array(500) } },
    ],
    merged: { items: new Int32Array(540) },
    items: new Int32Array(10),
    degradedSources: [],
    timings: [
      { stage: 'recall', millis: 2.1 },
      { stage: 'merge', millis: 0.3 },
    ],
    ...overrides,
  };
}

void describe('ServingMetrics', () => {
  void it('counts RPCs by method and code and observes their latency in seconds', async () => {
    const metrics = new ServingMetrics({ defaultMetrics: false });
    metrics.observeCall('Recommend', 1.5, 'OK');
    metrics.observeCall('Recommend', 4, 'OK');
    metrics.observeCall('Recommend', 0.2, 'INVALID_ARGUMENT');
    metrics.observeCall('SimilarItems', 0.8, 5);
    metrics.observeCall('Feedback', 120);
    const samples = await scrape(metrics);
    assert.equal(value(samples, 'recsys_rpc_requests_total', { method: 'Recommend', code: 'OK' }), 2);
    assert.equal(value(samples, 'recsys_rpc_requests_total', { method: 'Recommend', code: 'INVALID_ARGUMENT' }), 1);
    assert.equal(value(samples, 'recsys_rpc_requests_total', { method: 'SimilarItems', code: 'NOT_FOUND' }), 1);
    assert.equal(value(samples, 'recsys_rpc_requests_total', { method: 'Feedback', code: 'OK' }), 1);
    assert.equal(value(samples, 'recsys_rpc_duration_seconds_count', { method: 'Recommend' }), 3);
    assert.ok(Math.abs(value(samples, 'recsys_rpc_duration_seconds_sum', { method: 'Recommend' })! - 0.0057) < 1e-9);
    assert.equal(value(samples, 'recsys_rpc_duration_seconds_bucket', { method: 'Recommend', le: '0.0005' }), 1);
    assert.equal(value(samples, 'recsys_rpc_duration_seconds_bucket', { method: 'Recommend', le: '0.002' }), 2);
    assert.equal(value(samples, 'recsys_rpc_duration_seconds_bucket', { method: 'Recommend', le: '0.005' }), 3);
    assert.equal(value(samples, 'recsys_rpc_duration_seconds_bucket', { method: 'Feedback', le: '0.1' }), 0);
    assert.equal(value(samples, 'recsys_rpc_duration_seconds_bucket', { method: 'Feedback', le: '+Inf' }), 1);
  });

  void it('maps call errors to gRPC status names', () => {
    assert.equal(grpcCodeName(), 'OK');
    assert.equal(grpcCodeName(new RecsysError('RECSYS_ERR_REQUEST_INVALID', 'count: bad')), 'INVALID_ARGUMENT');
    assert.equal(grpcCodeName(new RecsysError('RECSYS_ERR_REQUEST_UNKNOWN_ITEM', 'item_id: unknown')), 'NOT_FOUND');
    assert.equal(grpcCodeName(new Error('boom')), 'INTERNAL');
  });

  void it('observes per-source recall latency, outcomes, candidates per stage and degraded calls', async () => {
    const metrics = new ServingMetrics({ defaultMetrics: false });
    metrics.observePipeline(pipelineResult());
    metrics.observePipeline(
      pipelineResult({
        outcomes: [
          { status: 'timeout', source: 'item-cf', millis: 30.5 },
          { status: 'ok', source: 'popular', millis: 0.3, candidates: { items: new Int32Array(500) } },
          { status: 'error', source: 'swing', millis: 1 },
        ],
        merged: { items: new Int32Array(480) },
        items: new Int32Array(20),
        degradedSources: ['item-cf', 'swing'],
      }),
    );
    const samples = await scrape(metrics);
    assert.equal(value(samples, 'recsys_recall_outcomes_total', { source: 'item-cf', outcome: 'ok' }), 1);
    assert.equal(value(samples, 'recsys_recall_outcomes_total', { source: 'item-cf', outcome: 'timeout' }), 1);
    assert.equal(value(samples, 'recsys_recall_outcomes_total', { source: 'popular', outcome: 'ok' }), 2);
    assert.equal(value(samples, 'recsys_recall_outcomes_total', { source: 'swing', outcome: 'error' }), 1);
    assert.equal(value(samples, 'recsys_recall_duration_seconds_count', { source: 'item-cf' }), 2);
    assert.equal(value(samples, 'recsys_recall_duration_seconds_bucket', { source: 'item-cf', le: '0.03' }), 1);
    assert.equal(value(samples, 'recsys_recall_duration_seconds_bucket', { source: 'item-cf', le: '0.05' }), 2);
    assert.equal(value(samples, 'recsys_candidates_sum', { stage: 'recall/item-cf' }), 120);
    assert.equal(value(samples, 'recsys_candidates_count', { stage: 'recall/item-cf' }), 2);
    assert.equal(value(samples, 'recsys_candidates_sum', { stage: 'recall/popular' }), 1000);
    assert.equal(value(samples, 'recsys_candidates_sum', { stage: 'merged' }), 1020);
    assert.equal(value(samples, 'recsys_candidates_sum', { stage: 'final' }), 30);
    assert.equal(value(samples, 'recsys_candidates_bucket', { stage: 'final', le: '10' }), 1);
    assert.equal(value(samples, 'recsys_candidates_bucket', { stage: 'final', le: '25' }), 2);
    assert.equal(value(samples, 'recsys_pipeline_stage_duration_seconds_count', { stage: 'merge' }), 2);
    assert.equal(value(samples, 'recsys_degraded_calls_total'), 1);
  });

  void it('takes the provider from a ranked pipeline run', async () => {
    const metrics = new ServingMetrics({ defaultMetrics: false });
    metrics.observePipeline({ outcomes: [], merged: { items: new Int32Array(3) }, items: new Int32Array(3), degradedSources: [], ranker: { provider: 'cpu' } });
    const samples = await scrape(metrics);
    assert.deepEqual(
      samples.filter((sample) => sample.name === 'recsys_rank_provider_info').map((sample) => [sample.labels['provider'], sample.value]),
      [['cpu', 1]],
    );
  });

  void it('keeps one bundle version and one provider label, starting at provider none', async () => {
    const metrics = new ServingMetrics({ defaultMetrics: false });
    let samples = await scrape(metrics);
    assert.equal(value(samples, 'recsys_rank_provider_info', { provider: 'none' }), 1);
    assert.equal(samples.filter((sample) => sample.name === 'recsys_bundle_info').length, 0);
    metrics.setBundleVersion('v1');
    metrics.setBundleVersion('v2');
    metrics.setBundleVersion('v2');
    metrics.setProvider('cuda');
    samples = await scrape(metrics);
    assert.deepEqual(
      samples.filter((sample) => sample.name === 'recsys_bundle_info').map((sample) => [sample.labels['version'], sample.value]),
      [['v2', 1]],
    );
    assert.deepEqual(
      samples.filter((sample) => sample.name === 'recsys_rank_provider_info').map((sample) => [sample.labels['provider'], sample.value]),
      [['cuda', 1]],
    );
  });

  void it('includes default process metrics on its own registry', async () => {
    const metrics = new ServingMetrics();
    const { contentType, body } = await metrics.render();
    assert.match(contentType, /^text\/plain; version=0\.0\.4/);
    assert.match(body, /^process_cpu_user_seconds_total \d/m);
    assert.match(body, /^nodejs_heap_size_used_bytes \d/m);
    // A second instance has its own registry: no duplicate-registration error, no shared counts.
    const other = new ServingMetrics();
    other.observeCall('Recommend', 1);
    assert.equal(value(await scrape(metrics), 'recsys_rpc_requests_total', { method: 'Recommend', code: 'OK' }), undefined);
  });
});
