import type { UserHistory } from './history-store.js';

/** One feedback event as the merge reads it: raw item id and rating (0 or NaN = unknown). */
export interface FeedbackEntry {
  readonly itemId: string;
  readonly rating: number;
}

/** A feedback rating as the history carries it: NaN when unknown (0 or NaN on the event). */
export function knownRating(rating: number): number {
  return rating === 0 || !Number.isFinite(rating) ? Number.NaN : rating;
}

/**
 * Merges a user's feedback (raw item ids, newest first) with the bundle's base history
 * (dense indices, most recent first) into the view the online pipeline reads.
 * Feedback comes first; duplicates keep their first (most recent) position and its rating;
 * ids the catalogue does not know (`resolveItem` < 0) are dropped; `recent` stops at `limit`
 * while `seen` keeps every item. `recentRatings` is aligned with `recent` (NaN = unknown;
 * `baseRatings`, aligned with `base`, may be omitted). Pure, so every HistoryStore backend
 * merges identically.
 */
export function mergeHistory(
  feedbackNewestFirst: Iterable<FeedbackEntry>,
  resolveItem: (itemId: string) => number,
  base: Int32Array | null,
  limit: number,
  baseRatings: Float32Array | null = null,
): UserHistory {
  const seen = new Set<number>();
  const recent: number[] = [];
  const ratings: number[] = [];
  let hasFeedback = false;
  for (const { itemId, rating } of feedbackNewestFirst) {
    hasFeedback = true;
    const item = resolveItem(itemId);
    if (item < 0 || seen.has(item)) continue;
    seen.add(item);
    if (recent.length < limit) {
      recent.push(item);
      ratings.push(knownRating(rating));
    }
  }
  if (base) {
    for (let p = 0; p < base.length; p++) {
      const item = base[p]!;
      if (seen.has(item)) continue;
      seen.add(item);
      if (recent.length < limit) {
        recent.push(item);
        ratings.push(baseRatings?.[p] ?? Number.NaN);
      }
    }
  }
  return { known: base !== null || hasFeedback, recent: Int32Array.from(recent), recentRatings: Float32Array.from(ratings), seen };
}
