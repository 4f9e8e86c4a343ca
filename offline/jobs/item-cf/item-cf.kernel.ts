/**
 * The ItemCF row kernel (see item-cf.job.ts for the model): rows [start, end) from the
 * training CSR arrays, with per-thread scratch allocated once per kernel. A row depends
 * only on the inputs, never on the rows computed before it by the same kernel.
 */
import { usersActivity, type RowKernel, type RowsChunk } from '../parallel/row-chunks.js';
import { sharedFloat64 } from '../../../lib/shared-arrays.js';
import { TopKRowsBuilder } from '../similarity-tables.js';
import type { TrainingData } from '../training-data.js';

export interface ItemCfKernelOptions {
  readonly neighbours: number;
  readonly minCooccurrence: number;
  /** Weight each co-occurrence by 1/ln(1 + |I_u|) (inverse user frequency). */
  readonly iuf: boolean;
  /** Denominator |N(i)|^(1-alpha) · |N(j)|^alpha; 0.5 = cosine. */
  readonly alpha: number;
  /** Half-life in days of the interaction time decay; 0 = off. */
  readonly timeDecay: number;
}

/** What the kernel reads (shared with workers as is). */
export interface ItemCfInputs {
  readonly [key: string]: Int32Array | Float64Array;
  readonly userOffsets: Int32Array;
  readonly userItems: Int32Array;
  readonly itemOffsets: Int32Array;
  readonly itemUsers: Int32Array;
  /** Decay factor of each user row (aligned with userItems); empty when decay is off. */
  readonly userDecay: Float64Array;
  /** Decay factor of each item row (aligned with itemUsers); empty when decay is off. */
  readonly itemDecay: Float64Array;
}

const DAY_SECONDS = 86_400;

/**
 * The kernel's inputs. With a half-life h (days), an interaction at time t weighs
 * exp(-ln2 · (T - t) / h) where T is the newest timestamp in the data.
 */
export function itemCfInputs(data: TrainingData, timeDecay: number): ItemCfInputs {
  const { userOffsets, userItems, itemOffsets, itemUsers, userTimes, users, items } = data;
  let userDecay: Float64Array = new Float64Array(0);
  let itemDecay: Float64Array = new Float64Array(0);
  if (timeDecay > 0) {
    let newest = -Infinity;
    for (const t of userTimes) newest = Math.max(newest, t);
    const rate = Math.LN2 / (timeDecay * DAY_SECONDS);
    userDecay = sharedFloat64(userTimes.length);
    for (let q = 0; q < userTimes.length; q++) userDecay[q] = Math.exp(-rate * (newest - userTimes[q]!));
    // Aligned with itemUsers: users are visited in ascending order, as itemUsers lists them.
    itemDecay = sharedFloat64(itemUsers.length);
    const fill = itemOffsets.slice(0, items);
    for (let u = 0; u < users; u++) {
      for (let q = userOffsets[u]!; q < userOffsets[u + 1]!; q++) itemDecay[fill[userItems[q]!]!++] = userDecay[q]!;
    }
  }
  return { userOffsets, userItems, itemOffsets, itemUsers, userDecay, itemDecay };
}

/** Estimated cost of each row: the accumulations it does, Σ over its users of |I_u|. */
export function itemCfCost(inputs: ItemCfInputs): Float64Array {
  const cost = usersActivity(inputs.itemOffsets, inputs.itemUsers, inputs.userOffsets);
  for (let i = 0; i < cost.length; i++) cost[i]! += 1;
  return cost;
}

export function itemCfKernel(inputs: ItemCfInputs, options: ItemCfKernelOptions): RowKernel {
  const { userOffsets, userItems, itemOffsets, itemUsers, userDecay, itemDecay } = inputs;
  const items = itemOffsets.length - 1;
  const users = userOffsets.length - 1;
  const { alpha, iuf, minCooccurrence, neighbours } = options;
  const decay = options.timeDecay > 0;
  const weightedSum = iuf || decay;
  const counts = new Int32Array(items);
  const weighted = new Float64Array(items);
  const touched = new Int32Array(items);
  const userWeight = new Float64Array(users);
  for (let u = 0; u < users; u++) userWeight[u] = iuf ? 1 / Math.log(1 + userOffsets[u + 1]! - userOffsets[u]!) : 1;
  const cosine = alpha === 0.5;
  // Denominator factors: rowPow[i] = |N(i)|^(1-alpha), colPow[j] = |N(j)|^alpha.
  const rowPow = new Float64Array(items);
  const colPow = new Float64Array(items);
  for (let i = 0; i < items; i++) {
    const n = itemOffsets[i + 1]! - itemOffsets[i]!;
    rowPow[i] = n ** (1 - alpha);
    colPow[i] = n ** alpha;
  }
  return (start: number, end: number): RowsChunk => {
    const rows = new TopKRowsBuilder(end - start, neighbours);
    for (let i = start; i < end; i++) {
      let nTouched = 0;
      for (let p = itemOffsets[i]!; p < itemOffsets[i + 1]!; p++) {
        const u = itemUsers[p]!;
        const w = userWeight[u]!;
        const qEnd = userOffsets[u + 1]!;
        if (decay) {
          // The older of the two interactions sets the weight: min of the two factors.
          const di = itemDecay[p]!;
          for (let q = userOffsets[u]!; q < qEnd; q++) {
            const j = userItems[q]!;
            if (counts[j] === 0) touched[nTouched++] = j;
            counts[j]!++;
            const dj = userDecay[q]!;
            weighted[j]! += w * (dj < di ? dj : di);
          }
        } else {
          for (let q = userOffsets[u]!; q < qEnd; q++) {
            const j = userItems[q]!;
            if (counts[j] === 0) touched[nTouched++] = j;
            counts[j]!++;
            if (iuf) weighted[j]! += w;
          }
        }
      }
      const ni = itemOffsets[i + 1]! - itemOffsets[i]!;
      for (let t = 0; t < nTouched; t++) {
        const j = touched[t]!;
        const c = counts[j]!;
        const numerator = weightedSum ? weighted[j]! : c;
        counts[j] = 0;
        weighted[j] = 0;
        if (j === i || c < minCooccurrence) continue;
        const nj = itemOffsets[j + 1]! - itemOffsets[j]!;
        rows.push(j, numerator / (cosine ? Math.sqrt(ni * nj) : rowPow[i]! * colPow[j]!));
      }
      rows.endRow();
    }
    const table = rows.build();
    return { start, end, offsets: table.offsets, items: table.items, scores: table.scores };
  };
}
