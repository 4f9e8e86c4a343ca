import { EMPTY_CANDIDATES, topCandidates, type CandidateList } from '../../../lib/domain/candidate.js';
import type { SimilarityStore } from '../../../lib/stores/similarity/similarity-store.js';
import type { SimilarityTable } from '../../../lib/stores/similarity/similarity-table.js';
import type { RecallQuery, RecallSource } from '../recall-source.js';

export interface I2iSourceOptions {
  /** The i2i table to read (e.g. "item-cf-target", "swing"). */
  readonly table: string;
  /** Most recent history items used as triggers. */
  readonly triggers: number;
  /** Recency weight of the trigger at position p (0 = most recent): decay^p; 1 = all equal. */
  readonly triggerDecay?: number;
  /** Rating weight of a trigger with rating r: (r / RATING_SCALE)^ratingPower, 1 when r is unknown; 0 = off. */
  readonly ratingPower?: number;
  /** Most entries summed from each trigger's row, its first ones (target tables store rows largest |score| first); 0 = the whole row. */
  readonly rowLimit?: number;
}

/** The rating scale of explicit feedback (MovieLens: 0.5..5 stars). */
export const RATING_SCALE = 5;

/** A trigger's rating weight: 1 for an unknown (NaN) rating or power 0, else (r / RATING_SCALE)^power. */
export function ratingWeight(rating: number, power: number): number {
  if (power === 0 || Number.isNaN(rating)) return 1;
  return (rating / RATING_SCALE) ** power;
}

/**
 * Item-to-item recall over one similarity table: sums the rows of the user's most recent
 * items, each weighted by its recency (and its rating where known and ratingPower > 0);
 * scores aggregate over triggers. Shared by every i2i
 * source (item-cf, swing), which differ only in id and table.
 */
export class I2iSource implements RecallSource {
  /** Per item: its summed score in this call (valid where stamp[item] === generation). */
  private readonly accumulator: Float32Array;
  /** Per item: the generation (call) that last touched it. */
  private readonly stamp: Int32Array;
  private generation = 0;
  /** Items touched in this call, in first-touch order. */
  private readonly touched: Int32Array;
  /** The touched items that are not blocked, and their scores: the input of the top-`limit` selection. */
  private readonly kept: Int32Array;
  private readonly collected: Float32Array;
  /** Entries summed per row: options.rowLimit, or every one. */
  private readonly rowLimit: number;

  constructor(
    readonly id: string,
    private readonly store: SimilarityStore,
    private readonly options: I2iSourceOptions,
    catalogueSize: number,
  ) {
    this.accumulator = new Float32Array(catalogueSize);
    this.stamp = new Int32Array(catalogueSize);
    this.touched = new Int32Array(catalogueSize);
    this.kept = new Int32Array(catalogueSize);
    this.collected = new Float32Array(catalogueSize);
    this.rowLimit = options.rowLimit || Number.MAX_SAFE_INTEGER;
  }

  async recall(query: RecallQuery, limit: number): Promise<CandidateList> {
    if (query.recent.length === 0) return EMPTY_CANDIDATES;
    const triggers = query.recent.subarray(0, this.options.triggers);
    const table = this.store.localTable?.(this.options.table);
    // No await between accumulating and collecting: the shared scratch arrays are never used by two calls at once.
    const n = table ? this.accumulateTable(table, triggers, query) : this.accumulateRows(await this.store.neighbours(this.options.table, triggers), query);
    return this.collect(n, limit, query);
  }

  /** Weight of the trigger at position t whose recency weight is `recency` (decay^t, by repeated products). */
  private triggerWeight(t: number, recency: number, ratings: Float32Array): number {
    return recency * ratingWeight(ratings[t] ?? Number.NaN, this.options.ratingPower ?? 0);
  }

  /** Starts a call: a fresh stamp marks "not touched yet" for every item at once. */
  private nextGeneration(): number {
    if (this.generation === 0x7fff_ffff) {
      this.stamp.fill(0);
      this.generation = 0;
    }
    return ++this.generation;
  }

  /**
   * Sums the rows of an in-process CSR table, reading the CSR arrays directly (no per-row
   * objects). Per entry: one stamp check and one add; blocked items are dropped in
   * `collect`, once per distinct item. Returns the number of distinct items touched.
   */
  private accumulateTable(table: SimilarityTable, triggers: Int32Array, query: RecallQuery): number {
    const { offsets, items, scores } = table;
    const rows = table.rows;
    const decay = this.options.triggerDecay ?? 1;
    const generation = this.nextGeneration();
    let recency = 1;
    let n = 0;
    for (let t = 0; t < triggers.length; t++, recency *= decay) {
      const trigger = triggers[t]!;
      if (trigger < 0 || trigger >= rows) continue;
      const start = offsets[trigger]!;
      n = this.addRow(items, scores, start, Math.min(offsets[trigger + 1]!, start + this.rowLimit), this.triggerWeight(t, recency, query.recentRatings), generation, n);
    }
    return n;
  }

  /** Sums neighbour rows fetched from a remote store, as accumulateTable does. */
  private accumulateRows(rows: readonly CandidateList[], query: RecallQuery): number {
    const decay = this.options.triggerDecay ?? 1;
    const generation = this.nextGeneration();
    let recency = 1;
    let n = 0;
    for (let t = 0; t < rows.length; t++, recency *= decay) {
      const { items, scores } = rows[t]!;
      n = this.addRow(items, scores, 0, Math.min(items.length, this.rowLimit), this.triggerWeight(t, recency, query.recentRatings), generation, n);
    }
    return n;
  }

  /**
   * Adds weight x scores[start..end) into the accumulator: one stamp check and one add per
   * entry; an item first seen in this call is appended to `touched`. Returns the new touched count.
   */
  private addRow(items: Int32Array, scores: Float32Array, start: number, end: number, weight: number, generation: number, n: number): number {
    const { accumulator: acc, stamp, touched } = this;
    for (let p = start; p < end; p++) {
      const j = items[p]!;
      if (stamp[j] === generation) {
        acc[j]! += weight * scores[p]!;
      } else {
        stamp[j] = generation;
        touched[n++] = j;
        acc[j] = weight * scores[p]!;
      }
    }
    return n;
  }

  /** The best `limit` of the n touched items that are not blocked. */
  private collect(n: number, limit: number, query: RecallQuery): CandidateList {
    const { accumulator: acc, touched, kept, collected } = this;
    let m = 0;
    for (let t = 0; t < n; t++) {
      const j = touched[t]!;
      if (query.blocked(j)) continue;
      kept[m] = j;
      collected[m++] = acc[j]!;
    }
    return topCandidates(kept, collected, m, limit);
  }
}
