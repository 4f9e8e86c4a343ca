/**
 * The SimilarityStore contract against MongoDB. Needs a server:
 *   MONGODB_URI=mongodb://localhost:27017/recsys npm test   (deploy/mongodb/compose.yaml starts one)
 * Each make() publishes into its own database, dropped afterwards. Skipped when MONGODB_URI is unset.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { RecsysError } from '../../lib/domain/errors.js';
import {
  MongoSimilarityStore, currentSimilarityVersion, dropVersion, publishSimilarityTables, similarityVersions,
} from '../../lib/stores/similarity/mongodb-similarity-store.js';
import { MONGODB_SKIP, scratchDatabase } from '../support/mongo.js';
import { contractTables, similarityStoreContract } from './similarity-store.contract.js';

const skip = MONGODB_SKIP;

similarityStoreContract('mongodb', async (tables) => {
  const { db, drop } = await scratchDatabase('sim');
  // A decoy version first, with the tables swapped, so reading the right rows proves the alias flip.
  const swapped = new Map([['item-cf', tables.get('swing')!], ['swing', tables.get('item-cf')!]]);
  await publishSimilarityTables(db, 'v0', swapped);
  await publishSimilarityTables(db, 'v1', tables, { batchSize: 2 });
  const store = await MongoSimilarityStore.open(db, { cacheRows: 3 });
  return {
    store,
    cleanup: drop,
  };
}, { skip });

void describe('MongoSimilarityStore versions (mongodb)', { skip }, () => {
  void it('flips the alias, reads a pinned version, prunes old versions and protects the current one', async () => {
    const { db, drop } = await scratchDatabase('sim');
    try {
      assert.equal(await currentSimilarityVersion(db), null);
      await assert.rejects(MongoSimilarityStore.open(db), (error: unknown) => error instanceof RecsysError && error.code === 'RECSYS_ERR_BUNDLE_MISSING');
      const tables = contractTables();
      const swapped = new Map([['item-cf', tables.get('swing')!]]);
      await publishSimilarityTables(db, 'v1', tables);
      await publishSimilarityTables(db, 'v2', swapped, { makeCurrent: false });
      assert.equal(await currentSimilarityVersion(db), 'v1');
      await publishSimilarityTables(db, 'v2', swapped);
      assert.equal(await currentSimilarityVersion(db), 'v2');
      assert.deepEqual(await similarityVersions(db), ['v1', 'v2']);

      const pinned = await MongoSimilarityStore.open(db, { version: 'v1' });
      assert.deepEqual([...pinned.tables()].sort(), ['item-cf', 'swing']);
      const [row] = await pinned.neighbours('item-cf', [0]);
      assert.deepEqual(Array.from(row!.items), Array.from(tables.get('item-cf')!.row(0).items));
      await pinned.close();

      const current = await MongoSimilarityStore.open(db);
      assert.equal(current.version, 'v2');
      assert.deepEqual(current.tables(), ['item-cf']);
      await current.close();

      await assert.rejects(dropVersion(db, 'v2'), (error: unknown) => error instanceof RecsysError && error.code === 'RECSYS_ERR_CONFIG_INVALID');
      await assert.rejects(publishSimilarityTables(db, 'v2', tables), (error: unknown) => error instanceof RecsysError);
      await dropVersion(db, 'v1');
      assert.deepEqual(await similarityVersions(db), ['v2']);
      const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
      assert.ok(!names.some((name) => name.endsWith('_v1')), `v1 collections dropped: ${names.join(', ')}`);
      await assert.rejects(MongoSimilarityStore.open(db, { version: 'v1' }), (error: unknown) => error instanceof RecsysError && error.code === 'RECSYS_ERR_BUNDLE_MISSING');
    } finally {
      await drop();
    }
  });
});
