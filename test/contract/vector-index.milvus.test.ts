/**
 * The VectorIndex contract against a real Milvus. Needs a server:
 *   MILVUS_ADDRESS=localhost:19530 npm test   (deploy/milvus/compose.yaml starts one)
 * Each make() publishes under its own alias, dropped afterwards. Skipped when MILVUS_ADDRESS is unset.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  connectMilvus, currentMilvusCollection, milvusVersionCollections, publishMilvusVectors, pruneMilvusVersions, versionCollection,
} from '../../lib/stores/vectors/milvus-vector-index.js';
import { contractVectors, vectorIndexContract } from './vector-index.contract.js';
import { MILVUS_TIMEOUT_MS, dropAlias, openPublished } from './vector-index.milvus.contract.js';

const address = process.env.MILVUS_ADDRESS ?? '';
const skip = address === '' ? 'MILVUS_ADDRESS is not set (deploy/milvus/compose.yaml starts a Milvus standalone)' : false;
const scratchAlias = (): string => `recsys_test_${process.pid}_${Math.floor(Math.random() * 1e9)}`;

vectorIndexContract('milvus', async (vectors, dim) => {
  const client = await connectMilvus({ address, timeoutMs: MILVUS_TIMEOUT_MS });
  const alias = scratchAlias();
  const handle = await openPublished(client, alias, vectors, dim);
  return {
    index: handle.index,
    cleanup: async () => {
      try {
        await handle.cleanup();
      } finally {
        await client.closeConnection();
      }
    },
  };
}, { skip, kind: 'milvus' });

void describe('Milvus vector versions (milvus)', { skip }, () => {
  void it('flips the alias after loading, prunes old versions and keeps the current one', async () => {
    const client = await connectMilvus({ address, timeoutMs: MILVUS_TIMEOUT_MS });
    const alias = scratchAlias();
    try {
      const vectors = contractVectors(60, 8, 1);
      const common = { alias, vectors, dim: 8, m: 8, efConstruction: 64, timeoutMs: MILVUS_TIMEOUT_MS };
      assert.equal(await currentMilvusCollection(client, alias, MILVUS_TIMEOUT_MS), null);
      for (const version of ['v1', 'v2', 'v3']) await publishMilvusVectors(client, { ...common, version });
      assert.equal(await currentMilvusCollection(client, alias, MILVUS_TIMEOUT_MS), versionCollection(alias, 'v3'));
      await assert.rejects(publishMilvusVectors(client, { ...common, version: 'v3' }));
      assert.deepEqual(await pruneMilvusVersions(client, alias, 1, MILVUS_TIMEOUT_MS), [versionCollection(alias, 'v1'), versionCollection(alias, 'v2')]);
      assert.deepEqual(await milvusVersionCollections(client, alias, MILVUS_TIMEOUT_MS), [versionCollection(alias, 'v3')]);
    } finally {
      await dropAlias(client, alias);
      await client.closeConnection();
    }
  });
});
