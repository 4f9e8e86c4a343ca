/**
 * The VectorIndex contract against the embedded HNSW index in both graph spaces, built the way
 * a training job builds it (itemVectorArtifacts with the HNSW threshold at 1) and loaded from
 * those bytes the way a serving bundle loads it. The contract asserts exact answers, so the
 * search beam covers the 400 items (at efSearch 200 one of 1,000 top-50 items was missed);
 * recall at a realistic beam over 60k items is measured by bench/ann.bench.ts.
 */
import { parseConfig } from '../../lib/config/load-config.js';
import type { HnswSpace } from '../../lib/stores/vectors/hnsw-vector-index.js';
import { ITEM_VECTORS_ARTIFACT, decodeHnswArtifact, itemVectorArtifacts } from '../../lib/stores/vectors/item-vectors-artifact.js';
import { loadEmbeddedVectorIndex } from '../../lib/stores/vectors/load-vector-index.js';
import { vectorIndexContract } from './vector-index.contract.js';

for (const space of ['ip', 'l2-augmented'] as const satisfies readonly HnswSpace[]) {
  vectorIndexContract(`hnsw (persisted, ${space} space)`, async (vectors, dim) => {
    const config = parseConfig({ stores: { vectors: { hnswAbove: 1, efSearch: 400, space } } });
    const artifacts = new Map((await itemVectorArtifacts(vectors, dim, config)).map((artifact) => [artifact.name, artifact.bytes]));
    const graph = artifacts.get(ITEM_VECTORS_ARTIFACT.hnsw);
    if (graph === undefined || decodeHnswArtifact(graph).meta.space !== space) throw new Error(`no ${space} HNSW artifact written`);
    const read = (name: string): Promise<Buffer> => Promise.resolve(artifacts.get(name)!);
    const index = await loadEmbeddedVectorIndex(read, [...artifacts.keys()], vectors.length / dim, config.stores.vectors);
    if (index === null) throw new Error('no index loaded');
    return { index, cleanup: () => Promise.resolve() };
  }, { kind: 'hnsw' });
}
