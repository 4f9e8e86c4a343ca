/**
 * Item-range sharding of an i2i table. A kernel computes the rows [start, end) of the table
 * from read-only inputs and its own scratch; rows are independent of each other, so the
 * table assembled from the chunks in item order is the same (bit for bit) however the
 * items are split and whichever thread computed them.
 */
import { SimilarityTable } from '../../../lib/stores/similarity/similarity-table.js';

/** Rows [start, end) in CSR form; offsets has end - start + 1 entries and starts at 0. */
export interface RowsChunk {
  readonly start: number;
  readonly end: number;
  readonly offsets: Int32Array;
  readonly items: Int32Array;
  readonly scores: Float32Array;
}

export type RowKernel = (start: number, end: number) => RowsChunk;

export interface ChunkRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Contiguous item ranges of about equal estimated cost: each closes once its cost reaches
 * total / (threads · 32) or it spans 1% of the items (so progress moves in small steps).
 */
export function planChunks(cost: Float64Array, threads: number): ChunkRange[] {
  const items = cost.length;
  let total = 0;
  for (let i = 0; i < items; i++) total += cost[i]!;
  const targetCost = total / (Math.max(1, threads) * 32);
  const maxItems = Math.max(1, Math.ceil(items / 100));
  const chunks: ChunkRange[] = [];
  let start = 0;
  let acc = 0;
  for (let i = 0; i < items; i++) {
    acc += cost[i]!;
    if (acc >= targetCost || i + 1 - start >= maxItems || i + 1 === items) {
      chunks.push({ start, end: i + 1 });
      start = i + 1;
      acc = 0;
    }
  }
  return chunks;
}

/** Concatenates chunks that tile [0, rows) in order into one table. */
export function assembleChunks(rows: number, chunks: readonly RowsChunk[]): SimilarityTable {
  let total = 0;
  let expected = 0;
  for (const chunk of chunks) {
    if (chunk.start !== expected) throw new Error(`assembleChunks: chunk starts at ${chunk.start}, expected ${expected}`);
    expected = chunk.end;
    total += chunk.items.length;
  }
  if (expected !== rows) throw new Error(`assembleChunks: chunks cover ${expected} of ${rows} rows`);
  const offsets = new Int32Array(rows + 1);
  const items = new Int32Array(total);
  const scores = new Float32Array(total);
  let base = 0;
  for (const chunk of chunks) {
    for (let r = 1; r < chunk.offsets.length; r++) offsets[chunk.start + r] = base + chunk.offsets[r]!;
    items.set(chunk.items, base);
    scores.set(chunk.scores, base);
    base += chunk.items.length;
  }
  return new SimilarityTable(offsets, items, scores);
}

/** Runs a kernel over every chunk in the calling thread (the 1-thread path). */
export function runChunksInline(rows: number, chunks: readonly ChunkRange[], kernel: RowKernel, tick: (n: number) => void): SimilarityTable {
  const results: RowsChunk[] = [];
  for (const { start, end } of chunks) {
    results.push(kernel(start, end));
    tick(end - start);
  }
  return assembleChunks(rows, results);
}

/** Per row r: Σ over the users listed in row r (rowOffsets/rowUsers CSR) of their activity |I_u| — the base of every i2i cost estimate. */
export function usersActivity(rowOffsets: Int32Array, rowUsers: Int32Array, userOffsets: Int32Array): Float64Array {
  const rows = rowOffsets.length - 1;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let p = rowOffsets[r]!; p < rowOffsets[r + 1]!; p++) sum += userOffsets[rowUsers[p]! + 1]! - userOffsets[rowUsers[p]!]!;
    out[r] = sum;
  }
  return out;
}
