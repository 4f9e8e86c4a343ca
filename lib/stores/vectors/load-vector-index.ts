import { RecsysError } from '../../domain/errors.js';
import { ExactVectorIndex } from './exact-vector-index.js';
import { HnswVectorIndex } from './hnsw-vector-index.js';
import { ITEM_VECTORS_ARTIFACT, decodeHnswArtifact, decodeItemVectors, type VectorsConfig } from './item-vectors-artifact.js';
import type { VectorIndex } from './vector-index.js';

/**
 * The embedded vector index of a bundle version, or null when the bundle has no item vectors
 * (no two-tower job ran). HNSW when the bundle carries a persisted graph, exact search otherwise.
 * `read` returns a verified artifact's bytes; `names` are the manifest's artifact names.
 */
export async function loadEmbeddedVectorIndex(
  read: (name: string) => Promise<Buffer>,
  names: readonly string[],
  itemCount: number,
  settings: Pick<VectorsConfig, 'efSearch'>,
): Promise<VectorIndex | null> {
  if (!names.includes(ITEM_VECTORS_ARTIFACT.vectors)) return null;
  const { vectors, meta } = decodeItemVectors(await read(ITEM_VECTORS_ARTIFACT.vectors));
  if (meta.count !== itemCount) {
    throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${ITEM_VECTORS_ARTIFACT.vectors}: ${meta.count} vectors for ${itemCount} catalogue items`);
  }
  if (!names.includes(ITEM_VECTORS_ARTIFACT.hnsw)) return new ExactVectorIndex(vectors, meta.dim);
  const hnsw = decodeHnswArtifact(await read(ITEM_VECTORS_ARTIFACT.hnsw));
  if (hnsw.meta.dim !== meta.dim) throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${ITEM_VECTORS_ARTIFACT.hnsw}: dim ${hnsw.meta.dim}, the vectors ${meta.dim}`);
  return HnswVectorIndex.load(vectors, hnsw.index, hnsw.meta, settings.efSearch);
}
