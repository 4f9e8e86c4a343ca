import { addCount, formatCounts } from '../../lib/counts.js';
import { LatencyHistogram, type HistogramData } from './latency-histogram.js';

/** One measured run of the load driver, ghz's summary fields. */
export interface RunSummary {
  readonly name: string;
  /** Calls finished inside the measured window (OK or not). */
  readonly count: number;
  readonly ok: number;
  readonly seconds: number;
  /** Successful calls per second. */
  readonly rps: number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  /** gRPC status name → calls that ended with it (OK excluded). */
  readonly errors: Readonly<Record<string, number>>;
  /** Successful calls answered without at least one recall source or the ranker (serving.degraded_sources). */
  readonly degradedCalls: number;
  /** Source (or `rank`) → successful calls answered without it. */
  readonly degradedSources: Readonly<Record<string, number>>;
}

/** What one driver thread measured. Latencies of successful calls only; failures are counted by status. */
export interface WorkerReport {
  readonly histogram: HistogramData;
  readonly errors: Readonly<Record<string, number>>;
  readonly degradedCalls: number;
  readonly degradedSources: Readonly<Record<string, number>>;
}


/** Merges the driver threads' reports of one run measured over `seconds`. */
export function summariseRun(name: string, reports: readonly WorkerReport[], seconds: number): RunSummary {
  const histogram = new LatencyHistogram();
  const errors: Record<string, number> = {};
  const degradedSources: Record<string, number> = {};
  let degradedCalls = 0;
  for (const report of reports) {
    histogram.add(report.histogram);
    for (const [code, n] of Object.entries(report.errors)) addCount(errors, code, n);
    degradedCalls += report.degradedCalls;
    for (const [source, n] of Object.entries(report.degradedSources)) addCount(degradedSources, source, n);
  }
  const failed = Object.values(errors).reduce((sum, n) => sum + n, 0);
  return {
    name,
    count: histogram.count + failed,
    ok: histogram.count,
    seconds,
    rps: seconds > 0 ? histogram.count / seconds : 0,
    meanMs: histogram.meanMillis(),
    minMs: histogram.count === 0 ? Number.NaN : histogram.minMicros / 1000,
    maxMs: histogram.count === 0 ? Number.NaN : histogram.maxMicros / 1000,
    p50Ms: histogram.quantileMillis(0.5),
    p90Ms: histogram.quantileMillis(0.9),
    p99Ms: histogram.quantileMillis(0.99),
    p999Ms: histogram.quantileMillis(0.999),
    errors,
    degradedCalls,
    degradedSources,
  };
}

/**
 * The throughput this machine allows when every call pays the transport (one echo call's
 * share of all cores, cores / echo.rps core-seconds) plus one model run on one core
 * (model.ms): limit = cores / (cores / echo.rps + model.ms / 1000). Null when either is unknown.
 */
export function limitRps(cores: number, echoRps: number | null, modelMs: number | null): number | null {
  if (echoRps === null || !(echoRps > 0) || modelMs === null || !Number.isFinite(modelMs) || cores <= 0) return null;
  return cores / (cores / echoRps + modelMs / 1000);
}

const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)} ms` : 'n/a');

/** A ghz-like text summary of one run. */
export function formatRun(summary: RunSummary): string {
  const errorLines = Object.entries(summary.errors).sort(([, a], [, b]) => b - a).map(([code, n]) => `  [${code}]  ${n} calls`);
  return [
    summary.name,
    'Summary:',
    `  Count:        ${summary.count}`,
    `  Total:        ${summary.seconds.toFixed(2)} s`,
    `  Slowest:      ${ms(summary.maxMs)}`,
    `  Fastest:      ${ms(summary.minMs)}`,
    `  Average:      ${ms(summary.meanMs)}`,
    `  Requests/sec: ${summary.rps.toFixed(2)}`,
    '',
    'Latency distribution:',
    `  50 % in ${ms(summary.p50Ms)}`,
    `  90 % in ${ms(summary.p90Ms)}`,
    `  99 % in ${ms(summary.p99Ms)}`,
    `  99.9 % in ${ms(summary.p999Ms)}`,
    '',
    'Status code distribution:',
    `  [OK]  ${summary.ok} responses`,
    ...errorLines,
    ...(summary.degradedCalls > 0 ? ['', `Degraded (OK, but without a recall source or the ranker): ${summary.degradedCalls} responses (${formatCounts(summary.degradedSources)})`] : []),
  ].join('\n');
}
