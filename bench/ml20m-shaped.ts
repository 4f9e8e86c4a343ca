/**
 * A seeded synthetic interaction log shaped like MovieLens-20M, generated straight into the
 * TrainingData typed arrays (SharedArrayBuffer-backed, so the i2i jobs share them with their
 * workers without a copy): no CSV, no Dataset rows.
 *
 * - User activity: 20 + lognormal (median 48, sigma 1.38), clamped to [20, 9254] and scaled
 *   so that the total is exactly `interactions` (ML-20M: min 20, median ~68, mean ~144,
 *   max 9254).
 * - Item popularity: Zipf-like, weight of popularity rank r ∝ 1/(r + 300)^2.2 (ML-20M-like:
 *   the top item in ~0.4% of the rows, about half the items under 20 ratings); ranks are
 *   mapped to item indices by a random permutation. Each user has one of 20 tastes: half of
 *   the picks follow the global ranking, half a taste-specific permutation of it, so
 *   co-occurrence has structure beyond popularity.
 * - Each user's picks get strictly increasing timestamps (random gaps up to 3 days).
 * Deterministic for a seed.
 */
import type { Dataset } from '../offline/data/dataset.js';
import { createPrng, shuffledIndices, type Prng } from '../offline/data/prng.js';
import { sharedFloat32, sharedFloat64, sharedInt32 } from '../lib/shared-arrays.js';
import type { TrainingData } from '../offline/jobs/training-data.js';

export interface ShapedOptions {
  readonly users: number;
  readonly items: number;
  readonly interactions: number;
  readonly seed?: number;
}

export const ML20M_SHAPE: ShapedOptions = { users: 138_000, items: 27_000, interactions: 20_000_000, seed: 20 };

const MIN_PER_USER = 20;
const MAX_PER_USER = 9254;
const TASTES = 20;
const FIRST_TIME = Date.UTC(1995, 0, 1) / 1000;
const SPAN = 20 * 365 * 86_400;

export function generateMl20mShaped(options: ShapedOptions): TrainingData {
  const { users, items } = options;
  const random = createPrng(options.seed ?? 20);
  const activity = userActivity(random, users, items, options.interactions);
  const userOffsets = sharedInt32(users + 1);
  for (let u = 0; u < users; u++) userOffsets[u + 1] = userOffsets[u]! + activity[u]!;
  const total = userOffsets[users]!;

  // Rank r -> item, globally and per taste.
  const global = shuffledIndices(random, items);
  const tastes: Int32Array[] = [];
  for (let g = 0; g < TASTES; g++) tastes.push(shuffledIndices(random, items));
  const alias = new AliasTable(Float64Array.from({ length: items }, (_, r) => 1 / (r + 1 + 300) ** 2.2));

  const userItems = sharedInt32(total);
  const userTimes = sharedFloat64(total);
  const mark = new Int32Array(items);
  const itemCounts = new Int32Array(items + 1);
  for (let u = 0; u < users; u++) {
    const start = userOffsets[u]!;
    const n = activity[u]!;
    const taste = tastes[random.int(TASTES)]!;
    const stamp = u + 1;
    let picked = 0;
    let attempts = 0;
    // Rejection sampling of distinct items; heavy users that exhaust it fall back to a scan.
    while (picked < n && attempts < 20 * n) {
      attempts++;
      const rank = alias.sample(random);
      const item = random.next() < 0.5 ? global[rank]! : taste[rank]!;
      if (mark[item] === stamp) continue;
      mark[item] = stamp;
      // Picks in time order; rows are stored most recent first.
      userItems[start + n - 1 - picked++] = item;
    }
    for (let r = 0; picked < n; r++) {
      const item = global[r]!;
      if (mark[item] === stamp) continue;
      mark[item] = stamp;
      userItems[start + n - 1 - picked++] = item;
    }
    let t = FIRST_TIME + Math.floor(random.next() * SPAN);
    for (let k = n - 1; k >= 0; k--) {
      t += 1 + random.int(3 * 86_400);
      userTimes[start + k] = t;
      itemCounts[userItems[start + k]! + 1]!++;
    }
  }
  const itemOffsets = sharedInt32(items + 1);
  for (let i = 0; i < items; i++) itemOffsets[i + 1] = itemOffsets[i]! + itemCounts[i + 1]!;
  const itemUsers = sharedInt32(total);
  const fill = itemOffsets.slice(0, items);
  for (let u = 0; u < users; u++) {
    for (let q = userOffsets[u]!; q < userOffsets[u + 1]!; q++) itemUsers[fill[userItems[q]!]!++] = u;
  }
  const dataset: Dataset = {
    name: `ml20m-shaped-${users}x${items}`,
    userIds: Array.from({ length: users }, (_, u) => String(u + 1)),
    itemIds: Array.from({ length: items }, (_, i) => String(i + 1)),
    itemMeta: [],
    userMeta: [],
    // The columnar rows are not materialised: the jobs read only the CSR arrays.
    interactions: { length: 0, user: new Int32Array(0), item: new Int32Array(0), rating: new Float32Array(0), timestamp: new Float64Array(0) },
  };
  // Implicit feedback: no ratings.
  const userRatings = sharedFloat32(total).fill(Number.NaN);
  return { dataset, users, items, interactions: total, userOffsets, userItems, userTimes, userRatings, itemOffsets, itemUsers };
}

/** Per-user counts: 20 + scaled lognormal, clamped, summing exactly to `interactions`. */
function userActivity(random: Prng, users: number, items: number, interactions: number): Int32Array {
  const max = Math.min(MAX_PER_USER, items);
  const min = Math.min(MIN_PER_USER, max);
  const raw = Float64Array.from({ length: users }, () => Math.exp(Math.log(48) + 1.38 * random.normal()));
  const counts = new Int32Array(users);
  const fill = (scale: number): number => {
    let sum = 0;
    for (let u = 0; u < users; u++) {
      counts[u] = Math.min(max, min + Math.round(scale * raw[u]!));
      sum += counts[u]!;
    }
    return sum;
  };
  let lo = 0;
  let hi = 100;
  for (let step = 0; step < 60; step++) {
    const mid = (lo + hi) / 2;
    if (fill(mid) < interactions) lo = mid;
    else hi = mid;
  }
  let diff = interactions - fill(lo);
  for (let u = 0; diff !== 0 && u < 100 * users; u++) {
    const at = u % users;
    if (diff > 0 && counts[at]! < max) { counts[at]!++; diff--; }
    else if (diff < 0 && counts[at]! > min) { counts[at]!--; diff++; }
  }
  return counts;
}

/** Vose's alias method: O(1) draws from a fixed discrete distribution. */
class AliasTable {
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: Float64Array) {
    const n = weights.length;
    let sum = 0;
    for (const w of weights) sum += w;
    const scaled = Float64Array.from(weights, (w) => (w * n) / sum);
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.prob[s] = scaled[s]!;
      this.alias[s] = l;
      const rest = scaled[l]! + scaled[s]! - 1;
      scaled[l] = rest;
      (rest < 1 ? small : large).push(l);
    }
    for (const i of [...small, ...large]) this.prob[i] = 1;
  }

  sample(random: Prng): number {
    const i = random.int(this.prob.length);
    return random.next() < this.prob[i]! ? i : this.alias[i]!;
  }
}
