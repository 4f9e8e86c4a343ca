/**
 * How the VectorIndex contract reaches Milvus, shared by the run against a real server and the
 * run against the SDK fake: publish a decoy version (rows reversed) and then the real one under
 * a fresh alias, and open the real version's collection, so reading the right rows proves that
 * serving reads its own bundle version and not whatever the alias names.
 */
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import {
  MilvusVectorIndex, milvusVersionCollections, publishMilvusVectors, versionCollection,
} from '../../lib/stores/vectors/milvus-vector-index.js';
import type { VectorIndexHandle } from './vector-index.contract.js';

export const MILVUS_TIMEOUT_MS = 10_000;

function reversedRows(vectors: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(vectors.length);
  const count = vectors.length / dim;
  for (let i = 0; i < count; i++) out.set(vectors.subarray(i * dim, i * dim + dim), (count - 1 - i) * dim);
  return out;
}

export async function dropAlias(client: MilvusClient, alias: string): Promise<void> {
  await client.dropAlias({ alias, timeout: MILVUS_TIMEOUT_MS }).catch(() => undefined);
  for (const name of await milvusVersionCollections(client, alias, MILVUS_TIMEOUT_MS)) {
    await client.releaseCollection({ collection_name: name, timeout: MILVUS_TIMEOUT_MS }).catch(() => undefined);
    await client.dropCollection({ collection_name: name, timeout: MILVUS_TIMEOUT_MS });
  }
}

export async function openPublished(client: MilvusClient, alias: string, vectors: Float32Array, dim: number, onClose?: () => Promise<void>): Promise<VectorIndexHandle> {
  const common = { alias, dim, m: 16, efConstruction: 200, timeoutMs: MILVUS_TIMEOUT_MS, batchSize: 150 };
  await publishMilvusVectors(client, { ...common, version: 'v0', vectors: reversedRows(vectors, dim) });
  await publishMilvusVectors(client, { ...common, version: 'v1', vectors, makeCurrent: false });
  // The contract asserts exact answers: a beam over every one of the 400 items.
  const index = await MilvusVectorIndex.open(client, { collection: versionCollection(alias, 'v1'), efSearch: 400, timeoutMs: MILVUS_TIMEOUT_MS, ...(onClose ? { onClose } : {}) });
  return { index, cleanup: () => dropAlias(client, alias) };
}
