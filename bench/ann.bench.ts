/**
 * Two-tower online retrieval benchmark: exact and HNSW top-k over item vectors shaped like a
 * trained model's (bench/ann-vectors.ts: clustered, log-normal norms in `raw`, unit norms in
 * `normalised`), one printed table. Recall@k of HNSW is measured against the exact index on
 * the same queries; latency is per `search()` call (one query, promise included) after a
 * warm-up, on one core of this machine.
 *
 *   npm run bench:ann -- [--items 60000] [--dim 64] [--queries 1000] [--k 200]
 *                        [--ef 200,250,300] [--m 32] [--ef-construction 200]
 *                        [--variants normalised,raw] [--spaces ip,l2-augmented] [--out bench-ann.json]
 *
 * --spaces: HNSW graph spaces to build (hnsw-vector-index.ts); `ip` is what serving uses by default.
 */
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { CandidateList } from '../lib/domain/candidate.js';
import { ExactVectorIndex } from '../lib/stores/vectors/exact-vector-index.js';
import { HnswVectorIndex, buildHnswIndex, type HnswSpace } from '../lib/stores/vectors/hnsw-vector-index.js';
import type { VectorIndex } from '../lib/stores/vectors/vector-index.js';
import { annItemVectors, annQueries, type AnnVectorShape, type VectorVariant } from './ann-vectors.js';

/** One line of the table. Rows that are not a vector search leave recall and build empty. */
export interface BenchRow {
  readonly what: string;
  readonly vectors: string;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Process CPU time per call (getrusage): what the call costs without the scheduler's waits on a shared machine. */
  readonly cpuP50Ms: number | null;
  readonly cpuP99Ms: number | null;
  readonly recall: number | null;
  readonly buildSeconds: number | null;
  readonly indexMiB: number | null;
  readonly notes: string;
}

const WARMUP = 100;

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

interface Timed {
  readonly results: CandidateList[];
  readonly p50: number;
  readonly p99: number;
  readonly cpuP50: number;
  readonly cpuP99: number;
}

async function timeSearches(index: VectorIndex, queries: readonly Float32Array[], k: number): Promise<Timed> {
  for (let i = 0; i < Math.min(WARMUP, queries.length); i++) await index.search(queries[i]!, k);
  const millis = new Float64Array(queries.length);
  const cpuMillis = new Float64Array(queries.length);
  const results: CandidateList[] = [];
  for (const [q, query] of queries.entries()) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    results.push(await index.search(query, k));
    millis[q] = performance.now() - started;
    const used = process.cpuUsage(cpu);
    cpuMillis[q] = (used.user + used.system) / 1000;
  }
  millis.sort();
  cpuMillis.sort();
  return { results, p50: percentile(millis, 0.5), p99: percentile(millis, 0.99), cpuP50: percentile(cpuMillis, 0.5), cpuP99: percentile(cpuMillis, 0.99) };
}

function recallAt(results: readonly CandidateList[], truth: readonly CandidateList[], k: number): number {
  let hits = 0;
  let total = 0;
  for (const [q, result] of results.entries()) {
    const want = new Set(truth[q]!.items.subarray(0, k));
    total += want.size;
    for (const item of result.items.subarray(0, k)) if (want.has(item)) hits++;
  }
  return total === 0 ? 1 : hits / total;
}

function formatTable(rows: readonly BenchRow[], k: number): string {
  const fixed = (value: number | null, digits: number): string => (value === null ? '' : value.toFixed(digits));
  const lines = [
    `| what | vectors | p50 ms | p99 ms | CPU p50 ms | CPU p99 ms | recall@${k} | build s | index MiB | notes |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map((row) => `| ${row.what} | ${row.vectors} | ${fixed(row.p50Ms, 3)} | ${fixed(row.p99Ms, 3)} | ${fixed(row.cpuP50Ms, 3)} | ${fixed(row.cpuP99Ms, 3)} | ${fixed(row.recall, 4)} | ${fixed(row.buildSeconds, 1)} | ${fixed(row.indexMiB, 1)} | ${row.notes} |`),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      items: { type: 'string', default: '60000' },
      dim: { type: 'string', default: '64' },
      queries: { type: 'string', default: '1000' },
      k: { type: 'string', default: '200' },
      ef: { type: 'string', default: '200,250,300' },
      m: { type: 'string', default: '32' },
      'ef-construction': { type: 'string', default: '200' },
      variants: { type: 'string', default: 'normalised,raw' },
      spaces: { type: 'string', default: 'ip' },
      out: { type: 'string' },
    },
  });
  const shape: AnnVectorShape = { items: Number(values.items), dim: Number(values.dim), clusters: 200, seed: 2026 };
  const k = Number(values.k);
  const efs = values.ef.split(',').map(Number);
  const m = Number(values.m);
  const efConstruction = Number(values['ef-construction']);
  const variants = values.variants.split(',') as VectorVariant[];
  const spaces = values.spaces.split(',') as HnswSpace[];
  const queries = annQueries(shape, Number(values.queries));
  const label = (variant: VectorVariant): string => `${shape.items.toLocaleString('en')} x ${shape.dim} ${variant}`;
  process.stderr.write(`ann bench: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);

  const rows: BenchRow[] = [];
  for (const variant of variants) {
    const vectors = annItemVectors(shape, variant);
    const exact = new ExactVectorIndex(vectors, shape.dim);
    const truth = await timeSearches(exact, queries, k);
    rows.push({ what: `exact top-${k} (JS, typed arrays)`, vectors: label(variant), p50Ms: truth.p50, p99Ms: truth.p99, cpuP50Ms: truth.cpuP50, cpuP99Ms: truth.cpuP99, recall: 1, buildSeconds: 0, indexMiB: vectors.byteLength / 2 ** 20, notes: 'index = the vectors' });
    process.stderr.write(`  ${variant}: exact p50 ${truth.p50.toFixed(3)} ms\n`);
    for (const space of spaces) {
      process.stderr.write(`  ${variant}: building HNSW (${space}, m ${m}, efConstruction ${efConstruction})...\n`);
      const started = performance.now();
      const built = await buildHnswIndex(vectors, shape.dim, { space, m, efConstruction, seed: 100 });
      const buildSeconds = (performance.now() - started) / 1000;
      for (const ef of efs) {
        const hnsw = await HnswVectorIndex.load(vectors, built.index, built.meta, ef);
        const timed = await timeSearches(hnsw, queries, k);
        rows.push({
          what: `HNSW top-${k}, ${space} space, ef ${ef}`, vectors: label(variant), p50Ms: timed.p50, p99Ms: timed.p99, cpuP50Ms: timed.cpuP50, cpuP99Ms: timed.cpuP99,
          recall: recallAt(timed.results, truth.results, k), buildSeconds, indexMiB: built.index.length / 2 ** 20,
          notes: `m ${m}, efConstruction ${efConstruction}; persisted bytes, exact re-scoring`,
        });
        await hnsw.close();
      }
    }
  }
  // Two-tower online path: the user-tower inference row (onnxruntime-node, one user) goes here,
  // pushed as a BenchRow with recall/build/index (and CPU, if not measured) left null, so one
  // table shows the whole path.

  const table = formatTable(rows, k);
  process.stdout.write(`${table}\n`);
  if (values.out !== undefined) await writeFile(values.out, `${JSON.stringify({ shape, k, queries: queries.length, rows }, null, 2)}\n`);
}

await main();
