import { emptyValidation } from '../offline/jobs/validation-set.js';
/**
 * i2i job benchmark: wall time and peak RSS of item-cf and swing on ml-latest-small, on
 * ml-1m-half (../shared/data/movielens/ml-1m/ratings-users-1-2999.dat) and on a synthetic
 * ML-20M-shaped log generated in memory (bench/ml20m-shaped.ts). Every dataset × job runs in
 * a fresh child process, so RSS is per job; the jobs learn from every interaction of the
 * dataset (no split) with the default config apart from `threads`.
 *
 *   npm run bench:i2i -- [--datasets small,ml1m,20m] [--jobs item-cf,swing] [--threads N]
 *                        [--data-root ../shared/data/movielens] [--out bench-i2i.json]
 *
 * Prints a markdown table; --out also writes the rows as JSON. "peak RSS" is the largest
 * RSS sampled while the job ran (worker threads included); "max RSS" is the child
 * process's lifetime high-water mark (getrusage), which includes loading the data.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseConfig } from '../lib/config/load-config.js';
import { loadDataset } from '../offline/data/load-dataset.js';
import { findJob } from '../offline/jobs/registry.js';
import { buildTrainingData, type TrainingData } from '../offline/jobs/training-data.js';
import { terminalProgress } from '../offline/progress.js';
import { generateMl20mShaped, ML20M_SHAPE } from './ml20m-shaped.js';

const DATASETS = ['small', 'ml1m', '20m'] as const;
type DatasetName = (typeof DATASETS)[number];
const JOB_NAMES = ['item-cf', 'swing'] as const;
type JobName = (typeof JOB_NAMES)[number];

/** V8 heap limit per child, MiB (the big arrays are off-heap typed arrays). */
const HEAP_MB: Record<DatasetName, number> = { small: 1024, ml1m: 2048, '20m': 4096 };

export interface BenchRow {
  readonly dataset: string;
  readonly users: number;
  readonly items: number;
  readonly interactions: number;
  readonly job: string;
  readonly threads: number;
  readonly loadSeconds: number;
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly maxRssMb: number;
  readonly entries: number;
}

function datasetPath(root: string, name: DatasetName): string | null {
  if (name === 'small') return join(root, 'ml-latest-small');
  if (name === 'ml1m') return join(root, 'ml-1m', 'ratings-users-1-2999.dat');
  return null;
}

async function loadTraining(root: string, name: DatasetName): Promise<TrainingData> {
  if (name === '20m') return generateMl20mShaped(ML20M_SHAPE);
  const loaded = await loadDataset(datasetPath(root, name)!);
  return buildTrainingData(loaded.dataset);
}

/** Child: one dataset, one job; prints one JSON line. */
async function child(root: string, dataset: DatasetName, job: JobName, threads: number): Promise<void> {
  const loadStarted = performance.now();
  const data = await loadTraining(root, dataset);
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const config = parseConfig({ jobs: { [job]: { threads } } });
  const started = performance.now();
  const output = await findJob(job)!.run({ data, config, progress: terminalProgress, validation: emptyValidation(data.users) });
  const seconds = (performance.now() - started) / 1000;
  const details = output.details;
  const row: BenchRow = {
    dataset,
    users: data.users,
    items: data.items,
    interactions: data.interactions,
    job,
    threads: Number(details.threads),
    loadSeconds: round(loadSeconds, 2),
    seconds: round(seconds, 2),
    peakRssMb: Number(details.peakRssMb),
    maxRssMb: round((process.resourceUsage().maxRSS * 1024) / (1 << 20), 1),
    entries: Number(details.entries),
  };
  process.stdout.write(`BENCH ${JSON.stringify(row)}\n`);
}

function runChild(heapMb: number, args: string[]): Promise<BenchRow> {
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, fileURLToPath(import.meta.url), '--child', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => (out += chunk));
    proc.on('error', reject);
    proc.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH '));
      if (code !== 0 || !line) reject(new Error(`bench child ${args.join(' ')} exited with ${code}\n${out}`));
      else resolvePromise(JSON.parse(line.slice('BENCH '.length)) as BenchRow);
    });
  });
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function table(rows: readonly BenchRow[]): string {
  const lines = [
    '| dataset | users | items | interactions | job | threads | seconds | peak RSS MB | max RSS MB |',
    '|---|---:|---:|---:|---|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.dataset} | ${r.users} | ${r.items} | ${r.interactions} | ${r.job} | ${r.threads} | ${r.seconds.toFixed(2)} | ${r.peakRssMb.toFixed(0)} | ${r.maxRssMb.toFixed(0)} |`);
  }
  return lines.join('\n');
}

function list<T extends string>(value: string, allowed: readonly T[], what: string): T[] {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const name of names) if (!(allowed as readonly string[]).includes(name)) throw new Error(`unknown ${what} "${name}" (one of ${allowed.join(', ')})`);
  return names as T[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'boolean', default: false },
      datasets: { type: 'string', default: DATASETS.join(',') },
      jobs: { type: 'string', default: JOB_NAMES.join(',') },
      threads: { type: 'string', default: '0' },
      'data-root': { type: 'string', default: '../shared/data/movielens' },
      out: { type: 'string' },
    },
  });
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 0) throw new Error(`--threads must be a non-negative integer, got ${values.threads}`);
  const root = resolve(values['data-root']);
  const datasets = list(values.datasets, DATASETS, 'dataset');
  const jobs = list(values.jobs, JOB_NAMES, 'job');
  if (values.child) {
    await child(root, datasets[0]!, jobs[0]!, threads);
    return;
  }
  const before = loadavg();
  const rows: BenchRow[] = [];
  for (const dataset of datasets) {
    const path = datasetPath(root, dataset);
    if (path !== null && !existsSync(path)) {
      process.stderr.write(`skipping ${dataset}: ${path} not found\n`);
      continue;
    }
    for (const job of jobs) {
      process.stderr.write(`${dataset} / ${job} ...\n`);
      rows.push(await runChild(HEAP_MB[dataset], ['--datasets', dataset, '--jobs', job, '--threads', String(threads), '--data-root', root]));
    }
  }
  const after = loadavg();
  const machine = { cpus: cpus().length, availableParallelism: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown', totalMemGb: round(totalmem() / 2 ** 30, 1), node: process.version, loadavgBefore: before, loadavgAfter: after };
  process.stdout.write(`${table(rows)}\n\nmachine: ${machine.cpus} cpus (${machine.cpuModel}), ${machine.totalMemGb} GB, node ${machine.node}; load average before ${before.map((x) => x.toFixed(2)).join(' ')}, after ${after.map((x) => x.toFixed(2)).join(' ')}\n`);
  if (values.out) await writeFile(values.out, `${JSON.stringify({ machine, rows }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
