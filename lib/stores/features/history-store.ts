/** A user's interaction history as the online pipeline sees it. */
export interface UserHistory {
  /** True when the bundle or the feedback log knows the user. */
  readonly known: boolean;
  /** Most recent first, deduplicated, capped at the configured length. Dense item indices. */
  readonly recent: Int32Array;
  /** Every item the user interacted with (the seen filter). */
  readonly seen: ReadonlySet<number>;
}

export interface FeedbackEvent {
  readonly userId: string;
  readonly itemId: string;
  readonly event: string;
  /** Unix seconds. */
  readonly timestamp: number;
  readonly rating: number;
}

/**
 * Recent histories: the bundle's histories plus feedback received since, resolved against
 * the current bundle's catalogue. Feedback outlives bundle swaps because it is kept by raw id.
 */
export interface HistoryStore {
  readonly backend: string;
  history(userId: string, resolveItem: (itemId: string) => number, base: Int32Array | null, limit: number): Promise<UserHistory>;
  /** Appends one event; returns how many feedback events the user now has. */
  append(event: FeedbackEvent): Promise<number>;
  close(): Promise<void>;
}
