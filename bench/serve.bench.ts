/**
 * Serving benchmark: builds (or reuses) a bundle for a dataset, starts the all-in-one server
 * as a child process with every recall source on and N candidates reaching the rank stage,
 * drives Recommend with the built-in gRPC load driver (bench/serve/load-worker.ts), then, in
 * the same run, the Echo RPC on the same server (the transport ceiling, echo.rps), and times
 * the bundle's ranker on one thread (model.ms). From those: limit_rps and efficiency.
 *
 *   npm run --silent bench:serve -- --data <ratings or folder> --candidates 500 --concurrency 32 --duration 20 --out f.json
 *
 * Flags: SERVE_BENCH_USAGE in bench/serve/bench-args.ts.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../lib/config/load-config.js';
import { errorMessage, isRecsysError } from '../lib/domain/errors.js';
import { EmbeddedBundleStore } from '../lib/stores/bundle/embedded-bundle-store.js';
import { loadServingBundle, type ServingBundle } from '../lib/stores/bundle/serving-bundle.js';
import { EmbeddedHistoryStore } from '../lib/stores/features/embedded-history-store.js';
import type { RecsysConfig } from '../lib/config/schema.js';
import { createInProcessPipeline } from '../services/server/in-process-pipeline.js';
import { loadRecsysPackageDefinition } from '../services/server/load-proto.js';
import { loadPackageDefinition } from '@grpc/grpc-js';
import type { ProtoGrpcType as RecommendProto } from '../lib/generated/recommend.js';
import type { ProtoGrpcType as DiagnosticsProto } from '../lib/generated/diagnostics.js';
import { BenchUsageError, parseServeBenchArgs, SERVE_BENCH_USAGE, type ServeBenchArgs } from './serve/bench-args.js';
import { benchBundle } from './serve/bench-bundle.js';
import { benchConfig } from './serve/bench-config.js';
import { benchReport, formatVerdict } from './serve/bench-report.js';
import { driveLoad } from './serve/load-driver.js';
import { measureModelMs } from './serve/model-time.js';
import { formatRun, type RunSummary } from './serve/run-summary.js';
import { processCpuSeconds, processMemoryMb, startServerProcess } from './serve/server-process.js';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** Bundle users in a seeded shuffled order, so consecutive calls hit unrelated users. */
function shuffledUsers(bundle: ServingBundle): string[] {
  const users = [...bundle.userIndex.keys()];
  let state = 0x9e3779b9;
  for (let i = users.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    const j = state % (i + 1);
    [users[i], users[j]] = [users[j]!, users[i]!];
  }
  return users;
}

/** How many candidates reach the rank stage per call, from in-process pipeline runs over `users`. */
async function candidatesPerCall(bundle: ServingBundle, config: Readonly<RecsysConfig>, users: readonly string[]): Promise<{ mean: number; min: number; max: number }> {
  // No ranker: the candidates reaching the rank stage are counted before it, and a ranker's
  // worker threads, never closed, kept the bench process alive after it had written its report.
  const pipeline = createInProcessPipeline(bundle, config, new EmbeddedHistoryStore(), { deadlines: false, rankPort: null });
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const userId of users) {
    const n = (await pipeline.recommend({ userId, count: 10, excludeItemIds: [] })).merged.items.length;
    sum += n;
    min = Math.min(min, n);
    max = Math.max(max, n);
  }
  return { mean: users.length === 0 ? 0 : sum / users.length, min: users.length === 0 ? 0 : min, max };
}

