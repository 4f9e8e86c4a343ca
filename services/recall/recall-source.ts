import type { CandidateList } from '../../lib/domain/candidate.js';

/** What a recall source knows about the request. */
export interface RecallQuery {
  readonly userId: string;
  /** False for a user neither the bundle nor feedback knows (cold start). */
  readonly known: boolean;
  /** Recent items, most recent first: the triggers of i2i sources. */
  readonly recent: Int32Array;
  /** Aligned with `recent`: each item's rating, NaN where unknown. */
  readonly recentRatings: Float32Array;
  /** Items the request can never return (seen, excluded): sources skip them to fill `limit`. */
  readonly blocked: (item: number) => boolean;
}

/** One candidate source: a single method, best candidates first. */
export interface RecallSource {
  readonly id: string;
  recall(query: RecallQuery, limit: number): Promise<CandidateList>;
}
