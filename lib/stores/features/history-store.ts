/** A user's interaction history as the online pipeline sees it. */
export interface UserHistory {
  /** True when the bundle or the feedback log knows the user. */
  readonly known: boolean;
  /** Most recent first, deduplicated, capped at the configured length. Dense item indices. */
  readonly recent: Int32Array;
  /** Aligned with `recent`: the rating of each item, NaN where unknown. */
  readonly recentRatings: Float32Array;
  /** Every item the user interacted with (the seen filter). */
  readonly seen: ReadonlySet<number>;
}

export interface FeedbackEvent {
  readonly userId: string;
  readonly itemId: string;
  readonly event: string;
  /** Unix seconds. */
  readonly timestamp: number;
  /** Explicit rating; 0 or NaN = unknown (implicit event). */
  readonly rating: number;
}

/**
 * Recent histories: the bundle's histories plus feedback received since, resolved against
 * the current bundle's catalogue. Feedback outlives bundle swaps because it is kept by raw id.
 */
export interface HistoryStore {
  readonly backend: string;
  /** `baseRatings`, aligned with `base`, gives the bundle's ratings (omitted: all unknown). */
  history(userId: string, resolveItem: (itemId: string) => number, base: Int32Array | null, limit: number, baseRatings?: Float32Array | null): Promise<UserHistory>;
  /** Appends one event; returns how many feedback events the user now has. */
  append(event: FeedbackEvent): Promise<number>;
  close(): Promise<void>;
}
