/**
 * Building blocks shared by the i2i jobs (item-cf, swing): a top-K row collector over
 * scratch typed arrays, per-row max normalisation, and the transpose that turns a
 * "history" table (row i = i's own neighbours) into a "target" table (row i = every j that
 * has i among ITS neighbours).
 */
import { SimilarityTable } from '../../lib/stores/similarity/similarity-table.js';

/**
 * Collects one row's candidates (item, score) and keeps the best `k` of each row
 * (score desc, item index asc) in a growing CSR table. A bounded min-heap selects the top
 * K in O(n log K) per row; no per-candidate objects.
 */
export class TopKRowsBuilder {
  private readonly heapItems: Int32Array;
  private readonly heapScores: Float32Array;
  private heapSize = 0;
  private readonly offsets: Int32Array;
  private items: Int32Array;
  private scores: Float32Array;
  private rows = 0;
  private total = 0;

  constructor(
    readonly rowCount: number,
    readonly k: number,
  ) {
    this.heapItems = new Int32Array(Math.max(k, 1));
    this.heapScores = new Float32Array(Math.max(k, 1));
    this.offsets = new Int32Array(rowCount + 1);
    const initial = Math.max(16, Math.min(rowCount * Math.min(k, 64), 1 << 24));
    this.items = new Int32Array(initial);
    this.scores = new Float32Array(initial);
  }

  /** Offers a candidate of the current row; the score is rounded to float32 (the stored precision) first. */
  push(item: number, rawScore: number): void {
    const k = this.k;
    const score = Math.fround(rawScore);
    if (k === 0) return;
    const hi = this.heapItems;
    const hs = this.heapScores;
    if (this.heapSize < k) {
      // Sift up: the root is the WORST kept candidate (lowest score, then highest item).
      let at = this.heapSize++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!worse(item, score, hi[parent]!, hs[parent]!)) break;
        hi[at] = hi[parent]!;
        hs[at] = hs[parent]!;
        at = parent;
      }
      hi[at] = item;
      hs[at] = score;
      return;
    }
    if (!worse(hi[0]!, hs[0]!, item, score)) return;
    this.replaceRoot(this.heapSize, item, score);
  }

  /** Puts (item, score) at the root of the heap's first `size` slots and sifts it down. */
  private replaceRoot(size: number, item: number, score: number): void {
    const hi = this.heapItems;
    const hs = this.heapScores;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      if (right < size && worse(hi[right]!, hs[right]!, hi[left]!, hs[left]!)) child = right;
      if (!worse(hi[child]!, hs[child]!, item, score)) break;
      hi[at] = hi[child]!;
      hs[at] = hs[child]!;
      at = child;
    }
    hi[at] = item;
    hs[at] = score;
  }

  /** Closes the current row: its kept candidates sorted best first. */
  endRow(): void {
    if (this.rows >= this.rowCount) throw new Error('TopKRowsBuilder: more rows than declared');
    const n = this.heapSize;
    this.ensureCapacity(this.total + n);
    // Pop the heap worst-first into the row's slots from the back.
    const base = this.total;
    const hi = this.heapItems;
    const hs = this.heapScores;
    const rowScores = this.scores;
    for (let size = n; size > 0; size--) {
      rowScores[base + size - 1] = hs[0]!;
      this.items[base + size - 1] = hi[0]!;
      this.replaceRoot(size - 1, hi[size - 1]!, hs[size - 1]!);
    }
    this.heapSize = 0;
    this.total += n;
    this.rows++;
    this.offsets[this.rows] = this.total;
  }

  /** The finished table; every declared row must have been closed. */
  build(): SimilarityTable {
    if (this.rows !== this.rowCount) throw new Error(`TopKRowsBuilder: ${this.rows} of ${this.rowCount} rows closed`);
    return new SimilarityTable(this.offsets, this.items.slice(0, this.total), this.scores.slice(0, this.total));
  }

  private ensureCapacity(size: number): void {
    if (size <= this.items.length) return;
    let capacity = this.items.length * 2;
    while (capacity < size) capacity *= 2;
    const items = new Int32Array(capacity);
    items.set(this.items.subarray(0, this.total));
    const scores = new Float32Array(capacity);
    scores.set(this.scores.subarray(0, this.total));
    this.items = items;
    this.scores = scores;
  }
}

