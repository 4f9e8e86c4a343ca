import type { FeedbackEvent, HistoryStore, UserHistory } from './history-store.js';
import { FeedbackLists } from './feedback-lists.js';
import { mergeHistory } from './merge-history.js';

/**
 * In-process feedback overlay: the newest `maxPerUser` events per user, by raw id.
 * Not durable: a restart forgets feedback not yet folded into a bundle
 * (FileHistoryStore adds an append-only log replayed at start).
 */
export class EmbeddedHistoryStore implements HistoryStore {
  readonly backend = 'embedded';
  private readonly lists: FeedbackLists;

  constructor(maxPerUser = 1000) {
    this.lists = new FeedbackLists(maxPerUser);
  }

  append(event: FeedbackEvent): Promise<number> {
    return Promise.resolve(this.lists.add(event));
  }

  history(userId: string, resolveItem: (itemId: string) => number, base: Int32Array | null, limit: number, baseRatings: Float32Array | null = null): Promise<UserHistory> {
    return Promise.resolve(mergeHistory(this.lists.newestFirst(userId), resolveItem, base, limit, baseRatings));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
