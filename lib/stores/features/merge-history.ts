import type { UserHistory } from './history-store.js';

/**
 * Merges a user's feedback (raw item ids, newest first) with the bundle's base history
 * (dense indices, most recent first) into the view the online pipeline reads.
 * Feedback comes first; duplicates keep their first (most recent) position; ids the
 * catalogue does not know (`resolveItem` < 0) are dropped; `recent` stops at `limit`
 * while `seen` keeps every item. Pure, so every HistoryStore backend merges identically.
 */
export function mergeHistory(
  feedbackNewestFirst: Iterable<string>,
  resolveItem: (itemId: string) => number,
  base: Int32Array | null,
  limit: number,
): UserHistory {
  const seen = new Set<number>();
  const recent: number[] = [];
  let hasFeedback = false;
  for (const itemId of feedbackNewestFirst) {
    hasFeedback = true;
    const item = resolveItem(itemId);
    if (item < 0 || seen.has(item)) continue;
    seen.add(item);
    if (recent.length < limit) recent.push(item);
  }
  if (base) {
    for (const item of base) {
      if (seen.has(item)) continue;
      seen.add(item);
      if (recent.length < limit) recent.push(item);
    }
  }
  return { known: base !== null || hasFeedback, recent: Int32Array.from(recent), seen };
}