/** Whether candidate a ranks below candidate b (lower score; equal scores: higher item index). */
function worse(aItem: number, aScore: number, bItem: number, bScore: number): boolean {
  return aScore < bScore || (aScore === bScore && aItem > bItem);
}

/**
 * Each row divided by its largest score, so every trigger has the same say when rows are
 * summed. Rows stay sorted (score desc, item index asc: rounding may create new ties).
 */
export function normaliseRowsByMax(table: SimilarityTable): SimilarityTable {
  const scores = new Float32Array(table.scores.length);
  const items = table.items.slice();
  for (let i = 0; i < table.rows; i++) {
    const start = table.offsets[i]!;
    const end = table.offsets[i + 1]!;
    let max = 0;
    for (let p = start; p < end; p++) max = Math.max(max, table.scores[p]!);
    for (let p = start; p < end; p++) scores[p] = max > 0 ? table.scores[p]! / max : table.scores[p]!;
    sortRow(items, scores, start, end);
  }
  return new SimilarityTable(table.offsets, items, scores);
}

/** Sorts items[start..end) and scores alike by score desc, item asc, when not already so (insertion sort: near-sorted input). */
function sortRow(items: Int32Array, scores: Float32Array, start: number, end: number): void {
  for (let p = start + 1; p < end; p++) {
    const item = items[p]!;
    const score = scores[p]!;
    let q = p - 1;
    while (q >= start && worse(items[q]!, scores[q]!, item, score)) {
      items[q + 1] = items[q]!;
      scores[q + 1] = scores[q]!;
      q--;
    }
    items[q + 1] = item;
    scores[q + 1] = score;
  }
}

/** The two served forms of a raw top-K table. */
export interface I2iTables {
  /** Row i: i's own neighbours ("history" convention). */
  readonly history: SimilarityTable;
  /** Row i: every j that has i among its neighbours ("target" convention). */
  readonly target: SimilarityTable;
}

/**
 * Both served tables of a raw top-K table. With `normalise`, each SERVED row is divided by
 * its maximum (the history table's rows before, the target table's rows after transposing),
 * so that in both conventions every trigger of a user has the same say.
 */
export function i2iTables(raw: SimilarityTable, normalise: boolean): I2iTables {
  const target = transposeTable(raw);
  return normalise ? { history: normaliseRowsByMax(raw), target: normaliseRowsByMax(target) } : { history: raw, target };
}

/**
 * Row i of the result lists each j whose row in `table` contains i, with the same score,
 * largest |score| first (ties: higher score, then lower j): where scores are non-negative
 * (item-cf, swing) that is best first, and for EASE, whose negative weights matter as much as
 * its positive ones, a row's prefix holds its largest contributions either way, which is
 * what a source's `rowLimit` keeps.
 */
export function transposeTable(table: SimilarityTable): SimilarityTable {
  const n = table.rows;
  const offsets = new Int32Array(n + 1);
  for (const i of table.items) offsets[i + 1]!++;
  for (let i = 0; i < n; i++) offsets[i + 1]! += offsets[i]!;
  const fill = offsets.slice(0, n);
  const items = new Int32Array(table.items.length);
  const scores = new Float32Array(table.items.length);
  for (let j = 0; j < n; j++) {
    for (let p = table.offsets[j]!; p < table.offsets[j + 1]!; p++) {
      const i = table.items[p]!;
      const at = fill[i]!++;
      items[at] = j;
      scores[at] = table.scores[p]!;
    }
  }
  const order = new Int32Array(items.length);
  for (let i = 0; i < n; i++) {
    const start = offsets[i]!;
    const end = offsets[i + 1]!;
    for (let p = start; p < end; p++) order[p] = p;
    order.subarray(start, end).sort((a, b) => Math.abs(scores[b]!) - Math.abs(scores[a]!) || scores[b]! - scores[a]! || items[a]! - items[b]!);
  }
  return new SimilarityTable(offsets, Int32Array.from(order, (p) => items[p]!), Float32Array.from(order, (p) => scores[p]!));
}
