import type { CandidateList } from '../../domain/candidate.js';

/** Item-to-item tables of one bundle version: each item's neighbours, best first. */
export interface SimilarityStore {
  readonly backend: string;
  /** Tables this store holds for the bundle (e.g. "item-cf", "item-cf-target"). */
  tables(): readonly string[];
  /** Neighbour lists of `items` in `table`, in the same order; an unknown item gets an empty list. */
  neighbours(table: string, items: ArrayLike<number>): Promise<CandidateList[]>;
  close(): Promise<void>;
}
