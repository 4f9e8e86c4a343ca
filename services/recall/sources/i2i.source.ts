import { EMPTY_CANDIDATES, topCandidates, type CandidateList } from '../../../lib/domain/candidate.js';
import type { SimilarityStore } from '../../../lib/stores/similarity/similarity-store.js';
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
  private readonly accumulator: Float32Array;
  /** Per item: 0 not seen in this call, 1 candidate, 2 blocked. */
  private readonly state: Uint8Array;
  private readonly touched: Int32Array;
  private readonly skipped: Int32Array;

  constructor(
    readonly id: string,
    private readonly store: SimilarityStore,
    private readonly options: I2iSourceOptions,
    catalogueSize: number,
  ) {
    this.accumulator = new Float32Array(catalogueSize);
    this.state = new Uint8Array(catalogueSize);
    this.touched = new Int32Array(catalogueSize);
    this.skipped = new Int32Array(catalogueSize);
  }

  async recall(query: RecallQuery, limit: number): Promise<CandidateList> {
    if (query.recent.length === 0) return EMPTY_CANDIDATES;
    const triggers = query.recent.subarray(0, this.options.triggers);
    const rows = await this.store.neighbours(this.options.table, triggers);
    // No await below: the shared scratch arrays are never used by two calls at once.
    const { accumulator: acc, state, touched, skipped } = this;
    const decay = this.options.triggerDecay ?? 1;
    const power = this.options.ratingPower ?? 0;
    const ratings = query.recentRatings;
    let recency = 1;
    let n = 0;
    let nSkipped = 0;
    for (let t = 0; t < rows.length; t++) {
      const { items, scores } = rows[t]!;
      const weight = recency * ratingWeight(ratings[t] ?? Number.NaN, power);
      recency *= decay;
      for (let p = 0; p < items.length; p++) {
        const j = items[p]!;
        const seen = state[j]!;
        if (seen === 2) continue;
        if (seen === 0) {
          if (query.blocked(j)) {
            state[j] = 2;
            skipped[nSkipped++] = j;
            continue;
          }
          state[j] = 1;
          touched[n++] = j;
        }
        acc[j]! += weight * scores[p]!;
      }
    }
    for (let t = 0; t < nSkipped; t++) state[skipped[t]!] = 0;
    const candItems = touched.slice(0, n);
    const candScores = new Float32Array(n);
    for (let t = 0; t < n; t++) {
      const j = candItems[t]!;
      candScores[t] = acc[j]!;
      acc[j] = 0;
      state[j] = 0;
    }
    return topCandidates(candItems, candScores, n, limit);
  }
}
