import { RecsysError } from '../../domain/errors.js';
import type { FeedbackEvent } from './history-store.js';
import type { FeedbackEntry } from './merge-history.js';

/**
 * The in-memory feedback overlay shared by the embedded backends: per raw user id, the
 * newest `maxPerUser` events in arrival order. `add` is synchronous so callers decide
 * when an event becomes visible (EmbeddedHistoryStore: at once; FileHistoryStore: once
 * it is in the log).
 */
export class FeedbackLists {
  private readonly events = new Map<string, FeedbackEvent[]>();

  constructor(readonly maxPerUser = 1000) {
    if (!Number.isInteger(maxPerUser) || maxPerUser < 1) throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', `maxPerUser must be a positive integer, got ${maxPerUser}`, { field: 'maxPerUser' });
  }

  /** Adds one event, dropping the user's oldest beyond `maxPerUser`; returns how many the user now has. */
  add(event: FeedbackEvent): number {
    let list = this.events.get(event.userId);
    if (!list) {
      list = [];
      this.events.set(event.userId, list);
    }
    list.push(event);
    if (list.length > this.maxPerUser) list.splice(0, list.length - this.maxPerUser);
    return list.length;
  }

  /** How many events the user has (0 for an unknown user). */
  count(userId: string): number {
    return this.events.get(userId)?.length ?? 0;
  }

  /** Users with at least one event. */
  get users(): number {
    return this.events.size;
  }

  /** The user's events, newest first, as mergeHistory reads them. */
  *newestFirst(userId: string): Generator<FeedbackEntry> {
    const events = this.events.get(userId);
    if (!events) return;
    for (let i = events.length - 1; i >= 0; i--) yield events[i]!;
  }
}
