/**
 * onnxruntime-node scoring benchmark: a wide&deep-sized MLP (136 inputs → 256 → 128 → 64
 * → 1, sigmoid; 76k multiply-adds per candidate) on a batch of candidates, run directly
 * on this thread (session.run, which blocks the event loop while it computes) and through
 * OrtWorkerPool (the session in a worker thread; feeds copied, or transferred).
 *
 *   npm run bench:ort -- [--rows 500] [--iterations 2000] [--threads 1] [--workers 1]
 *                        [--providers cpu] [--out bench-ort.json]
 *
 * Prints a markdown table of per-call latency percentiles (ms).
 */
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { createOrtSession, type ExecutionProvider } from '../lib/onnx/ort-session.js';
import { OrtWorkerPool } from '../lib/onnx/ort-worker-pool.js';
import { createPrng } from '../offline/data/prng.js';
import { MLP_LAYERS, macsPerRow, wideDeepSizedMlp } from './wide-deep-sized-mlp.js';

interface Row {
  readonly path: string;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly mean: number;
}

function summarise(path: string, samples: number[]): Row {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { path, p50: at(0.5), p90: at(0.9), p99: at(0.99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

async function time(iterations: number, call: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.min(100, iterations); i++) await call();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await call();
    samples.push(performance.now() - start);
  }
  return samples;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '500' },
      iterations: { type: 'string', default: '2000' },
      threads: { type: 'string', default: '1' },
      workers: { type: 'string', default: '1' },
      providers: { type: 'string', default: 'cpu' },
      out: { type: 'string' },
    },
  });
  const rows = Number(values.rows);
  const iterations = Number(values.iterations);
  const threads = Number(values.threads);
  const providers = values.providers.split(',') as ExecutionProvider[];
  const model = wideDeepSizedMlp();
  const width = MLP_LAYERS[0];
  const random = createPrng(1);
  const input = Float32Array.from({ length: rows * width }, () => random.normal());

  const direct = await createOrtSession(model, { executionProviders: providers, intraOpNumThreads: threads });
  const directSamples = await time(iterations, () => direct.session.run({ x: new ort.Tensor('float32', input, [rows, width]) }));
  await direct.release();

  const pool = await OrtWorkerPool.create(model, { workers: Number(values.workers), executionProviders: providers, intraOpNumThreads: threads, timeoutMs: 10_000 });
  const copySamples = await time(iterations, () => pool.run({ x: { type: 'float32', data: input, dims: [rows, width] } }, { transfer: false }));
  const transferSamples = await time(iterations, () => pool.run({ x: { type: 'float32', data: input.slice(), dims: [rows, width] } }));
  await pool.close();

  const results = [
    summarise(`direct session.run (${direct.provider})`, directSamples),
    summarise(`OrtWorkerPool, feeds copied (${pool.provider})`, copySamples),
    summarise(`OrtWorkerPool, feeds transferred (${pool.provider})`, transferSamples),
  ];
  console.log(`MLP ${MLP_LAYERS.join('-')} (${macsPerRow(MLP_LAYERS)} MACs/row), ${rows} rows, ${threads} intra-op thread(s), ${iterations} calls each\n`);
  console.log('| path | p50 ms | p90 ms | p99 ms | mean ms |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of results) console.log(`| ${r.path} | ${r.p50.toFixed(3)} | ${r.p90.toFixed(3)} | ${r.p99.toFixed(3)} | ${r.mean.toFixed(3)} |`);
  if (values.out !== undefined) await writeFile(values.out, JSON.stringify({ rows, threads, macsPerRow: macsPerRow(MLP_LAYERS), results }, null, 2));
}

await main();
