import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { LatencyHistogram } from '../../../bench/serve/latency-histogram.js';
import { formatRun, limitRps, summariseRun, type WorkerReport } from '../../../bench/serve/run-summary.js';
import { benchReport, formatVerdict } from '../../../bench/serve/bench-report.js';
import { splitEvenly } from '../../../bench/serve/load-driver.js';
import { portFromStartLine, processCpuSeconds, processMemoryMb } from '../../../bench/serve/server-process.js';
import { degradedSourcesOf } from '../../../bench/serve/serving-info.js';
import { loadRecsysPackageDefinition } from '../../../services/server/load-proto.js';

function report(latencies: number[], errors: Record<string, number> = {}, degradedSources: Record<string, number> = {}): WorkerReport {
  const histogram = new LatencyHistogram();
  for (const millis of latencies) histogram.record(millis);
  return { histogram: histogram.data(), errors, degradedCalls: Math.max(0, ...Object.values(degradedSources)), degradedSources };
}

void describe('run summary', () => {
  void it('merges threads: count includes failures, rps counts successes only, errors add up by code', () => {
    const summary = summariseRun('r', [report([1, 2, 3], { DEADLINE_EXCEEDED: 1 }), report([4, 5], { DEADLINE_EXCEEDED: 2, UNAVAILABLE: 1 })], 2);
    assert.equal(summary.count, 9);
    assert.equal(summary.ok, 5);
    assert.equal(summary.rps, 2.5);
    assert.equal(summary.meanMs, 3);
    assert.equal(summary.minMs, 1);
    assert.equal(summary.maxMs, 5);
    assert.deepEqual(summary.errors, { DEADLINE_EXCEEDED: 3, UNAVAILABLE: 1 });
    const text = formatRun(summary);
    assert.match(text, /Count:\s+9/);
    assert.match(text, /Requests\/sec: 2\.50/);
    assert.match(text, /\[DEADLINE_EXCEEDED\]\s+3 calls/);
    assert.match(text, /\[OK\]\s+5 responses/);
    assert.doesNotMatch(text, /Degraded/);
  });

  void it('adds up degraded responses by source, and prints them', () => {
    const summary = summariseRun('r', [report([1, 2], {}, { rank: 2, 'two-tower': 1 }), report([3], {}, { rank: 1 })], 1);
    assert.equal(summary.degradedCalls, 3);
    assert.deepEqual(summary.degradedSources, { rank: 3, 'two-tower': 1 });
    assert.match(formatRun(summary), /Degraded \(OK, but without a recall source or the ranker\): 3 responses \(rank 3, two-tower 1\)/);
  });

  void it('reads serving.degraded_sources from a serialised RecommendResponse', () => {
    const service = loadRecsysPackageDefinition()['recsys.v1.RecommendService'] as Record<string, { responseSerialize: (value: object) => Buffer }>;
    const serialize = service['Recommend']!.responseSerialize;
    const response = (degraded: string[]): Buffer => serialize({
      items: [{ item_id: '7', score: 0.5, source_scores: { 'item-cf': 0.25 } }, { item_id: '9', score: 0.25 }],
      serving: { bundle_version: 'v1', experiment: 'e', degraded_sources: degraded, degraded: degraded.length > 0, rank_provider: 'cpu', scene: 'default', experiments: ['l/e'] },
      stages: [],
    });
    assert.deepEqual(degradedSourcesOf(response([])), []);
    assert.deepEqual(degradedSourcesOf(response(['rank', 'two-tower'])), ['rank', 'two-tower']);
    assert.equal(degradedSourcesOf(Uint8Array.of(0x12, 0x10, 0x01)), null);
  });

  void it('limit_rps = cores / (cores / echo.rps + model.ms / 1000), null when a term is unknown', () => {
    assert.equal(limitRps(2, 5000, 1), 2 / (2 / 5000 + 0.001));
    assert.ok(Math.abs(limitRps(2, 5000, 0)! - 5000) < 1e-9);
    assert.equal(limitRps(2, null, 1), null);
    assert.equal(limitRps(2, 5000, null), null);
    assert.equal(limitRps(2, 0, 1), null);
  });

  void it('the JSON report has the issue keys, efficiency against the limit, and a total error count', () => {
    const recommend = summariseRun('recommend', [report(Array.from({ length: 3000 }, (_, i) => 1 + (i % 10)), { UNAVAILABLE: 2 })], 1);
    const echo = summariseRun('echo', [report(Array.from({ length: 5000 }, () => 0.5))], 1);
    const out = benchReport({
      recommend, echo, modelMs: 1, modelNote: 'm', cores: 2, serverPeakRssMb: 300.04, candidates: 500,
      candidatesMeasured: { mean: 612.34, min: 500, max: 700 }, settings: { concurrency: 32 },
    });
    for (const key of ['recommend.rps', 'recommend.p50_ms', 'recommend.p99_ms', 'echo.rps', 'model.ms', 'limit_rps', 'efficiency', 'errors']) assert.ok(key in out, key);
    assert.equal(out['recommend.rps'], 3000);
    assert.equal(out['echo.rps'], 5000);
    assert.equal(out.limit_rps, 1428.6);
    assert.equal(out.efficiency, Number((3000 / (2 / (2 / 5000 + 0.001))).toFixed(3)));
    assert.equal(out.errors, 2);
    assert.equal(out['recommend.degraded_calls'], 0);
    assert.equal(out.concurrency, 32);
    assert.match(formatVerdict(out), /efficiency 2\.1/);
    const noModel = benchReport({ recommend, echo: null, modelMs: null, modelNote: 'no ranker', cores: 2, serverPeakRssMb: null, candidates: 500, candidatesMeasured: { mean: 0, min: 0, max: 0 }, settings: {} });
    assert.equal(noModel.limit_rps, null);
    assert.equal(noModel.efficiency, null);
    assert.equal(noModel['model.ms'], null);
    assert.match(formatVerdict(noModel), /model\.ms null \(no ranker\)/);
  });

  void it('splits concurrency over threads and finds the port in the serve start line', () => {
    assert.deepEqual(splitEvenly(32, 3), [11, 11, 10]);
    assert.deepEqual(splitEvenly(2, 2), [1, 1]);
    assert.equal(portFromStartLine('recsys serving bundle v2026-abc on 127.0.0.1:40123'), 40123);
    assert.equal(portFromStartLine('recsys serving bundle v2026-abc (role all) on 127.0.0.1:40123'), 40123);
    assert.equal(portFromStartLine('recsys serving bundle v2026-abc (role all) on 127.0.0.1:40123, metrics on :9464'), 40123);
    assert.equal(portFromStartLine('{"level":30,"msg":"serving"}'), null);
  });
});

void describe('process figures from /proc', () => {
  void it('reads CPU seconds that grow with work, and RSS with its high-water mark', async () => {
    if (process.platform !== 'linux') return;
    const before = await processCpuSeconds(process.pid);
    // Spin for 150 ms of CPU (not wall) time: on a loaded machine wall time says little.
    const start = process.cpuUsage();
    let spin = 0;
    while (process.cpuUsage(start).user < 150_000) spin++;
    const after = await processCpuSeconds(process.pid);
    assert.ok(before !== null && after !== null && spin > 0);
    assert.ok(after - before >= 0.05, `${before} -> ${after}`);
    const memory = await processMemoryMb(process.pid);
    assert.ok(memory && memory.rssMb > 10 && memory.hwmMb >= memory.rssMb);
    assert.equal(await processCpuSeconds(2 ** 30), null);
  });
});
