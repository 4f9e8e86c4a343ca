import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { parseConfig } from '../../../lib/config/load-config.js';
import { RecsysError } from '../../../lib/domain/errors.js';
import { loadServingBundle } from '../../../lib/stores/bundle/serving-bundle.js';
import { ExactVectorIndex } from '../../../lib/stores/vectors/exact-vector-index.js';
import { HnswVectorIndex } from '../../../lib/stores/vectors/hnsw-vector-index.js';
import { itemVectorArtifacts } from '../../../lib/stores/vectors/item-vectors-artifact.js';
import { contractVectors } from '../../contract/vector-index.contract.js';
import { makeTinyBundle, type TinyBundle } from '../../support/tiny-bundle.js';

/** Republishes the tiny bundle's artifacts plus item vectors as a new version. */
async function withVectors(tiny: TinyBundle, vectors: Float32Array, dim: number, hnswAbove: number): Promise<string> {
  const manifest = await tiny.store.verify(tiny.version);
  const draft = await tiny.store.createDraft({ configDigest: manifest.configDigest, dataDigest: manifest.dataDigest, dataset: manifest.dataset });
  for (const name of Object.keys(manifest.artifacts)) await draft.writeArtifact(name, await tiny.store.readArtifact(tiny.version, manifest, name));
  for (const artifact of await itemVectorArtifacts(vectors, dim, parseConfig({ stores: { vectors: { hnswAbove, m: 8, efConstruction: 64 } } }))) {
    await draft.writeArtifact(artifact.name, artifact.bytes);
  }
  return (await draft.publish({}, { makeCurrent: false })).version;
}

void describe('ServingBundle.vectors', () => {
  let tiny: TinyBundle;
  before(async () => {
    // Without the two-tower job, so the base version has no item vectors of its own.
    tiny = await makeTinyBundle({ twoTower: false });
  });
  after(async () => {
    await tiny.cleanup();
  });

  void it('is null for a bundle without item vectors', async () => {
    assert.equal((await loadServingBundle(tiny.store, tiny.version)).vectors, null);
  });

  void it('is the exact index below stores.vectors.hnswAbove and the persisted HNSW graph at or above it, in catalogue order', async () => {
    const items = (await loadServingBundle(tiny.store, tiny.version)).catalogue.itemIds.length;
    const dim = 8;
    const vectors = contractVectors(items, dim, 4);
    const exact = await loadServingBundle(tiny.store, await withVectors(tiny, vectors, dim, items + 1));
    assert.ok(exact.vectors instanceof ExactVectorIndex);
    const hnsw = await loadServingBundle(tiny.store, await withVectors(tiny, vectors, dim, items), { efSearch: 123 });
    assert.ok(hnsw.vectors instanceof HnswVectorIndex);
    assert.equal(hnsw.vectors.efSearch, 123);
    assert.equal(hnsw.vectors.size, items);
    // An item's own (scaled) vector finds it among the top few in both.
    const query = vectors.slice(5 * dim, 6 * dim).map((v) => v * 10);
    const top = await exact.vectors.search(query, 10);
    assert.deepEqual(Array.from((await hnsw.vectors.search(query, 10)).items), Array.from(top.items));
  });

  void it('refuses vectors whose count differs from the catalogue', async () => {
    const items = (await loadServingBundle(tiny.store, tiny.version)).catalogue.itemIds.length;
    const version = await withVectors(tiny, contractVectors(items - 1, 4, 4), 4, items + 10);
    await assert.rejects(loadServingBundle(tiny.store, version), (error: unknown) => error instanceof RecsysError && error.code === 'RECSYS_ERR_BUNDLE_CORRUPT');
  });
});
