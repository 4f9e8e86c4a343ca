/**
 * The HistoryStore contract against MongoDB. Needs a server:
 *   MONGODB_URI=mongodb://localhost:27017/recsys npm test   (deploy/mongodb/compose.yaml starts one)
 * Each make() uses its own database, dropped afterwards. Skipped when MONGODB_URI is unset.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { FEEDBACK_COLLECTION, MongoHistoryStore } from '../../lib/stores/features/mongodb-history-store.js';
import { MONGODB_SKIP, scratchDatabase } from '../support/mongo.js';
import { historyStoreContract } from './history-store.contract.js';

const skip = MONGODB_SKIP;

historyStoreContract('mongodb', async () => {
  const { db, drop } = await scratchDatabase('hist');
  const store = await MongoHistoryStore.open(db);
  return {
    store,
    cleanup: drop,
  };
}, { skip });

void describe('MongoHistoryStore specifics (mongodb)', { skip }, () => {
  void it('creates the {userId, timestamp} index, caps counts at maxPerUser and reads the newest events', async () => {
    const { db, drop } = await scratchDatabase('hist');
    try {
      const store = await MongoHistoryStore.open(db, { maxPerUser: 2 });
      const indexes = await db.collection(FEEDBACK_COLLECTION).indexes();
      assert.ok(indexes.some((index) => JSON.stringify(index.key) === JSON.stringify({ userId: 1, timestamp: -1, _id: -1 })));
      const base = { userId: 'u', event: 'click', rating: 0 };
      assert.equal(await store.append({ ...base, itemId: 'a', timestamp: 1 }), 1);
      assert.equal(await store.append({ ...base, itemId: 'b', timestamp: 2 }), 2);
      assert.equal(await store.append({ ...base, itemId: 'c', timestamp: 3 }), 2);
      const resolve = (id: string): number => ({ a: 0, b: 1, c: 2 } as Record<string, number>)[id] ?? -1;
      const history = await store.history('u', resolve, null, 10);
      assert.deepEqual(Array.from(history.recent), [2, 1]);
      await store.close();
    } finally {
      await drop();
    }
  });
});
