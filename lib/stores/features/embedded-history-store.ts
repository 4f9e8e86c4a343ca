import type { FeedbackEvent, HistoryStore, UserHistory } from './history-store.js';
import { mergeHistory, type FeedbackEntry } from './merge-history.js';

/**
 * In-process feedback overlay: the newest `maxPerUser` events per user, by raw id.
 * Not durable: a restart forgets feedback not yet folded into a bundle.
 */
export class EmbeddedHistoryStore implements HistoryStore {
  readonly backend = 'embedded';
  private readonly events = new Map<string, FeedbackEvent[]>();

  constructor(private readonly maxPerUser = 1000) {}

  append(event: FeedbackEvent): Promise<number> {
    let list = this.events.get(event.userId);
    if (!list) {
      list = [];
      this.events.set(event.userId, list);
    }
    list.push(event);
    if (list.length > this.maxPerUser) list.splice(0, list.length - this.maxPerUser);
    return Promise.resolve(list.length);
  }

  history(userId: string, resolveItem: (itemId: string) => number, base: Int32Array | null, limit: number, baseRatings: Float32Array | null = null): Promise<UserHistory> {
    return Promise.resolve(mergeHistory(newestFirst(this.events.get(userId)), resolveItem, base, limit, baseRatings));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function* newestFirst(events: readonly FeedbackEvent[] | undefined): Generator<FeedbackEntry> {
  if (!events) return;
  for (let i = events.length - 1; i >= 0; i--) yield events[i]!;
}
