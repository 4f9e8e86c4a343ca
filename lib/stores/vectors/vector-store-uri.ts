/**
 * Where item vectors are searched, by `stores.vectors.uri`:
 *   embedded://              the bundle's own index (exact, or the persisted HNSW graph)
 *   milvus://host[:port][/db] Milvus (default port 19530, default database); `recsys train`
 *                            publishes each bundle version's vectors as a collection
 * The Milvus SDK takes over a second to import, so it is loaded only when a milvus:// URI is used.
 */
import { RecsysError } from '../../domain/errors.js';
import type { VectorsConfig } from './item-vectors-artifact.js';
import type { VectorIndex } from './vector-index.js';

export const DEFAULT_MILVUS_PORT = 19530;

export type VectorStoreLocation =
  | { readonly backend: 'embedded' }
  | { readonly backend: 'milvus'; readonly address: string; readonly database?: string };

export function parseVectorStoreUri(uri: string, key = 'stores.vectors.uri'): VectorStoreLocation {
  const value = uri.trim();
  const invalid = (why: string): RecsysError => new RecsysError('RECSYS_ERR_CONFIG_INVALID', `${key}: ${why} (got "${value}")`, { field: key });
  if (value === '' || value === 'embedded://') return { backend: 'embedded' };
  const match = /^milvus:\/\/([^/?#@]+?)(?::(\d+))?(?:\/([A-Za-z_][A-Za-z0-9_]*)?)?$/i.exec(value);
  if (!match) throw invalid('expected embedded:// or milvus://host[:port][/database]');
  const port = match[2] === undefined ? DEFAULT_MILVUS_PORT : Number(match[2]);
  if (port < 1 || port > 65_535) throw invalid(`port ${port} out of range`);
  return { backend: 'milvus', address: `${match[1]!}:${port}`, ...(match[3] === undefined ? {} : { database: match[3] }) };
}

/**
 * The vector index serving uses for bundle `version`: the bundle's own (`embedded`, possibly
 * null when the bundle has no vectors) for embedded://, else that version's Milvus collection.
 * Connection failures are RECSYS_ERR_STORE_UNAVAILABLE, a missing collection RECSYS_ERR_BUNDLE_MISSING.
 */
export async function openVectorIndex(settings: VectorsConfig, embedded: VectorIndex | null, version: string): Promise<VectorIndex | null> {
  const location = parseVectorStoreUri(settings.uri);
  if (location.backend === 'embedded' || embedded === null) return embedded;
  const { MilvusVectorIndex, connectMilvus, versionCollection } = await import('./milvus-vector-index.js');
  const client = await connectMilvus({ ...location, timeoutMs: settings.timeoutMs });
  try {
    return await MilvusVectorIndex.open(client, {
      collection: versionCollection(settings.collection, version),
      efSearch: settings.efSearch,
      timeoutMs: settings.timeoutMs,
      onClose: () => client.closeConnection().then(() => undefined),
    });
  } catch (error) {
    await client.closeConnection().catch(() => undefined);
    throw error;
  }
}
