/**
 * The Recommend pipeline alone, in process (no gRPC): the bench:serve bundle and config
 * (every source on, each limited to --candidates, pre-rank = --candidates, the ranker in its
 * worker thread), `--concurrency` calls in flight over the bundle's users, several rounds.
 * Prints per round the process CPU per call (main thread + ORT worker: process.cpuUsage),
 * the main thread's CPU per call (/proc/self/task/<pid>/stat, Linux; 10 ms ticks) and the mean
 * stage timings. Optionally writes a CPU profile of the main thread (--cpu-prof <file>).
 *
 *   npm run bench:pipeline -- --bundle-root var/bench/bundles/<dataset>-<digest> [--candidates 500] [--concurrency 4] [--rounds 3] [--users 3000]
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config/load-config.js';
import { EmbeddedBundleStore } from '../lib/stores/bundle/embedded-bundle-store.js';
import { loadServingBundle } from '../lib/stores/bundle/serving-bundle.js';
import { EmbeddedHistoryStore } from '../lib/stores/features/embedded-history-store.js';
import { ortSessionOptionsFromConfig } from '../lib/onnx/ort-session.js';
import { createInProcessPipeline } from '../services/server/in-process-pipeline.js';
import type { RecommendPipeline } from '../services/recommend/recommend-pipeline.js';
import { benchConfig } from './serve/bench-config.js';
import { addCount, formatCounts } from '../lib/counts.js';

const { values: args } = parseArgs({
  options: {
    'bundle-root': { type: 'string' },
    candidates: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '3' },
    users: { type: 'string', default: '3000' },
    'cpu-prof': { type: 'string' },
  },
});

interface Round {
  readonly calls: number;
  readonly cpuMsPerCall: number;
  readonly mainMsPerCall: number;
  readonly wallMs: number;
  readonly degraded: number;
  /** Calls that dropped each source (or `rank`) past its deadline or on failure. */
  readonly degradedBy: Record<string, number>;
  readonly stages: Record<string, number>;
}

/** CPU ms (user + system) of the main thread so far, from /proc (NaN where unreadable). */
function mainThreadCpuMs(): number {
  try {
    const text = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

async function round(pipeline: RecommendPipeline, users: readonly string[], concurrency: number): Promise<Round> {
  const stages: Record<string, number> = {};
  let next = 0;
  let degraded = 0;
  const degradedBy: Record<string, number> = {};
  const cpu = process.cpuUsage();
  const main = mainThreadCpuMs();
  const started = performance.now();
  const lane = async (): Promise<void> => {
    while (next < users.length) {
      const userId = users[next++]!;
      const result = await pipeline.recommend({ userId, count: 10, excludeItemIds: [] });
      if (result.degradedSources.length > 0) degraded++;
      for (const source of result.degradedSources) addCount(degradedBy, source);
      for (const { stage, millis } of result.timings) stages[stage] = (stages[stage] ?? 0) + millis;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const mainMs = mainThreadCpuMs() - main;
  const calls = users.length;
  for (const stage of Object.keys(stages)) stages[stage] = stages[stage]! / calls;
  return { calls, cpuMsPerCall: (used.user + used.system) / 1000 / calls, mainMsPerCall: mainMs / calls, wallMs, degraded, degradedBy, stages };
}

async function main(): Promise<void> {
  const root = args['bundle-root'];
  if (root === undefined) throw new Error('--bundle-root is required');
  const candidates = Number(args.candidates);
  const config = benchConfig(loadConfig(), { candidates, count: 10, bundleRoot: root });
  const store = new EmbeddedBundleStore(root);
  const version = await store.current();
  if (version === null) throw new Error(`no bundle in ${root}`);
  const bundle = await loadServingBundle(store, version, { efSearch: config.stores.vectors.efSearch, ort: ortSessionOptionsFromConfig(config.onnx) });
  const pipeline = createInProcessPipeline(bundle, config, new EmbeddedHistoryStore());
  const ready = await pipeline.ready();
  if (ready !== null) throw new Error(`ranker: ${ready}`);
  const users = [...bundle.userIndex.keys()].slice(0, Number(args.users));
  await round(pipeline, users.slice(0, 300), Number(args.concurrency));
  const profiler = args['cpu-prof'] === undefined ? null : new Session();
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  for (let r = 0; r < Number(args.rounds); r++) {
    const result = await round(pipeline, users, Number(args.concurrency));
    const stages = Object.entries(result.stages).map(([stage, ms]) => `${stage} ${ms.toFixed(3)}`).join(', ');
    process.stdout.write(`round ${r + 1}: ${result.calls} calls, cpu/call ${result.cpuMsPerCall.toFixed(3)} ms, main/call ${result.mainMsPerCall.toFixed(3)} ms, ${(result.calls / (result.wallMs / 1000)).toFixed(0)} calls/s, ${result.degraded} degraded${result.degraded > 0 ? ` (${formatCounts(result.degradedBy)})` : ''}; stage wall ms/call: ${stages}; load ${loadavg()[0]!.toFixed(2)}\n`);
  }
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    await writeFile(args['cpu-prof']!, JSON.stringify(profile));
    profiler.disconnect();
  }
  await pipeline.close();
}

await main();
