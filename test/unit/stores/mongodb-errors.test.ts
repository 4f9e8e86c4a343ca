import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';

import { RecsysError } from '../../../lib/domain/errors.js';
import type { ErrorCode } from '../../../lib/domain/errors.js';
import { EmbeddedSimilarityStore } from '../../../lib/stores/similarity/embedded-similarity-store.js';
import { MongoSimilarityStore, similarityCollectionName } from '../../../lib/stores/similarity/mongodb-similarity-store.js';
import { connectMongo, openHistoryStore, openSimilarityStore, parseStoreUri, redactUri } from '../../../lib/stores/store-uri.js';

/** Nothing listens on port 1; server selection gives up after 200 ms. */
const DEAD = 'mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=200';

function hasCode(code: ErrorCode, field?: string): (error: unknown) => boolean {
  return (error: unknown) => error instanceof RecsysError && error.code === code && (field === undefined || error.field === field);
}

void describe('MongoDB stores with the server down', () => {
  void it('neighbours rejects with RECSYS_ERR_STORE_UNAVAILABLE (category dependency) quickly', { timeout: 10_000 }, async () => {
    const client = new MongoClient(DEAD);
    const store = MongoSimilarityStore.attach(client.db('recsys'), 'v1', new Map([['item-cf', 10]]), { onClose: () => client.close() });
    try {
      const started = Date.now();
      await assert.rejects(store.neighbours('item-cf', [1, 2]), (error: unknown) =>
        hasCode('RECSYS_ERR_STORE_UNAVAILABLE')(error) && (error as RecsysError).category === 'dependency');
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
      // Nothing to read needs no server: unknown table, out-of-range items.
      assert.equal((await store.neighbours('other', [1]))[0]!.items.length, 0);
      assert.equal((await store.neighbours('item-cf', [10, -1]))[1]!.items.length, 0);
    } finally {
      await store.close();
      await store.close();
    }
  });

  void it('connecting and opening stores reject with RECSYS_ERR_STORE_UNAVAILABLE', { timeout: 10_000 }, async () => {
    await assert.rejects(connectMongo({ uri: DEAD, database: 'recsys' }), hasCode('RECSYS_ERR_STORE_UNAVAILABLE'));
    await assert.rejects(openHistoryStore(DEAD), hasCode('RECSYS_ERR_STORE_UNAVAILABLE'));
    await assert.rejects(openSimilarityStore(DEAD, new EmbeddedSimilarityStore(new Map())), hasCode('RECSYS_ERR_STORE_UNAVAILABLE'));
  });
});

void describe('parseStoreUri', () => {
  void it('defaults to embedded', () => {
    assert.deepEqual(parseStoreUri(''), { backend: 'embedded' });
    assert.deepEqual(parseStoreUri('embedded://'), { backend: 'embedded' });
    assert.deepEqual(parseStoreUri('EMBEDDED://'), { backend: 'embedded' });
  });

  void it('reads the database from the mongodb URI path, default recsys', () => {
    assert.deepEqual(parseStoreUri('mongodb://localhost:27017/recsys_prod'), { backend: 'mongodb', uri: 'mongodb://localhost:27017/recsys_prod', database: 'recsys_prod' });
    assert.equal(parseStoreUri('mongodb://localhost:27017').backend, 'mongodb');
    const cases: [string, string][] = [
      ['mongodb://localhost:27017', 'recsys'],
      ['mongodb://localhost:27017/', 'recsys'],
      ['mongodb://localhost/?replicaSet=rs0', 'recsys'],
      ['mongodb://user:p%40ss@a:1,b:2,c:3/feeds?replicaSet=rs0&authSource=admin', 'feeds'],
      ['mongodb+srv://user:pw@cluster0.example.net/recs?retryWrites=true', 'recs'],
      ['mongodb://localhost/my%2Ddb', 'my-db'],
    ];
    for (const [uri, database] of cases) {
      assert.deepEqual(parseStoreUri(uri), { backend: 'mongodb', uri, database }, uri);
    }
  });

  void it('rejects other schemes and malformed URIs with RECSYS_ERR_CONFIG_INVALID naming the key', () => {
    for (const uri of ['redis://localhost', 'postgres://x/y', 'localhost:27017', 'mongodb:localhost', 'mongodb://', 'mongodb:///db', 'mongodb://a,,b/db', 'mongodb://h/bad.name', 'mongodb://h/a$b', 'embedded://somewhere']) {
      assert.throws(() => parseStoreUri(uri, 'stores.history'), hasCode('RECSYS_ERR_CONFIG_INVALID', 'stores.history'), uri);
    }
  });

  void it('keeps credentials out of error messages', () => {
    assert.equal(redactUri('mongodb://user:secret@h:1/db'), 'mongodb://***@h:1/db');
    assert.throws(() => parseStoreUri('mongodb://user:secret@h/bad.name', 'stores.similarity'), (error: unknown) =>
      error instanceof RecsysError && !error.message.includes('secret') && error.message.includes('stores.similarity'));
  });

  void it('openHistoryStore / openSimilarityStore pick the embedded backend by default', async () => {
    const history = await openHistoryStore('embedded://');
    assert.equal(history.backend, 'embedded');
    await history.close();
    const embedded = new EmbeddedSimilarityStore(new Map());
    assert.equal(await openSimilarityStore('', embedded), embedded);
    await assert.rejects(openHistoryStore('redis://x'), hasCode('RECSYS_ERR_CONFIG_INVALID', 'stores.history'));
  });

  void it('names collections safely per table and version', () => {
    assert.equal(similarityCollectionName('item-cf', '20260101T000000Z'), 'i2i_item-cf_20260101T000000Z');
    assert.equal(similarityCollectionName('a.b$c', 'v 1/2'), 'i2i_a_b_c_v_1_2');
  });
});
