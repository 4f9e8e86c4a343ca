/**
 * One driver thread: its own grpc-js channels (channelz off, a local subchannel pool so each
 * client is its own HTTP/2 connection), pre-serialised request bytes sent round-robin, and
 * responses kept as raw bytes (only a Recommend response's degraded sources are read, by a
 * wire-level scan), so the driver spends its CPU on the transport. Closed loop (each of
 * `concurrency` slots sends its next call when the last returns) or, with `rate`, open loop
 * with latency counted from each call's scheduled time (no coordinated omission). Calls that finish inside the measured window are reported.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Client, credentials, status, type ServiceError } from '@grpc/grpc-js';
import { LatencyHistogram } from './latency-histogram.js';
import { addCount } from '../../lib/counts.js';
import type { WorkerReport } from './run-summary.js';
import { degradedSourcesOf } from './serving-info.js';

export interface DriverJob {
  readonly target: string;
  /** Full method path, e.g. /recsys.v1.RecommendService/Recommend. */
  readonly path: string;
  /** Serialised request messages, sent round-robin from `offset`. */
  readonly requests: readonly Uint8Array[];
  readonly offset: number;
  readonly concurrency: number;
  readonly channels: number;
  /** This thread's calls per second; 0 = closed loop. */
  readonly rate: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly deadlineMs: number;
  /** Count responses whose serving info names degraded sources (RecommendResponse); false for echo. */
  readonly countDegraded: boolean;
}

export type WorkerMessage = { readonly kind: 'ready' } | { readonly kind: 'report'; readonly report: WorkerReport } | { readonly kind: 'failed'; readonly error: string };

const job = workerData as DriverJob;
const port = parentPort;
const identity = (bytes: Buffer): Buffer => bytes;
const requests = job.requests.map((bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
const clients = Array.from({ length: job.channels }, () => new Client(job.target, credentials.createInsecure(), { 'grpc.enable_channelz': 0, 'grpc.use_local_subchannel_pool': 1 }));

function waitReady(client: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    client.waitForReady(Date.now() + 10_000, (error) => {
      if (error) reject(error);
      else resolve();
    });
  });
}

function run(): Promise<WorkerReport> {
  const histogram = new LatencyHistogram();
  const errors: Record<string, number> = {};
  const degradedSources: Record<string, number> = {};
  let degradedCalls = 0;
  const started = performance.now();
  const measureStart = started + job.warmupMs;
  const measureEnd = measureStart + job.durationMs;
  let next = job.offset;
  let inFlight = 0;

  return new Promise((resolve) => {
    let stopped = false;
    const finishIfDrained = (): void => {
      if (stopped && inFlight === 0) resolve({ histogram: histogram.data(), errors, degradedCalls, degradedSources });
    };
    const send = (scheduled: number, onDone: () => void): void => {
      const n = next++;
      const client = clients[n % clients.length]!;
      inFlight++;
      client.makeUnaryRequest(job.path, identity, identity, requests[n % requests.length]!, { deadline: Date.now() + job.deadlineMs }, (error: ServiceError | null, response?: Buffer) => {
        inFlight--;
        const now = performance.now();
        if (now >= measureStart && now <= measureEnd) {
          if (error) {
            const name = status[error.code] as string | undefined ?? String(error.code);
            addCount(errors, name);
          } else {
            histogram.record(now - scheduled);
            if (job.countDegraded && response !== undefined) {
              const sources = degradedSourcesOf(response) ?? ['(unreadable response)'];
              if (sources.length > 0) degradedCalls++;
              for (const source of sources) addCount(degradedSources, source);
            }
          }
        }
        onDone();
      });
    };

    if (job.rate === 0) {
      const loop = (): void => {
        if (performance.now() >= measureEnd) {
          stopped = true;
          finishIfDrained();
          return;
        }
        send(performance.now(), loop);
      };
      for (let slot = 0; slot < job.concurrency; slot++) loop();
      return;
    }

    // Open loop: call k is due at started + k / rate; at most `concurrency` in flight, a late call keeps its due time.
    const interval = 1000 / job.rate;
    let issued = 0;
    let timer: NodeJS.Timeout | undefined;
    const tick = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      const now = performance.now();
      while (started + issued * interval <= now && inFlight < job.concurrency && started + issued * interval < measureEnd) {
        send(started + issued * interval, tick);
        issued++;
      }
      if (started + issued * interval >= measureEnd) {
        stopped = true;
        finishIfDrained();
        return;
      }
      if (inFlight < job.concurrency) timer = setTimeout(tick, Math.max(0, started + issued * interval - performance.now()));
    };
    tick();
  });
}

async function main(): Promise<void> {
  if (!port) return;
  try {
    await Promise.all(clients.map(waitReady));
    port.postMessage({ kind: 'ready' } satisfies WorkerMessage);
    await new Promise<void>((resolve) => port.once('message', () => { resolve(); }));
    const report = await run();
    for (const client of clients) client.close();
    port.postMessage({ kind: 'report', report } satisfies WorkerMessage);
  } catch (error) {
    port.postMessage({ kind: 'failed', error: error instanceof Error ? error.message : String(error) } satisfies WorkerMessage);
  }
}

await main();