async function run(args: ServeBenchArgs): Promise<void> {
  const cores = availableParallelism();
  const base = loadConfig({ path: args.config });
  const cache = resolve(args.bundleCache);
  const draft = benchConfig(base, { candidates: args.candidates, count: args.count, bundleRoot: cache });
  const built = await benchBundle(draft, args.data, cache, log);
  const config = benchConfig(base, { candidates: args.candidates, count: args.count, bundleRoot: built.root });
  log(`bundle ${built.version} (${built.reused ? 'reused' : 'built'}) for ${built.dataset}: ${built.root}`);

  const store = new EmbeddedBundleStore(built.root);
  const bundle = await loadServingBundle(store, built.version);
  const users = shuffledUsers(bundle);
  const candidates = await candidatesPerCall(bundle, config, users.slice(0, 200));
  const rankerPath = 'ranker.onnx' in bundle.manifest.artifacts ? join(built.root, 'versions', built.version, 'ranker.onnx') : null;
  await bundle.similarity.close();
  const model = await measureModelMs(rankerPath, args.candidates);
  const modelNote = model.ms === null ? model.reason : `median of ${model.runs} runs, 1 intra-op thread, inputs ${model.inputs}`;
  log(model.ms === null ? `model.ms: null (${model.reason})` : `model.ms ${model.ms.toFixed(3)} (${modelNote})`);

  const runDir = resolve('var', 'bench', `run-${process.pid}`);
  await mkdir(runDir, { recursive: true });
  const configPath = join(runDir, 'recsys.yaml');
  await writeFile(configPath, `# bench:serve run config (JSON is YAML)\n${JSON.stringify(config, null, 2)}\n`);
  const nodeArgs = args.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', resolve(args.cpuProf)] : [];
  const server = await startServerProcess(configPath, nodeArgs);
  log(`server pid ${server.pid} on 127.0.0.1:${server.port}`);

  let peakRssMb = 0;
  const sampler = setInterval(() => {
    void processMemoryMb(server.pid).then((memory) => {
      if (memory) peakRssMb = Math.max(peakRssMb, memory.hwmMb);
    });
  }, 500);
  let recommend: RunSummary;
  let echo: RunSummary | null = null;
  let serverCpuMsPerCall: number | null = null;
  try {
    const definition = loadRecsysPackageDefinition();
    const proto = loadPackageDefinition(definition) as unknown as RecommendProto & DiagnosticsProto;
    const recommendMethod = proto.recsys.v1.RecommendService.service.Recommend;
    const echoMethod = proto.recsys.v1.DiagnosticsService.service.Echo;
    const common = { target: `127.0.0.1:${server.port}`, concurrency: args.concurrency, workers: args.workers, channels: args.channels, rate: args.rate, warmupSeconds: args.warmup, deadlineMs: args.deadlineMs };
    log(`Recommend: ${args.concurrency} in flight, ${args.workers} driver thread(s), ${args.rate === 0 ? 'max throughput' : `${args.rate} calls/s`}, ${args.warmup} s warm-up + ${args.duration} s`);
    // Server CPU over the measured window: CPU per call is what contention on a shared machine does not distort.
    let cpuAtStart: Promise<number | null> = Promise.resolve(null);
    let cpuAtEnd: Promise<number | null> = Promise.resolve(null);
    recommend = await driveLoad({
      ...common,
      countDegraded: true,
      onStart: () => {
        setTimeout(() => {
          cpuAtStart = processCpuSeconds(server.pid);
        }, args.warmup * 1000);
        setTimeout(() => {
          cpuAtEnd = processCpuSeconds(server.pid);
        }, (args.warmup + args.duration) * 1000);
      },
      name: `Recommend (${args.candidates} candidates, count ${args.count})`,
      path: recommendMethod.path,
      requests: users.map((userId) => recommendMethod.requestSerialize({ user_id: userId, count: args.count })),
      durationSeconds: args.duration,
    });
    process.stdout.write(`${formatRun(recommend)}\n\n`);
    const [cpu0, cpu1] = await Promise.all([cpuAtStart, cpuAtEnd]);
    if (cpu0 !== null && cpu1 !== null && recommend.count > 0) serverCpuMsPerCall = ((cpu1 - cpu0) * 1000) / recommend.count;
    if (!args.noEcho) {
      // The ceiling is a max-throughput figure whatever --rate the Recommend run used.
      echo = await driveLoad({ ...common, rate: 0, name: 'Echo (transport ceiling)', path: echoMethod.path, requests: [echoMethod.requestSerialize({ payload: Buffer.alloc(0) })], durationSeconds: args.echoDuration });
      process.stdout.write(`${formatRun(echo)}\n\n`);
    }
    const memory = await processMemoryMb(server.pid);
    if (memory) peakRssMb = Math.max(peakRssMb, memory.hwmMb);
  } finally {
    clearInterval(sampler);
    const code = await server.stop();
    if (code !== 0) log(`server exited with ${code}:\n${server.stderrTail()}`);
    await rm(runDir, { recursive: true, force: true });
  }

  const report = benchReport({
    recommend,
    echo,
    modelMs: model.ms,
    modelNote,
    cores,
    serverPeakRssMb: peakRssMb > 0 ? peakRssMb : null,
    serverCpuMsPerCall,
    candidates: args.candidates,
    candidatesMeasured: candidates,
    settings: { dataset: built.dataset, bundle: built.version, concurrency: args.concurrency, workers: args.workers, channels: args.channels, rate: args.rate, duration_s: args.duration, warmup_s: args.warmup, count: args.count },
  });
  process.stdout.write(`${formatVerdict(report)}\n`);
  if (args.out) {
    await writeFile(args.out, `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${args.out}`);
  }
}

async function main(): Promise<number> {
  let args: ServeBenchArgs | 'help';
  try {
    args = parseServeBenchArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof BenchUsageError) {
      log(`bench:serve: ${error.message}\n\n${SERVE_BENCH_USAGE}`);
      return 2;
    }
    throw error;
  }
  if (args === 'help') {
    process.stdout.write(`${SERVE_BENCH_USAGE}\n`);
    return 0;
  }
  try {
    await run(args);
  } catch (error) {
    log(`bench:serve: ${errorMessage(error)}${isRecsysError(error) ? ` [${error.code}]` : ''}`);
    if (process.env.RECSYS_DEBUG) console.error(error);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
