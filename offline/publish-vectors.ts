import type { RecsysConfig } from '../lib/config/schema.js';
import type { EmbeddedBundleStore } from '../lib/stores/bundle/embedded-bundle-store.js';
import type { BundleManifest } from '../lib/stores/bundle/manifest.js';
import { ITEM_VECTORS_ARTIFACT, decodeItemVectors } from '../lib/stores/vectors/item-vectors-artifact.js';
import { parseVectorStoreUri } from '../lib/stores/vectors/vector-store-uri.js';

/**
 * Copies a freshly published bundle's item vectors into Milvus when `stores.vectors.uri` is
 * milvus:// (a collection for the version, HNSW/IP index, loaded, then the alias flips) and
 * drops version collections beyond `bundle.keep`. A no-op for embedded:// or a bundle without
 * item vectors.
 */
export async function publishVectorsToStores(config: Readonly<RecsysConfig>, store: EmbeddedBundleStore, manifest: BundleManifest, log: (line: string) => void): Promise<void> {
  const settings = config.stores.vectors;
  const location = parseVectorStoreUri(settings.uri);
  if (location.backend === 'embedded' || !(ITEM_VECTORS_ARTIFACT.vectors in manifest.artifacts)) return;
  const { vectors, meta } = decodeItemVectors(await store.readArtifact(manifest.version, manifest, ITEM_VECTORS_ARTIFACT.vectors));
  const { connectMilvus, publishMilvusVectors, pruneMilvusVersions } = await import('../lib/stores/vectors/milvus-vector-index.js');
  const client = await connectMilvus({ ...location, timeoutMs: settings.timeoutMs });
  try {
    const started = performance.now();
    const collection = await publishMilvusVectors(client, {
      alias: settings.collection, version: manifest.version, vectors, dim: meta.dim,
      m: settings.m, efConstruction: settings.efConstruction, timeoutMs: settings.timeoutMs,
    });
    const dropped = await pruneMilvusVersions(client, settings.collection, config.bundle.keep, settings.timeoutMs);
    log(`published ${meta.count} item vectors of ${manifest.version} to Milvus ${location.address} as ${collection} (alias ${settings.collection}) in ${((performance.now() - started) / 1000).toFixed(1)} s${dropped.length > 0 ? `; dropped ${dropped.join(', ')}` : ''}`);
  } finally {
    await client.closeConnection().catch(() => undefined);
  }
}
