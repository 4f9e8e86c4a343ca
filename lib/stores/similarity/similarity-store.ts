import type { CandidateList } from '../../domain/candidate.js';
import type { SimilarityTable } from './similarity-table.js';

/** Item-to-item tables of one bundle version: each item's neighbours, best first. */
export interface SimilarityStore {
  readonly backend: string;
  /** Tables this store holds for the bundle (e.g. "item-cf", "item-cf-target"). */
  tables(): readonly string[];
  /** Neighbour lists of `items` in `table`, in the same order; an unknown item gets an empty list. */
  neighbours(table: string, items: ArrayLike<number>): Promise<CandidateList[]>;
  /**
   * The whole table when it is held in this process (embedded), else absent or undefined:
   * recall then reads rows straight from the CSR arrays, with no per-row view objects
   * (measured: ~650 typed-array views per Recommend call at 500 triggers otherwise).
   */
  readonly localTable?: (table: string) => SimilarityTable | undefined;
  close(): Promise<void>;
}
