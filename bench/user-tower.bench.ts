/**
 * User-tower inference latency: onnxruntime-node (CPU, one intra-op thread), one user per
 * run as the two-tower recall source calls it, a full history of `maxHistory` items. The
 * model has ml-1m-half's shape and the `jobs.two-tower` defaults (random weights: latency
 * does not depend on them). Prints a markdown row per history length (p50 / p99 in ms), and
 * the whole source call (tower + exact top-500 search over the catalogue).
 *
 *   npm run bench:user-tower -- [--runs 2000] [--users 3000] [--items 3700]
 */
import { parseArgs } from 'node:util';
import { parseConfig } from '../lib/config/load-config.js';
import { UserTower } from '../lib/onnx/user-tower.js';
import { ExactVectorIndex } from '../lib/stores/vectors/exact-vector-index.js';
import { createPrng } from '../offline/data/prng.js';
import type { Dataset } from '../offline/data/dataset.js';
import { buildTowerFeatures } from '../offline/jobs/two-tower/two-tower.features.js';
import { TwoTowerModel } from '../offline/jobs/two-tower/two-tower.model.js';
import { servedItemVectors } from '../offline/jobs/two-tower/two-tower.trainer.js';
import { exportUserTower } from '../offline/jobs/two-tower/user-tower.export.js';
import { TwoTowerSource } from '../services/recall/sources/two-tower.source.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '2000' }, users: { type: 'string', default: '3000' }, items: { type: 'string', default: '3700' } } });
const runs = Number(values.runs);
const users = Number(values.users);
const items = Number(values.items);
const options = parseConfig({}).jobs['two-tower'];
const random = createPrng(1);

// Metadata-only dataset of the right shape: 18 genres, years, three demographic fields.
const GENRES = Array.from({ length: 18 }, (_, k) => `g${k}`);
const dataset: Dataset = {
  name: 'bench',
  userIds: Array.from({ length: users }, (_, u) => String(u)),
  itemIds: Array.from({ length: items }, (_, i) => String(i)),
  itemMeta: Array.from({ length: items }, (_, i) => ({ title: String(i), year: 1920 + (i % 80), genres: [GENRES[i % 18]!, GENRES[(i * 7) % 18]!] })),
  userMeta: Array.from({ length: users }, (_, u) => ({ gender: u % 2 === 0 ? 'F' : 'M', age: [1, 18, 25, 35, 45, 50, 56][u % 7]!, occupation: String(u % 21) })),
  interactions: { length: 0, user: new Int32Array(0), item: new Int32Array(0), rating: new Float32Array(0), timestamp: new Float64Array(0) },
};
const model = new TwoTowerModel({ ...options, users, items }, buildTowerFeatures(dataset), random);
// Served vectors are dim + 1 wide (the popularity-prior column).
const meta = { dim: options.dim + 1, users, items, maxHistory: options.maxHistory };
const tower = await UserTower.load(exportUserTower(model), meta);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

async function measure(label: string, call: (k: number) => Promise<unknown>): Promise<void> {
  for (let k = 0; k < 200; k++) await call(k);
  const times: number[] = [];
  for (let k = 0; k < runs; k++) {
    const started = performance.now();
    await call(k);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(`| ${label} | ${percentile(times, 0.5).toFixed(3)} | ${percentile(times, 0.99).toFixed(3)} |`);
}

const histories = Array.from({ length: 64 }, () => Int32Array.from({ length: options.maxHistory }, () => random.int(items)));
console.log(`user tower: ${users} users, ${items} items, dim ${options.dim}, hidden ${JSON.stringify(options.userHidden)}, ${runs} runs`);
console.log('| call | p50 ms | p99 ms |');
console.log('|---|---:|---:|');
await measure(`user tower, history ${options.maxHistory}`, (k) => tower.vector(k % users, histories[k % 64]!));
await measure('user tower, history 100', (k) => tower.vector(k % users, histories[k % 64]!.subarray(0, 100)));
await measure('user tower, history 10', (k) => tower.vector(k % users, histories[k % 64]!.subarray(0, 10)));
const source = new TwoTowerSource(tower, new ExactVectorIndex(servedItemVectors(model.allItemVectors(), options.dim, Float32Array.from({ length: items }, (_, i) => -0.01 * (i % 100)), 0.5), options.dim + 1), (id) => Number(id), { overFetch: 100 });
const none = (): boolean => false;
await measure(`two-tower source (tower + exact top-500 of ${items})`, (k) =>
  source.recall({ userId: String(k % users), known: true, recent: histories[k % 64]!, recentRatings: new Float32Array(0), blocked: none }, 500));
await tower.close();
