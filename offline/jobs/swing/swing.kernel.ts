/**
 * The Swing row kernel (see swing.job.ts for the model and its cost): rows [start, end)
 * from the training CSR arrays and the capped item-user lists, with per-thread scratch
 * allocated once per kernel. A row depends only on the inputs, never on earlier rows.
 */
import { usersActivity, type RowKernel, type RowsChunk } from '../parallel/row-chunks.js';
import { sharedInt32 } from '../../../lib/shared-arrays.js';
import { TopKRowsBuilder } from '../similarity-tables.js';
import type { TrainingData } from '../training-data.js';

export interface SwingKernelOptions {
  /** Smoothing of the pair overlap: w_u w_v / (alpha + |I_u ∩ I_v|). */
  readonly alpha: number;
  /** User weight w_u = (|I_u| + alpha1)^(-beta). */
  readonly alpha1: number;
  readonly beta: number;
  /** Neighbours kept per item. */
  readonly neighbours: number;
}

/** What the kernel reads (shared with workers as is). */
export interface SwingInputs {
  readonly [key: string]: Int32Array;
  readonly userOffsets: Int32Array;
  readonly userItems: Int32Array;
  /** Per item, its capped users (most recent first), CSR. */
  readonly cappedOffsets: Int32Array;
  readonly cappedUsers: Int32Array;
}

export function swingInputs(data: TrainingData, maxUsersPerItem: number): SwingInputs {
  const capped = cappedItemUsers(data, maxUsersPerItem);
  return { userOffsets: data.userOffsets, userItems: data.userItems, cappedOffsets: capped.offsets, cappedUsers: capped.users };
}

/** Estimated cost of each row: m · Σ over its m capped users of |I_u|. */
export function swingCost(inputs: SwingInputs): Float64Array {
  const { cappedOffsets } = inputs;
  const cost = usersActivity(cappedOffsets, inputs.cappedUsers, inputs.userOffsets);
  for (let i = 0; i < cost.length; i++) cost[i] = 1 + cost[i]! * (cappedOffsets[i + 1]! - cappedOffsets[i]!);
  return cost;
}

/** Per item, its users most recent first (timestamp desc, user index asc), at most `cap`, as CSR. */
export function cappedItemUsers(data: TrainingData, cap: number): { offsets: Int32Array; users: Int32Array } {
  const { items, users, itemOffsets, itemUsers, userOffsets, userItems, userTimes } = data;
  // Timestamps aligned with itemUsers: users are visited in ascending order, as itemUsers lists them.
  const itemTimes = new Float64Array(itemUsers.length);
  const fill = itemOffsets.slice(0, items);
  for (let u = 0; u < users; u++) {
    for (let q = userOffsets[u]!; q < userOffsets[u + 1]!; q++) itemTimes[fill[userItems[q]!]!++] = userTimes[q]!;
  }
  const offsets = sharedInt32(items + 1);
  for (let i = 0; i < items; i++) offsets[i + 1] = offsets[i]! + Math.min(cap, itemOffsets[i + 1]! - itemOffsets[i]!);
  const out = sharedInt32(offsets[items]!);
  let order = new Int32Array(0);
  for (let i = 0; i < items; i++) {
    const start = itemOffsets[i]!;
    const n = itemOffsets[i + 1]! - start;
    const keep = offsets[i + 1]! - offsets[i]!;
    if (keep === n) {
      out.set(itemUsers.subarray(start, start + n), offsets[i]);
      continue;
    }
    if (order.length < n) order = new Int32Array(n);
    const sel = order.subarray(0, n);
    for (let p = 0; p < n; p++) sel[p] = start + p;
    sel.sort((a, b) => itemTimes[b]! - itemTimes[a]! || itemUsers[a]! - itemUsers[b]!);
    for (let r = 0; r < keep; r++) out[offsets[i]! + r] = itemUsers[sel[r]!]!;
  }
  return { offsets, users: out };
}

