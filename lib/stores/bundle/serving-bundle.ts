import { RecsysError } from '../../domain/errors.js';
import type { SimilarityStore } from '../similarity/similarity-store.js';
import { EmbeddedSimilarityStore } from '../similarity/embedded-similarity-store.js';
import { SimilarityTable } from '../similarity/similarity-table.js';
import { loadEmbeddedVectorIndex } from '../vectors/load-vector-index.js';
import type { VectorIndex } from '../vectors/vector-index.js';
import { loadUserTower, type UserTower } from '../../onnx/user-tower.js';
import type { OrtSessionOptions } from '../../onnx/ort-session.js';
import type { BundleDraft, EmbeddedBundleStore } from './embedded-bundle-store.js';
import type { BundleManifest } from './manifest.js';
import {
  ARTIFACT, RANKING_ARTIFACTS, decodeCatalogue, decodeHistories, decodePopular, decodeUsers,
  type CatalogueDocument, type HistoryTable, type PopularLists,
} from './artifacts.js';

/** Everything the online services read from one bundle version, loaded and verified. */
export interface ServingBundle {
  readonly version: string;
  readonly manifest: BundleManifest;
  readonly catalogue: CatalogueDocument;
  readonly itemIndex: ReadonlyMap<string, number>;
  readonly userIndex: ReadonlyMap<string, number>;
  readonly histories: HistoryTable;
  readonly popular: PopularLists;
  readonly similarity: SimilarityStore;
  /** Item vectors (two-tower), index = catalogue index; null when the bundle has none. */
  readonly vectors: VectorIndex | null;
  /** The two-tower user tower (user-tower.onnx), loaded and warmed; null when the bundle has none. */
  readonly userTower: UserTower | null;
  /** The ranking stage's artifacts (feature spec, feature tables, ONNX models) by name, as stored. */
  readonly ranking: ReadonlyMap<string, Buffer>;
  /** Dense index of a raw item id, -1 when the catalogue lacks it. */
  readonly resolveItem: (itemId: string) => number;
  /** The user's bundle history (most recent first), or null for an unknown user. */
  userHistory(userId: string): Int32Array | null;
  /** Ratings aligned with userHistory (NaN where unknown), or null for an unknown user. */
  userHistoryRatings(userId: string): Float32Array | null;
}

export interface LoadServingBundleOptions {
  /** HNSW search beam width (config stores.vectors.efSearch). */
  efSearch?: number;
  /** onnxruntime session options of the bundle's models (config `onnx`). */
  ort?: OrtSessionOptions;
}

export async function loadServingBundle(store: EmbeddedBundleStore, version: string, options: LoadServingBundleOptions = {}): Promise<ServingBundle> {
  const manifest = await store.verify(version);
  return decodeServingBundle(version, manifest, (name) => store.readArtifact(version, manifest, name), options);
}

/** A draft's artifacts so far as a serving bundle (jobs that run the pipeline on the version being built). */
export async function loadDraftServingBundle(draft: BundleDraft, options: LoadServingBundleOptions = {}): Promise<ServingBundle> {
  return decodeServingBundle(draft.version, draft.preview(), (name) => draft.readArtifact(name), options);
}

async function decodeServingBundle(version: string, manifest: BundleManifest, read: (name: string) => Promise<Buffer>, options: LoadServingBundleOptions): Promise<ServingBundle> {
  const catalogue = decodeCatalogue(await read(ARTIFACT.catalogue));
  const userIds = decodeUsers(await read(ARTIFACT.users));
  const histories = decodeHistories(await read(ARTIFACT.histories));
  if (histories.offsets.length !== userIds.length + 1) {
    throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `bundle ${version}: ${userIds.length} users but ${histories.offsets.length - 1} histories`);
  }
  const popular = decodePopular(await read(ARTIFACT.popular));
  const tables = new Map<string, SimilarityTable>();
  for (const name of Object.keys(manifest.artifacts)) {
    if (!name.endsWith('.i2i')) continue;
    const table = SimilarityTable.decode(await read(name), name);
    if (table.rows !== catalogue.itemIds.length) throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `bundle ${version}: ${name} has ${table.rows} rows for ${catalogue.itemIds.length} items`);
    tables.set(name.slice(0, -'.i2i'.length), table);
  }
  const vectors = await loadEmbeddedVectorIndex(read, Object.keys(manifest.artifacts), catalogue.itemIds.length, { efSearch: options.efSearch ?? 250 });
  const userTower = await loadUserTower(read, Object.keys(manifest.artifacts), catalogue.itemIds.length, userIds.length, options.ort);
  const ranking = new Map<string, Buffer>();
  for (const name of RANKING_ARTIFACTS) if (name in manifest.artifacts) ranking.set(name, await read(name));
  const itemIndex = new Map<string, number>();
  catalogue.itemIds.forEach((id, index) => itemIndex.set(id, index));
  const userIndex = new Map<string, number>();
  userIds.forEach((id, index) => userIndex.set(id, index));
  return {
    version,
    manifest,
    catalogue,
    itemIndex,
    userIndex,
    histories,
    popular,
    similarity: new EmbeddedSimilarityStore(tables),
    vectors,
    userTower,
    ranking,
    resolveItem: (itemId) => itemIndex.get(itemId) ?? -1,
    userHistory(userId) {
      const user = userIndex.get(userId);
      if (user === undefined) return null;
      return histories.items.subarray(histories.offsets[user], histories.offsets[user + 1]);
    },
    userHistoryRatings(userId) {
      const user = userIndex.get(userId);
      if (user === undefined) return null;
      return histories.ratings.subarray(histories.offsets[user], histories.offsets[user + 1]);
    },
  };
}
