import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

/** What `npm run bench:serve` was asked to do. */
export interface ServeBenchArgs {
  /** Ratings file or dataset folder; '' = the seeded synthetic dataset. */
  readonly data: string;
  /** Candidates ranked per call (the merge is made to yield at least this many). */
  readonly candidates: number;
  /** Calls in flight at once across all driver threads. */
  readonly concurrency: number;
  /** Measured seconds of the Recommend run. */
  readonly duration: number;
  /** Measured seconds of the echo run (default: min(duration, 10)). */
  readonly echoDuration: number;
  /** Unmeasured seconds before each run. */
  readonly warmup: number;
  /** Calls per second in total (constant-rate, open loop); 0 = as fast as possible. */
  readonly rate: number;
  /** Driver worker threads. */
  readonly workers: number;
  /** HTTP/2 connections per driver thread. */
  readonly channels: number;
  /** `count` of each Recommend request (items returned). */
  readonly count: number;
  /** Per-call deadline, ms. */
  readonly deadlineMs: number;
  readonly out: string | undefined;
  readonly config: string | undefined;
  /** Where bench bundles are cached (keyed by dataset and config digests). */
  readonly bundleCache: string;
  /** Write a V8 CPU profile of the server into this folder (node --cpu-prof). */
  readonly cpuProf: string | undefined;
  /** Skip the echo run (echo.rps, limit_rps and efficiency become null). */
  readonly noEcho: boolean;
}

export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

export const SERVE_BENCH_USAGE = `npm run --silent bench:serve -- [flags]

  --data <path>         ratings file or dataset folder (default: the synthetic dataset)
  --candidates <n>      candidates ranked per call (default 500)
  --concurrency <n>     calls in flight (default 32)
  --duration <s>        measured seconds of the Recommend run (default 20)
  --echo-duration <s>   measured seconds of the echo run (default min(duration, 10))
  --warmup <s>          unmeasured seconds before each run (default 3)
  --rate <n>            constant rate, calls/s in total (default 0 = max throughput)
  --workers <n>         driver worker threads (default 1)
  --channels <n>        connections per driver thread (default 2)
  --count <n>           items per Recommend response (default 10)
  --deadline-ms <n>     per-call deadline (default 2000)
  --bundle-cache <dir>  bench bundle cache (default var/bench/bundles)
  --cpu-prof <dir>      write the server's V8 CPU profile there (node --cpu-prof)
  --no-echo             skip the echo run
  --config <file>       base YAML config (default configs/recsys.yaml)
  --out <file>          write the summary as JSON`;

function integer(raw: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new BenchUsageError(`--${name}: expected an integer in ${min}..${max}, got "${raw}"`);
  return value;
}

function seconds(raw: string | undefined, name: string, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > 3600) throw new BenchUsageError(`--${name}: expected seconds in ${min}..3600, got "${raw}"`);
  return value;
}

/** Parses the bench's flags; unknown flags and bad values are usage errors naming the flag. */
export function parseServeBenchArgs(argv: readonly string[]): ServeBenchArgs | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        data: { type: 'string' }, candidates: { type: 'string' }, concurrency: { type: 'string' }, duration: { type: 'string' },
        'echo-duration': { type: 'string' }, warmup: { type: 'string' }, rate: { type: 'string' }, workers: { type: 'string' },
        channels: { type: 'string' }, count: { type: 'string' }, 'deadline-ms': { type: 'string' }, out: { type: 'string' },
        config: { type: 'string' }, 'bundle-cache': { type: 'string' }, 'cpu-prof': { type: 'string' }, 'no-echo': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new BenchUsageError(error instanceof Error ? error.message.split('\n')[0]! : String(error));
  }
  if (values.help === true) return 'help';
  const str = (name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);
  const duration = seconds(str('duration'), 'duration', 20, 0.1);
  const concurrency = integer(str('concurrency'), 'concurrency', 32, 1, 10_000);
  const workers = integer(str('workers'), 'workers', 1, 1, Math.max(64, availableParallelism()));
  if (workers > concurrency) throw new BenchUsageError(`--workers: ${workers} threads need at least as many calls in flight (--concurrency ${concurrency})`);
  return {
    data: str('data') ?? '',
    candidates: integer(str('candidates'), 'candidates', 500, 1, 10_000),
    concurrency,
    duration,
    echoDuration: seconds(str('echo-duration'), 'echo-duration', Math.min(duration, 10), 0.1),
    warmup: seconds(str('warmup'), 'warmup', 3, 0),
    rate: integer(str('rate'), 'rate', 0, 0, 1_000_000),
    workers,
    channels: integer(str('channels'), 'channels', 2, 1, 64),
    count: integer(str('count'), 'count', 10, 1, 10_000),
    deadlineMs: integer(str('deadline-ms'), 'deadline-ms', 2000, 1, 600_000),
    out: str('out'),
    config: str('config'),
    bundleCache: str('bundle-cache') ?? 'var/bench/bundles',
    cpuProf: str('cpu-prof'),
    noEcho: values['no-echo'] === true,
  };
}