export function swingKernel(inputs: SwingInputs, options: SwingKernelOptions): RowKernel {
  const { userOffsets, userItems } = inputs;
  const capped = { offsets: inputs.cappedOffsets, users: inputs.cappedUsers };
  const items = capped.offsets.length - 1;
  const users = userOffsets.length - 1;
  const { alpha, alpha1, beta } = options;
  const userWeight = new Float64Array(users);
  for (let u = 0; u < users; u++) userWeight[u] = (userOffsets[u + 1]! - userOffsets[u]! + alpha1) ** -beta;

  // Scratch sized for the largest item: m local users, and the sum of their history lengths.
  let maxM = 0;
  let maxGathered = 0;
  for (let i = 0; i < items; i++) {
    let gathered = 0;
    for (let p = capped.offsets[i]!; p < capped.offsets[i + 1]!; p++) {
      const u = capped.users[p]!;
      gathered += userOffsets[u + 1]! - userOffsets[u]!;
    }
    maxM = Math.max(maxM, capped.offsets[i + 1]! - capped.offsets[i]!);
    maxGathered = Math.max(maxGathered, gathered);
  }
  const counts = new Int32Array(items);
  const listStart = new Int32Array(items);
  const touched = new Int32Array(items);
  const lists = new Int32Array(maxGathered);
  const overlap = new Int32Array(maxM * maxM);
  const coef = new Float64Array(maxM * maxM);
  const localWeight = new Float64Array(maxM);
  return (start: number, end: number): RowsChunk => {
    const rows = new TopKRowsBuilder(end - start, options.neighbours);
    for (let i = start; i < end; i++) {
      const first = capped.offsets[i]!;
      const m = capped.offsets[i + 1]! - first;
      if (m < 2) {
        rows.endRow();
        continue;
      }
      // 1. Count, per touched item j, how many of the m local users have it.
      let nTouched = 0;
      for (let a = 0; a < m; a++) {
        const u = capped.users[first + a]!;
        localWeight[a] = userWeight[u]!;
        for (let q = userOffsets[u]!; q < userOffsets[u + 1]!; q++) {
          const j = userItems[q]!;
          if (counts[j] === 0) touched[nTouched++] = j;
          counts[j]!++;
        }
      }
      // 2. L_j as CSR over the touched items, local users ascending (listStart[j] ends as L_j's end).
      let run = 0;
      for (let t = 0; t < nTouched; t++) {
        const j = touched[t]!;
        listStart[j] = run;
        run += counts[j]!;
      }
      for (let a = 0; a < m; a++) {
        const u = capped.users[first + a]!;
        for (let q = userOffsets[u]!; q < userOffsets[u + 1]!; q++) lists[listStart[userItems[q]!]!++] = a;
      }
      // 3. |I_a ∩ I_b| for a < b: i itself is shared by all, the other items by their lists' pairs.
      for (let a = 0; a < m; a++) overlap.fill(1, a * m + a + 1, a * m + m);
      for (let t = 0; t < nTouched; t++) {
        const j = touched[t]!;
        const len = counts[j]!;
        if (j === i || len < 2) continue;
        const listEnd = listStart[j]!;
        for (let x = listEnd - len; x < listEnd - 1; x++) {
          const row = lists[x]! * m;
          for (let y = x + 1; y < listEnd; y++) overlap[row + lists[y]!]!++;
        }
      }
      for (let a = 0; a < m; a++) {
        const wa = localWeight[a]!;
        const row = a * m;
        for (let b = a + 1; b < m; b++) coef[row + b] = (wa * localWeight[b]!) / (alpha + overlap[row + b]!);
      }
      // 4. s(i,j) = sum of the coefficients of L_j's pairs.
      for (let t = 0; t < nTouched; t++) {
        const j = touched[t]!;
        const len = counts[j]!;
        counts[j] = 0;
        if (j === i || len < 2) continue;
        const listEnd = listStart[j]!;
        let score = 0;
        for (let x = listEnd - len; x < listEnd - 1; x++) {
          const row = lists[x]! * m;
          for (let y = x + 1; y < listEnd; y++) score += coef[row + lists[y]!]!;
        }
        rows.push(j, score);
      }
      rows.endRow();
    }
    const table = rows.build();
    return { start, end, offsets: table.offsets, items: table.items, scores: table.scores };
  };
}

