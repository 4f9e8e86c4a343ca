/**
 * Ranking benchmark: scoring 500 candidates with the wide-deep ONNX graph, CPU provider,
 * one intra-op thread, in this thread (no worker hop), printed two ways:
 *   raw ORT   session.run on feeds built once (the model alone);
 *   assembled FeatureAssembler.assemble + feeds + session.run per call (what a request pays).
 * The model has the ml-1m shape (6,040 users, 3,706 items, 18 genres, the three default
 * recall sources) and the configured `rank.train` shape (embedding dim, MLP widths, ensemble
 * members, each a full wide & deep in the one graph); weights are seeded random, which does
 * not change the cost.
 *
 *   npm run bench:rank -- [--candidates 500] [--iterations 3000] [--threads 1] [--config recsys.yaml] [--out f.json]
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { buildFeatureSpec } from '../lib/features/build-feature-spec.js';
import { FeatureAssembler } from '../lib/features/feature-assembler.js';
import { buildItemTensors } from '../lib/features/item-tensors.js';
import { USER_CATEGORICAL_FIELDS, USER_DENSE_FIELDS } from '../lib/features/feature-spec.js';
import { rankerFeeds, toOrtTensors } from '../lib/features/model-feeds.js';
import { SCORE_OUTPUT } from '../lib/features/model-inputs.js';
import { createPrng } from '../offline/data/prng.js';
import { loadConfig } from '../lib/config/load-config.js';
import { WideDeepModel, wideDeepToOnnx } from '../offline/rank/wide-deep-model.js';

const { values: args } = parseArgs({
  options: {
    candidates: { type: 'string', default: '500' },
    iterations: { type: 'string', default: '3000' },
    threads: { type: 'string', default: '1' },
    config: { type: 'string' },
    out: { type: 'string' },
  },
});
const CANDIDATES = Number(args.candidates);
const ITERATIONS = Number(args.iterations);
const THREADS = Number(args.threads);
const USERS = 6040;
const ITEMS = 3706;
const ALS_FACTORS = 64;
const GENRES = ['Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy', 'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western'];
const SOURCES = ['item-cf', 'swing', 'popular'];

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function main(): Promise<void> {
  const random = createPrng(11);
  const catalogue = {
    years: Array.from({ length: ITEMS }, () => 1920 + random.int(81)),
    genres: Array.from({ length: ITEMS }, () => [GENRES[random.int(GENRES.length)]!, GENRES[random.int(GENRES.length)]!]),
  };
  const { spec, tables } = buildFeatureSpec({
    ...catalogue,
    userMeta: Array.from({ length: USERS }, () => ({ gender: random.next() < 0.5 ? 'F' : 'M', age: [1, 18, 25, 35, 45, 50, 56][random.int(7)]!, occupation: String(random.int(21)) })),
    itemCount: Int32Array.from({ length: ITEMS }, () => random.int(3000)),
    itemRatingSum: Float64Array.from({ length: ITEMS }, () => random.int(10_000)),
    itemRatingCount: Int32Array.from({ length: ITEMS }, () => random.int(3000)),
    userActivity: Int32Array.from({ length: USERS }, () => 20 + random.int(480)),
    sources: SOURCES,
    // The default rank.als shape, so the fold-in's cost is part of the assembly figure.
    als: { factors: ALS_FACTORS, alpha: 3, lambda: 30 },
    alsItemFactors: Float32Array.from({ length: ITEMS * ALS_FACTORS }, () => random.normal() * 0.1),
  });
  const { embeddingDim, hidden, members } = loadConfig({ path: args.config }).rank.train;
  const models = Array.from({ length: members }, () => new WideDeepModel(spec, { deep: true, embeddingDim, hidden }, random));
  const model = models[0]!;
  const session = await ort.InferenceSession.create(wideDeepToOnnx(models), { executionProviders: ['cpu'], intraOpNumThreads: THREADS, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });

  const items = buildItemTensors(spec, tables, catalogue);
  const assembler = new FeatureAssembler(spec, items, tables, CANDIDATES);
  const candidateItems = Int32Array.from({ length: CANDIDATES }, () => random.int(ITEMS));
  const sourceScores = new Map(SOURCES.map((source) => [source, Float32Array.from({ length: CANDIDATES }, () => (random.next() < 0.6 ? random.next() : Number.NaN))]));
  const candidates = { items: candidateItems, scores: Float32Array.from({ length: CANDIDATES }, (_, r) => 1 / (61 + r)), sourceScores };
  const user = { userIndex: 17, recent: Int32Array.from({ length: 200 }, () => random.int(ITEMS)), recentRatings: Float32Array.from({ length: 200 }, () => 1 + random.int(5)) };

  const fixedFeeds = toOrtTensors(rankerFeeds(spec, new FeatureAssembler(spec, items, tables, CANDIDATES).assemble(user, candidates)));
  const raw = new Float64Array(ITERATIONS);
  const assembled = new Float64Array(ITERATIONS);
  const assembly = new Float64Array(ITERATIONS);
  for (let k = 0; k < 200; k++) await session.run(fixedFeeds);
  // Interleaved, so both see the same machine load.
  for (let k = 0; k < ITERATIONS; k++) {
    let started = performance.now();
    const out = await session.run(fixedFeeds);
    raw[k] = performance.now() - started;
    if ((out[SCORE_OUTPUT]?.data.length ?? 0) !== CANDIDATES) throw new Error('wrong output length');
    started = performance.now();
    const batch = assembler.assemble(user, candidates);
    const feeds = toOrtTensors(rankerFeeds(spec, batch));
    assembly[k] = performance.now() - started;
    await session.run(feeds);
    assembled[k] = performance.now() - started;
  }
  const rows = [
    { what: 'raw ORT run (feeds built once)', samples: raw.sort() },
    { what: 'feature assembly alone', samples: assembly.sort() },
    { what: 'assembly + ORT run (per request)', samples: assembled.sort() },
  ].map(({ what, samples }) => ({ what, p50: percentile(samples, 0.5), p90: percentile(samples, 0.9), p99: percentile(samples, 0.99) }));
  // Per candidate in the graph: layer 1 over the candidate's columns only (the user's share is computed once per request).
  const userColumns = spec.categorical.filter((field) => field.deep && USER_CATEGORICAL_FIELDS.has(field.name)).length * embeddingDim + spec.dense.filter((field) => USER_DENSE_FIELDS.has(field.name)).reduce((sum, field) => sum + field.width, 0);
  const layers = model.mlp!.layers;
  const macs = members * layers.reduce((sum, layer, l) => sum + (l === 0 ? layer.inDim - userColumns : layer.inDim) * layer.outDim, 0);
  console.log(`wide-deep ONNX, ${CANDIDATES} candidates, CPU provider, ${THREADS} intra-op thread(s), ${ITERATIONS} iterations; ${members} member(s) of MLP ${model.mlp!.widths.join('-')} (${macs} MACs per candidate, user share of layer 1 once per request); load average ${loadavg()[0]!.toFixed(2)}`);
  console.log('\n| measured | p50 ms | p90 ms | p99 ms |\n| --- | ---: | ---: | ---: |');
  for (const row of rows) console.log(`| ${row.what} | ${row.p50.toFixed(3)} | ${row.p90.toFixed(3)} | ${row.p99.toFixed(3)} |`);
  if (args.out !== undefined) await writeFile(args.out, `${JSON.stringify({ candidates: CANDIDATES, threads: THREADS, iterations: ITERATIONS, members, hidden, macs, rows }, null, 2)}\n`);
  await session.release();
}

await main();
