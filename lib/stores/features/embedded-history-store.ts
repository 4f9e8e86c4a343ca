import type { FeedbackEvent, HistoryStore, UserHistory } from './history-store.js';

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

  history(userId: string, resolveItem: (itemId: string) => number, base: Int32Array | null, limit: number): Promise<UserHistory> {
    const feedback = this.events.get(userId);
    const seen = new Set<number>();
    const recent: number[] = [];
    if (feedback) {
      for (let i = feedback.length - 1; i >= 0; i--) {
        const item = resolveItem(feedback[i]!.itemId);
        if (item < 0 || seen.has(item)) continue;
        seen.add(item);
        if (recent.length < limit) recent.push(item);
      }
    }
    if (base) {
      for (const item of base) {
        if (seen.has(item)) continue;
        seen.add(item);
        if (recent.length < limit) recent.push(item);
      }
    }
    return Promise.resolve({ known: base !== null || feedback !== undefined, recent: Int32Array.from(recent), seen });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
