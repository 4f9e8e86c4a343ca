import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { parseConfig } from '../../../lib/config/load-config.js';
import { RecsysError } from '../../../lib/domain/errors.js';
import { ExactVectorIndex } from '../../../lib/stores/vectors/exact-vector-index.js';
import { MilvusVectorIndex, connectMilvus, publishMilvusVectors, pruneMilvusVersions, versionCollection } from '../../../lib/stores/vectors/milvus-vector-index.js';
import { blockItems } from '../../../lib/stores/vectors/vector-index.js';
import { openVectorIndex, parseVectorStoreUri } from '../../../lib/stores/vectors/vector-store-uri.js';
import { contractQueries, contractVectors } from '../../contract/vector-index.contract.js';
import { fakeMilvus } from '../../support/fake-milvus.js';

const hasCode = (code: string) => (error: unknown): boolean => error instanceof RecsysError && error.code === code;
/** Nothing listens on port 1. */
const DEAD = '127.0.0.1:1';

async function published(items = 100, dim = 8): Promise<{ fake: ReturnType<typeof fakeMilvus>; index: MilvusVectorIndex; vectors: Float32Array }> {
  const fake = fakeMilvus();
  const vectors = contractVectors(items, dim, 9);
  await publishMilvusVectors(fake.client, { alias: 'a', version: 'v1', vectors, dim, m: 8, efConstruction: 64, timeoutMs: 1000 });
  const index = await MilvusVectorIndex.open(fake.client, { collection: versionCollection('a', 'v1'), efSearch: 64, timeoutMs: 1000 });
  return { fake, index, vectors };
}

void describe('vector store URIs', () => {
  void it('parse embedded:// and milvus://host[:port][/db], defaulting the port to 19530', () => {
    assert.deepEqual(parseVectorStoreUri('embedded://'), { backend: 'embedded' });
    assert.deepEqual(parseVectorStoreUri(''), { backend: 'embedded' });
    assert.deepEqual(parseVectorStoreUri('milvus://milvus'), { backend: 'milvus', address: 'milvus:19530' });
    assert.deepEqual(parseVectorStoreUri('milvus://10.0.0.5:29530/recsys'), { backend: 'milvus', address: '10.0.0.5:29530', database: 'recsys' });
    for (const bad of ['mongodb://x/db', 'milvus://', 'milvus://h:99999', 'milvus://h/bad-db', 'embedded://x']) {
      assert.throws(() => parseVectorStoreUri(bad), hasCode('RECSYS_ERR_CONFIG_INVALID'), bad);
    }
  });

  void it('the config accepts milvus:// and rejects other schemes for stores.vectors.uri', () => {
    assert.equal(parseConfig({ stores: { vectors: { uri: 'milvus://localhost:19530' } } }).stores.vectors.uri, 'milvus://localhost:19530');
    assert.throws(() => parseConfig({ stores: { vectors: { uri: 'mongodb://localhost/x' } } }), hasCode('RECSYS_ERR_CONFIG_INVALID'));
  });

  void it('embedded:// serves the bundle index itself; no vectors stays null', async () => {
    const settings = parseConfig({}).stores.vectors;
    const embedded = new ExactVectorIndex(new Float32Array(8), 4);
    assert.equal(await openVectorIndex(settings, embedded, 'v1'), embedded);
    assert.equal(await openVectorIndex({ ...settings, uri: `milvus://${DEAD}` }, null, 'v1'), null);
  });
});

