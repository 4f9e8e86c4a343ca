/**
 * EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): the item-item
 * weight matrix B that best reconstructs each user's row of the binary interaction matrix X
 * from the user's other items, in closed form:
 *
 *   P = (XᵀX + λI)⁻¹,   B[h][j] = -P[h][j] / P[j][j]   (h ≠ j),   B[j][j] = 0
 *
 * and a user's score for item j is Σ over history items h of B[h][j]. Dense in the catalogue:
 * the Gram matrix costs Σ_u |I_u|² additions and the inverse n³ multiply-adds with n items,
 * so only the `maxItems` most popular items (ties: lower index) take part; the others get
 * empty rows and are left to the other sources. Each target j keeps its `neighbours`
 * weights of largest magnitude, negative ones included (row j: the history items h with
 * score B[h][j], score descending): on ml-1m-half (test NDCG@10, lambda 1000) the dense model
 * gives .326, keeping the 2,000 largest positive weights per target only .310, because
 * the negative weights carry much of EASE's accuracy.
 */
import { SimilarityTable } from '../../../lib/stores/similarity/similarity-table.js';
import { invertSpd } from '../parallel/spd-inverse.js';
import { sharedFloat64 } from '../../../lib/shared-arrays.js';
import type { TrainingData } from '../training-data.js';

export interface EaseOptions {
  /** L2 regularisation λ added to the Gram matrix's diagonal. */
  readonly lambda: number;
  /** Weights kept per target item. */
  readonly neighbours: number;
  /** Most items in the dense model (the most popular ones). */
  readonly maxItems: number;
  /** Threads for the inverse (1 = the calling thread). */
  readonly threads: number;
}

/** Catalogue indices of the items in the model: the `maxItems` most interacted with, ascending index order. */
export function easeItems(data: TrainingData, maxItems: number): Int32Array {
  const counts: number[] = [];
  for (let i = 0; i < data.items; i++) if (data.itemOffsets[i + 1]! > data.itemOffsets[i]!) counts.push(i);
  counts.sort((a, b) => (data.itemOffsets[b + 1]! - data.itemOffsets[b]!) - (data.itemOffsets[a + 1]! - data.itemOffsets[a]!) || a - b);
  return Int32Array.from(counts.slice(0, maxItems)).sort();
}

/** Per catalogue item, its index in `items` (-1 when not in the model). */
function localIndex(items: Int32Array, catalogueSize: number): Int32Array {
  const local = new Int32Array(catalogueSize).fill(-1);
  items.forEach((item, a) => { local[item] = a; });
  return local;
}

/** XᵀX + λI over `items` (local order), row-major; shared memory when `shared`. */
export function regularisedGram(data: TrainingData, items: Int32Array, lambda: number, shared: boolean): Float64Array {
  const n = items.length;
  const local = localIndex(items, data.items);
  const gram = shared ? sharedFloat64(n * n) : new Float64Array(n * n);
  const row = new Int32Array(data.items);
  for (let u = 0; u < data.users; u++) {
    let m = 0;
    for (let p = data.userOffsets[u]!; p < data.userOffsets[u + 1]!; p++) {
      const a = local[data.userItems[p]!]!;
      if (a >= 0) row[m++] = a;
    }
    for (let x = 0; x < m; x++) {
      const base = row[x]! * n;
      for (let y = 0; y < m; y++) gram[base + row[y]!]! += 1;
    }
  }
  for (let a = 0; a < n; a++) gram[a * n + a]! += lambda;
  return gram;
}

export interface EaseModel {
  /** Row j (catalogue index): the history items h with the largest |B[h][j]|, score descending. */
  readonly table: SimilarityTable;
  readonly items: number;
  readonly gramSeconds: number;
  readonly inverseSeconds: number;
}

export async function easeNeighbours(data: TrainingData, options: EaseOptions, tick: (rows: number) => void = () => undefined): Promise<EaseModel> {
  const items = easeItems(data, options.maxItems);
  const n = items.length;
  let started = performance.now();
  const p = regularisedGram(data, items, options.lambda, options.threads > 1);
  const gramSeconds = (performance.now() - started) / 1000;
  started = performance.now();
  await invertSpd(p, n, options.threads);
  const inverseSeconds = (performance.now() - started) / 1000;

  const local = localIndex(items, data.items);
  const k = Math.min(options.neighbours, Math.max(0, n - 1));
  const offsets = new Int32Array(data.items + 1);
  const outItems = new Int32Array(n * k);
  const outScores = new Float32Array(n * k);
  const weights = new Float32Array(n);
  const order = new Int32Array(n);
  let total = 0;
  for (let j = 0; j < data.items; j++) {
    const a = local[j]!;
    if (a >= 0) {
      // P is symmetric: B[h][j] = -P[j][h] / P[j][j], read along row j.
      const base = a * n;
      const scale = -1 / p[base + a]!;
      let m = 0;
      for (let b = 0; b < n; b++) {
        if (b === a) continue;
        const weight = Math.fround(p[base + b]! * scale);
        if (weight === 0) continue;
        weights[b] = weight;
        order[m++] = b;
      }
      const kept = order.subarray(0, m).sort((x, y) => Math.abs(weights[y]!) - Math.abs(weights[x]!) || x - y).subarray(0, k);
      kept.sort((x, y) => weights[y]! - weights[x]! || x - y);
      for (const b of kept) {
        outItems[total] = items[b]!;
        outScores[total++] = weights[b]!;
      }
    }
    offsets[j + 1] = total;
    tick(1);
  }
  return { table: new SimilarityTable(offsets, outItems.slice(0, total), outScores.slice(0, total)), items: n, gramSeconds, inverseSeconds };
}
