/**
 * The VectorIndex contract against the embedded HNSW index, built the way a training job
 * builds it (itemVectorArtifacts with the HNSW threshold at 1) and loaded from those bytes the
 * way a serving bundle loads it. The contract asserts exact answers, so the search beam covers
 * the 400 items (at efSearch 200 one of 1,000 top-50 items was missed); recall at a realistic
 * beam over 60k items is measured by bench/ann.bench.ts.
 */
import { parseConfig } from '../../lib/config/load-config.js';
import { ITEM_VECTORS_ARTIFACT, itemVectorArtifacts } from '../../lib/stores/vectors/item-vectors-artifact.js';
import { loadEmbeddedVectorIndex } from '../../lib/stores/vectors/load-vector-index.js';
import { vectorIndexContract } from './vector-index.contract.js';

vectorIndexContract('hnsw (persisted, MIPS-to-L2)', async (vectors, dim) => {
  const config = parseConfig({ stores: { vectors: { hnswAbove: 1, efSearch: 400 } } });
  const artifacts = new Map((await itemVectorArtifacts(vectors, dim, config)).map((artifact) => [artifact.name, artifact.bytes]));
  if (!artifacts.has(ITEM_VECTORS_ARTIFACT.hnsw)) throw new Error('no HNSW artifact written');
  const read = (name: string): Promise<Buffer> => Promise.resolve(artifacts.get(name)!);
  const index = await loadEmbeddedVectorIndex(read, [...artifacts.keys()], vectors.length / dim, config.stores.vectors);
  if (index === null) throw new Error('no index loaded');
  return { index, cleanup: () => Promise.resolve() };
}, { kind: 'hnsw' });
