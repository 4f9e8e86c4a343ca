import { EMPTY_CANDIDATES, topCandidates, type CandidateList } from '../../../lib/domain/candidate.js';
import type { SimilarityStore } from '../../../lib/stores/similarity/similarity-store.js';
import type { RecallQuery, RecallSource } from '../recall-source.js';

export interface ItemCfSourceOptions {
  readonly table: string;
  readonly triggers: number;
}

/** Sums the i2i rows of the user's most recent items; scores aggregate over triggers. */
export class ItemCfSource implements RecallSource {
  readonly id: string;
  private readonly accumulator: Float32Array;
  private readonly touched: Int32Array;

  constructor(
    private readonly store: SimilarityStore,
    private readonly options: ItemCfSourceOptions,
    catalogueSize: number,
    id = 'item-cf',
  ) {
    this.id = id;
    this.accumulator = new Float32Array(catalogueSize);
    this.touched = new Int32Array(catalogueSize);
  }

  async recall(query: RecallQuery, limit: number): Promise<CandidateList> {
    if (query.recent.length === 0) return EMPTY_CANDIDATES;
    const triggers = query.recent.subarray(0, this.options.triggers);
    const rows = await this.store.neighbours(this.options.table, triggers);
    // No await below: the shared scratch arrays are never used by two calls at once.
    const acc = this.accumulator;
    const touched = this.touched;
    let n = 0;
    for (const row of rows) {
      const { items, scores } = row;
      for (let p = 0; p < items.length; p++) {
        const j = items[p]!;
        if (acc[j] === 0) {
          if (query.blocked(j)) continue;
          touched[n++] = j;
        }
        acc[j]! += scores[p]!;
      }
    }
    const candItems = touched.slice(0, n);
    const candScores = new Float32Array(n);
    for (let t = 0; t < n; t++) {
      candScores[t] = acc[candItems[t]!]!;
      acc[candItems[t]!] = 0;
    }
    return topCandidates(candItems, candScores, n, limit);
  }
}
