import { Worker } from 'node:worker_threads';
import type { DriverJob, WorkerMessage } from './load-worker.js';
import { summariseRun, type RunSummary, type WorkerReport } from './run-summary.js';

export interface LoadRun {
  readonly name: string;
  readonly target: string;
  readonly path: string;
  readonly requests: readonly Uint8Array[];
  readonly concurrency: number;
  readonly workers: number;
  readonly channels: number;
  /** Calls per second in total; 0 = max throughput. */
  readonly rate: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  readonly deadlineMs: number;
  /** Read each OK response's serving.degraded_sources (Recommend responses only). */
  readonly countDegraded?: boolean;
  /** Called when the threads are told to start (warm-up begins). */
  readonly onStart?: () => void;
}

/** Splits `total` into `parts` near-equal integers (the first ones get the remainder). */
export function splitEvenly(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

/**
 * Runs the load across `workers` driver threads, started together once every thread's
 * channels are connected, and merges what they measured.
 */
export async function driveLoad(run: LoadRun): Promise<RunSummary> {
  const concurrency = splitEvenly(run.concurrency, run.workers);
  const workers = concurrency.map((slots, i) => {
    const job: DriverJob = {
      target: run.target,
      path: run.path,
      requests: run.requests,
      offset: Math.floor((i * run.requests.length) / run.workers),
      concurrency: slots,
      channels: run.channels,
      rate: run.rate === 0 ? 0 : run.rate / run.workers,
      warmupMs: run.warmupSeconds * 1000,
      durationMs: run.durationSeconds * 1000,
      deadlineMs: run.deadlineMs,
      countDegraded: run.countDegraded ?? false,
    };
    return new Worker(new URL('./load-worker.js', import.meta.url), { workerData: job });
  });
  const ready: Promise<void>[] = [];
  const reports = workers.map((worker, i) => {
    let markReady: () => void = () => undefined;
    ready.push(new Promise<void>((resolve) => (markReady = resolve)));
    return new Promise<WorkerReport>((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.kind === 'ready') markReady();
        else if (message.kind === 'report') resolve(message.report);
        else reject(new Error(`driver thread ${i}: ${message.error}`));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => { reject(new Error(`driver thread ${i} exited (${code}) before reporting`)); });
    });
  });
  try {
    await Promise.race([Promise.all(ready), Promise.all(reports)]);
    for (const worker of workers) worker.postMessage('go');
    run.onStart?.();
    return summariseRun(run.name, await Promise.all(reports), run.durationSeconds);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