void describe('Milvus adapter failures', () => {
  void it('an unreachable server is RECSYS_ERR_STORE_UNAVAILABLE, at connect and at open, without an unhandled rejection', async () => {
    await assert.rejects(connectMilvus({ address: DEAD, timeoutMs: 500 }), hasCode('RECSYS_ERR_STORE_UNAVAILABLE'));
    const settings = { ...parseConfig({}).stores.vectors, uri: `milvus://${DEAD}`, timeoutMs: 500 };
    await assert.rejects(openVectorIndex(settings, new ExactVectorIndex(new Float32Array(8), 4), 'v1'), hasCode('RECSYS_ERR_STORE_UNAVAILABLE'));
  });

  void it('a search that fails in transport or with an error status is RECSYS_ERR_STORE_UNAVAILABLE', async () => {
    const { fake, index } = await published();
    const query = contractQueries(1, 8)[0]!;
    fake.failWith = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
    await assert.rejects(index.search(query, 5), hasCode('RECSYS_ERR_STORE_UNAVAILABLE'));
    fake.failWith = null;
    fake.collections.get(versionCollection('a', 'v1'))!.loaded = false;
    await assert.rejects(index.search(query, 5), hasCode('RECSYS_ERR_STORE_UNAVAILABLE'));
    await index.close();
    await assert.rejects(index.search(query, 5), hasCode('RECSYS_ERR_STORE_UNAVAILABLE'));
  });

  void it('a missing version collection is RECSYS_ERR_BUNDLE_MISSING', async () => {
    const { fake } = await published();
    await assert.rejects(MilvusVectorIndex.open(fake.client, { collection: versionCollection('a', 'v9'), efSearch: 64, timeoutMs: 1000 }), hasCode('RECSYS_ERR_BUNDLE_MISSING'));
  });
});

void describe('Milvus adapter requests', () => {
  void it('a listed exclusion becomes an `id not in` filter with no over-fetch; a bare predicate over-fetches instead', async () => {
    const { fake, index } = await published();
    const query = contractQueries(1, 8)[0]!;
    await index.search(query, 10, blockItems([4, 2, 9]));
    assert.deepEqual(fake.searches.at(-1), { nq: 1, limit: 10, filter: 'id not in [2,4,9]' });
    await index.search(query, 10, (item) => item % 3 === 0);
    assert.deepEqual(fake.searches.at(-1), { nq: 1, limit: 10 + 2 + 16, filter: '' });
  });

  void it('doubles the fetch until a bare predicate leaves k items', async () => {
    const { fake, index } = await published();
    const before = fake.searches.length;
    const result = await index.search(contractQueries(1, 8)[0]!, 10, (item) => item >= 5);
    assert.deepEqual([...result.items].sort((a, b) => a - b), [0, 1, 2, 3, 4]);
    assert.deepEqual(fake.searches.slice(before).map((s) => s.limit), [28, 56, 100]);
  });

  void it('sends queries that share a predicate in one request (nq > 1), one request per distinct predicate', async () => {
    const { fake, index } = await published();
    const queries = contractQueries(5, 8);
    const shared = blockItems([1]);
    const before = fake.searches.length;
    const results = await index.searchMany(queries, 7, [shared, undefined, shared, undefined, shared]);
    assert.equal(results.length, 5);
    assert.deepEqual(fake.searches.slice(before).map((s) => s.nq).sort(), [2, 3]);
    for (const q of [0, 2, 4]) assert.ok(!results[q]!.items.includes(1));
  });

  void it('prunes old version collections but never the one the alias names', async () => {
    const fake = fakeMilvus();
    const vectors = contractVectors(20, 4, 2);
    const common = { alias: 'a', vectors, dim: 4, m: 8, efConstruction: 64, timeoutMs: 1000 };
    await publishMilvusVectors(fake.client, { ...common, version: 'v1' });
    await publishMilvusVectors(fake.client, { ...common, version: 'v2', makeCurrent: false });
    await publishMilvusVectors(fake.client, { ...common, version: 'v3', makeCurrent: false });
    assert.equal(fake.aliases.get('a'), 'a_v1');
    assert.deepEqual(await pruneMilvusVersions(fake.client, 'a', 1, 1000), ['a_v2']);
    assert.deepEqual([...fake.collections.keys()].sort(), ['a_v1', 'a_v3']);
    await assert.rejects(publishMilvusVectors(fake.client, { ...common, version: 'v1' }), hasCode('RECSYS_ERR_CONFIG_INVALID'));
  });
});
