import type { RecsysConfig } from '../lib/config/schema.js';
import type { EmbeddedBundleStore } from '../lib/stores/bundle/embedded-bundle-store.js';
import type { BundleManifest } from '../lib/stores/bundle/manifest.js';
import { SimilarityTable } from '../lib/stores/similarity/similarity-table.js';
import { dropVersion, publishSimilarityTables, similarityVersions } from '../lib/stores/similarity/mongodb-similarity-store.js';
import { connectMongo, parseStoreUri } from '../lib/stores/store-uri.js';
import { publishVectorsToStores } from './publish-vectors.js';

/**
 * Copies a freshly published bundle's i2i tables into the production similarity store when
 * `stores.similarity` names one (MongoDB: one collection per table and version, then the alias
 * flips), and drops versions beyond `bundle.keep`. A no-op for embedded://. Item vectors go to
 * Milvus when `stores.vectors.uri` names it (publish-vectors.ts).
 */
export async function publishToStores(config: Readonly<RecsysConfig>, store: EmbeddedBundleStore, manifest: BundleManifest, log: (line: string) => void): Promise<void> {
  await publishVectorsToStores(config, store, manifest, log);
  const location = parseStoreUri(config.stores.similarity, 'stores.similarity');
  if (location.backend === 'embedded') return;
  const tables = new Map<string, SimilarityTable>();
  for (const name of Object.keys(manifest.artifacts)) {
    if (!name.endsWith('.i2i')) continue;
    tables.set(name.slice(0, -'.i2i'.length), SimilarityTable.decode(await store.readArtifact(manifest.version, manifest, name), name));
  }
  const { client, db } = await connectMongo(location);
  try {
    const started = performance.now();
    await publishSimilarityTables(db, manifest.version, tables);
    const versions = await similarityVersions(db);
    for (const old of versions.slice(0, Math.max(0, versions.length - config.bundle.keep))) {
      if (old !== manifest.version) await dropVersion(db, old);
    }
    log(`published ${tables.size} similarity tables of ${manifest.version} to MongoDB database ${location.database} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await client.close();
  }
}
