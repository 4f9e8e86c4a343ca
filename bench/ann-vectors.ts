/**
 * Item and query vectors shaped like a trained retrieval model's, for the ANN benchmark:
 * items fall into taste clusters of Zipf-distributed sizes (a few big genres, a long tail),
 * each item a noisy copy of its cluster centre; in the `raw` variant norms spread log-normally
 * (as in matrix factorisation, where popular items grow long vectors), in the `normalised`
 * variant every item has unit norm (the two-tower item tower L2-normalises). Queries (users)
 * mix one to three cluster centres plus noise and are unit vectors.
 */
import { createPrng, type Prng } from '../offline/data/prng.js';

export type VectorVariant = 'raw' | 'normalised';

export interface AnnVectorShape {
  readonly items: number;
  readonly dim: number;
  readonly clusters: number;
  readonly seed: number;
}

function normaliseRow(values: Float32Array, base: number, dim: number, norm: number): void {
  let sum = 0;
  for (let j = 0; j < dim; j++) sum += values[base + j]! ** 2;
  const scale = norm / Math.sqrt(sum);
  for (let j = 0; j < dim; j++) values[base + j]! *= scale;
}

function centres(random: Prng, clusters: number, dim: number): Float32Array {
  const out = new Float32Array(clusters * dim);
  for (let i = 0; i < out.length; i++) out[i] = random.normal();
  for (let c = 0; c < clusters; c++) normaliseRow(out, c * dim, dim, 1);
  return out;
}

/** Cluster of each item: Zipf(1) over cluster ranks. */
function zipfClusters(random: Prng, items: number, clusters: number): Int32Array {
  const cumulative = new Float64Array(clusters);
  let total = 0;
  for (let c = 0; c < clusters; c++) cumulative[c] = total += 1 / (c + 1);
  const out = new Int32Array(items);
  for (let i = 0; i < items; i++) {
    const u = random.next() * total;
    let lo = 0;
    let hi = clusters - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
  return out;
}

export function annItemVectors(shape: AnnVectorShape, variant: VectorVariant): Float32Array {
  const { items, dim, clusters } = shape;
  const random = createPrng(shape.seed);
  const centre = centres(random, clusters, dim);
  const cluster = zipfClusters(random, items, clusters);
  const out = new Float32Array(items * dim);
  const noise = 0.9 / Math.sqrt(dim);
  for (let i = 0; i < items; i++) {
    const c = cluster[i]!;
    for (let j = 0; j < dim; j++) out[i * dim + j] = centre[c * dim + j]! + noise * random.normal();
    // Log-normal norms (sigma 0.35: the 99th percentile ~2.3x the median) or unit norms.
    normaliseRow(out, i * dim, dim, variant === 'raw' ? Math.exp(0.35 * random.normal()) : 1);
  }
  return out;
}

export function annQueries(shape: AnnVectorShape, count: number): Float32Array[] {
  const { dim, clusters } = shape;
  const random = createPrng(shape.seed);
  // Same centres as the items (same seed, same first draws).
  const centre = centres(random, clusters, dim);
  const queryRandom = createPrng(shape.seed ^ 0x5bd1e995);
  return Array.from({ length: count }, () => {
    const query = new Float32Array(dim);
    const mixes = 1 + queryRandom.int(3);
    for (let m = 0; m < mixes; m++) {
      const c = queryRandom.int(clusters);
      const weight = 0.5 + queryRandom.next();
      for (let j = 0; j < dim; j++) query[j]! += weight * centre[c * dim + j]!;
    }
    for (let j = 0; j < dim; j++) query[j]! += (0.7 / Math.sqrt(dim)) * queryRandom.normal();
    normaliseRow(query, 0, dim, 1);
    return query;
  });
}
