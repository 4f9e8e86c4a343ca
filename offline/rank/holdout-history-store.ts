import type { HistoryStore, UserHistory } from '../../lib/stores/features/history-store.js';

/**
 * A history store that removes each user's held-out items from the bundle history before
 * recall. Used when the validation items are also in the training view (`recsys train`):
 * otherwise they would be triggers and seen-filtered, never candidates to label.
 */
export class HoldoutHistoryStore implements HistoryStore {
  readonly backend = 'holdout';

  constructor(
    private readonly inner: HistoryStore,
    /** Whether `item` is held out for this user (raw user id). */
    private readonly heldOut: (userId: string, item: number) => boolean,
  ) {}

  history(userId: string, resolveItem: (itemId: string) => number, base: Int32Array | null, limit: number, baseRatings: Float32Array | null = null): Promise<UserHistory> {
    if (base === null) return this.inner.history(userId, resolveItem, base, limit, baseRatings);
    const keep: number[] = [];
    for (let k = 0; k < base.length; k++) if (!this.heldOut(userId, base[k]!)) keep.push(k);
    const items = Int32Array.from(keep, (k) => base[k]!);
    const ratings = baseRatings === null ? null : Float32Array.from(keep, (k) => baseRatings[k]!);
    return this.inner.history(userId, resolveItem, items, limit, ratings);
  }

  append: HistoryStore['append'] = (event) => this.inner.append(event);
  close: HistoryStore['close'] = () => this.inner.close();
}
