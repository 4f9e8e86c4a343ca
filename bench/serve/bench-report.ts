import { limitRps, type RunSummary } from './run-summary.js';

export interface BenchInputs {
  readonly recommend: RunSummary;
  readonly echo: RunSummary | null;
  readonly modelMs: number | null;
  readonly modelNote: string;
  readonly cores: number;
  readonly serverPeakRssMb: number | null;
  /** Server CPU (user + system) over the measured Recommend window per call, ms. */
  readonly serverCpuMsPerCall?: number | null;
  readonly candidates: number;
  readonly candidatesMeasured: { readonly mean: number; readonly min: number; readonly max: number };
  readonly settings: Readonly<Record<string, unknown>>;
}

const round = (value: number, digits = 3): number | null => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);

/** The `--out` JSON: the keys the issue names, flat and dotted, plus the run's settings. */
export function benchReport(inputs: BenchInputs): Record<string, unknown> {
  const { recommend, echo } = inputs;
  const echoRps = echo ? echo.rps : null;
  const limit = limitRps(inputs.cores, echoRps, inputs.modelMs);
  const errorsOf = (run: RunSummary | null): number => (run ? Object.values(run.errors).reduce((a, b) => a + b, 0) : 0);
  return {
    'recommend.rps': round(recommend.rps, 1),
    'recommend.mean_ms': round(recommend.meanMs),
    'recommend.p50_ms': round(recommend.p50Ms),
    'recommend.p90_ms': round(recommend.p90Ms),
    'recommend.p99_ms': round(recommend.p99Ms),
    'recommend.p999_ms': round(recommend.p999Ms),
    'recommend.count': recommend.count,
    'recommend.errors': recommend.errors,
    'recommend.degraded_calls': recommend.degradedCalls,
    'recommend.degraded_sources': recommend.degradedSources,
    'echo.rps': echo ? round(echo.rps, 1) : null,
    'echo.p50_ms': echo ? round(echo.p50Ms) : null,
    'echo.p99_ms': echo ? round(echo.p99Ms) : null,
    'echo.errors': echo ? echo.errors : {},
    'model.ms': inputs.modelMs === null ? null : round(inputs.modelMs, 4),
    'model.note': inputs.modelNote,
    limit_rps: limit === null ? null : round(limit, 1),
    efficiency: limit === null ? null : round(recommend.rps / limit),
    errors: errorsOf(recommend) + errorsOf(echo),
    'server.peak_rss_mb': inputs.serverPeakRssMb === null ? null : round(inputs.serverPeakRssMb, 1),
    'recommend.server_cpu_ms_per_call': inputs.serverCpuMsPerCall === undefined || inputs.serverCpuMsPerCall === null ? null : round(inputs.serverCpuMsPerCall),
    cores: inputs.cores,
    candidates: inputs.candidates,
    'candidates.mean': round(inputs.candidatesMeasured.mean, 1),
    'candidates.min': inputs.candidatesMeasured.min,
    'candidates.max': inputs.candidatesMeasured.max,
    ...inputs.settings,
  };
}

/** The closing lines: ceiling, model time, the limit and how close Recommend came to it. */
export function formatVerdict(report: Record<string, unknown>): string {
  const show = (key: string, unit = ''): string => {
    const value = report[key];
    return value === null || value === undefined ? 'null' : `${typeof value === 'number' ? value : JSON.stringify(value)}${unit}`;
  };
  return [
    `candidates ranked per call: ${show('candidates.mean')} on average (min ${show('candidates.min')}, asked ${show('candidates')})`,
    `recommend.rps ${show('recommend.rps')}  p50 ${show('recommend.p50_ms', ' ms')}  p99 ${show('recommend.p99_ms', ' ms')}  errors ${show('errors')}  degraded ${show('recommend.degraded_calls')} ${show('recommend.degraded_sources')}`,
    `echo.rps ${show('echo.rps')} (transport ceiling)   model.ms ${show('model.ms')} (${String(report['model.note'])})`,
    `limit_rps = cores / (cores / echo.rps + model.ms / 1000) = ${show('limit_rps')}   efficiency ${show('efficiency')}`,
    `server peak RSS (VmHWM) ${show('server.peak_rss_mb', ' MiB')}   server CPU per Recommend call ${show('recommend.server_cpu_ms_per_call', ' ms')}`,
  ].join('\n');
}
