/**
 * In-memory interaction dataset, columnar. Users and items are dense indices
 * assigned in ascending raw-id order (see lib/domain/ids.ts compareIds), so
 * "ties broken by ascending item id" is "ties broken by ascending item index".
 */
export interface ItemMeta {
  readonly title: string;
  /** Release year parsed from the title "(1995)", or null. */
  readonly year: number | null;
  readonly genres: readonly string[];
}

export interface UserMeta {
  readonly gender?: string;
  readonly age?: number;
  readonly occupation?: string;
  readonly zip?: string;
}

export interface Interactions {
  readonly length: number;
  readonly user: Int32Array;
  readonly item: Int32Array;
  /** Explicit rating, NaN when the log has none. */
  readonly rating: Float32Array;
  /** Unix seconds. */
  readonly timestamp: Float64Array;
}

export interface Dataset {
  readonly name: string;
  /** index → raw user id, ascending. */
  readonly userIds: readonly string[];
  /** index → raw item id, ascending; exactly the items that occur in the interactions. */
  readonly itemIds: readonly string[];
  /** index → metadata, undefined when the metadata file lacks the item (or there is none). */
  readonly itemMeta: readonly (ItemMeta | undefined)[];
  /** index → metadata, undefined when absent. */
  readonly userMeta: readonly (UserMeta | undefined)[];
  readonly interactions: Interactions;
}

export type BadRowReason =
  | 'field-count'
  | 'non-numeric'
  | 'rating-out-of-range'
  | 'duplicate-pair'
  | 'empty-id'
  | 'bad-timestamp';

/** What a loader read, what it kept and why it rejected the rest. */
export interface LoadReport {
  readonly source: string;
  readonly format: string;
  readonly rows: number;
  readonly accepted: number;
  readonly rejected: Readonly<Partial<Record<BadRowReason, number>>>;
  /** First few rejected rows, for the user to look at: 1-based line number and reason. */
  readonly examples: readonly { line: number; reason: BadRowReason; text: string }[];
  readonly itemsWithMeta: number;
  readonly usersWithMeta: number;
}

export interface LoadedDataset {
  readonly dataset: Dataset;
  readonly report: LoadReport;
}
