/**
 * MongoDB backend for the feedback overlay (official `mongodb` driver).
 *
 * Collection `feedback`: one document per event { userId, itemId, event, timestamp, rating },
 * kept by raw ids so it outlives bundle swaps; index { userId: 1, timestamp: -1, _id: -1 }
 * (serves "newest events of a user" without an in-memory sort; _id breaks timestamp ties in
 * insertion order). Durable, shared by every server process, unlike EmbeddedHistoryStore.
 */
import type { Collection, Db } from 'mongodb';
import { RecsysError } from '../../domain/errors.js';
import { guardMongo } from '../similarity/mongodb-similarity-store.js';
import type { FeedbackEvent, HistoryStore, UserHistory } from './history-store.js';
import { mergeHistory } from './merge-history.js';

export const FEEDBACK_COLLECTION = 'feedback';

interface FeedbackDocument {
  userId: string;
  itemId: string;
  event: string;
  timestamp: number;
  rating: number;
}

export interface MongoHistoryStoreOptions {
  /** Newest events per user that count (the count append returns, and what history reads). Default 1000, as embedded. */
  maxPerUser?: number;
  collection?: string;
  /** Called once by close(), e.g. to close the MongoClient this store owns. */
  onClose?: () => Promise<void>;
}

export class MongoHistoryStore implements HistoryStore {
  readonly backend = 'mongodb';
  private closed: Promise<void> | null = null;

  private constructor(
    private readonly feedback: Collection<FeedbackDocument>,
    private readonly maxPerUser: number,
    private readonly onClose: (() => Promise<void>) | undefined,
  ) {}

  /** Ensures the index, then returns the store. */
  static async open(db: Db, options: MongoHistoryStoreOptions = {}): Promise<MongoHistoryStore> {
    const maxPerUser = options.maxPerUser ?? 1000;
    if (!Number.isInteger(maxPerUser) || maxPerUser < 1) throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', `maxPerUser must be a positive integer, got ${maxPerUser}`, { field: 'maxPerUser' });
    const feedback = db.collection<FeedbackDocument>(options.collection ?? FEEDBACK_COLLECTION);
    await guardMongo('creating the feedback index', () => feedback.createIndex({ userId: 1, timestamp: -1, _id: -1 }, { name: 'user_newest' }, undefined));
    return new MongoHistoryStore(feedback, maxPerUser, options.onClose);
  }

  async append(event: FeedbackEvent): Promise<number> {
    this.assertOpen();
    const doc: FeedbackDocument = {
      userId: event.userId, itemId: event.itemId, event: event.event, timestamp: event.timestamp, rating: event.rating,
    };
    await guardMongo('appending feedback', () => this.feedback.insertOne(doc));
    return guardMongo('counting feedback', () => this.feedback.countDocuments({ userId: event.userId }, { limit: this.maxPerUser }));
  }

  async history(userId: string, resolveItem: (itemId: string) => number, base: Int32Array | null, limit: number, baseRatings: Float32Array | null = null): Promise<UserHistory> {
    this.assertOpen();
    // The newest maxPerUser events, not just `limit`: duplicates and unknown ids shrink the list,
    // and `seen` must hold every item, exactly as the embedded store.
    const docs = await guardMongo('reading feedback', () =>
      this.feedback
        .find({ userId }, { projection: { _id: 0, itemId: 1, rating: 1 }, sort: { timestamp: -1, _id: -1 }, limit: this.maxPerUser })
        .toArray());
    // A document without a rating reads as undefined, which knownRating turns into NaN (unknown).
    return mergeHistory(docs.map((doc) => ({ itemId: doc.itemId, rating: doc.rating })), resolveItem, base, limit, baseRatings);
  }

  close(): Promise<void> {
    this.closed ??= this.onClose ? this.onClose() : Promise.resolve();
    return this.closed;
  }

  private assertOpen(): void {
    if (this.closed !== null) throw new RecsysError('RECSYS_ERR_STORE_UNAVAILABLE', 'history store is closed');
  }
}
