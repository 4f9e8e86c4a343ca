import { EMPTY_CANDIDATES, type CandidateList } from '../../../lib/domain/candidate.js';
import type { RecallQuery, RecallSource } from '../recall-source.js';

/** The bundle's most popular items the user has not seen: cold start, fallback and top-up. */
export class PopularSource implements RecallSource {
  readonly id = 'popular';

  constructor(private readonly overall: CandidateList) {}

  recall(query: RecallQuery, limit: number): Promise<CandidateList> {
    const { items, scores } = this.overall;
    const outItems = new Int32Array(Math.min(limit, items.length));
    const outScores = new Float32Array(outItems.length);
    let n = 0;
    for (let p = 0; p < items.length && n < outItems.length; p++) {
      if (query.blocked(items[p]!)) continue;
      outItems[n] = items[p]!;
      outScores[n] = scores[p]!;
      n++;
    }
    if (n === 0) return Promise.resolve(EMPTY_CANDIDATES);
    return Promise.resolve({ items: outItems.subarray(0, n), scores: outScores.subarray(0, n) });
  }
}
