import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { datasetFromRows } from '../../../offline/data/dataset-builder.js';
import { createPrng } from '../../../offline/data/prng.js';
import { buildTowerFeatures } from '../../../offline/jobs/two-tower/two-tower.features.js';
import { TwoTowerModel } from '../../../offline/jobs/two-tower/two-tower.model.js';
import { servedItemVectors } from '../../../offline/jobs/two-tower/two-tower.trainer.js';
import { exportUserTower } from '../../../offline/jobs/two-tower/user-tower.export.js';
import { UserTower } from '../../../lib/onnx/user-tower.js';
import { ExactVectorIndex } from '../../../lib/stores/vectors/exact-vector-index.js';
import { TwoTowerSource } from '../../../services/recall/sources/two-tower.source.js';
import type { RecallQuery } from '../../../services/recall/recall-source.js';

async function fixture(): Promise<{ source: TwoTowerSource; model: TwoTowerModel; itemVectors: Float32Array; tower: UserTower; row: (id: string) => number }> {
  const rows = [];
  for (let u = 0; u < 30; u++) for (let k = 0; k < 5; k++) rows.push({ user: `u${u}`, item: `i${(u * 7 + k * 3) % 50}`, timestamp: k });
  const dataset = datasetFromRows(rows);
  const shape = { users: dataset.userIds.length, items: dataset.itemIds.length, dim: 8, userIdDim: 4, historyDim: 8, itemIdDim: 8, featureDim: 2, userHidden: [16], itemHidden: [] };
  const model = new TwoTowerModel(shape, buildTowerFeatures(dataset), createPrng(9));
  const tower = await UserTower.load(exportUserTower(model), { dim: 9, users: shape.users, items: shape.items, maxHistory: 10 });
  // A popularity prior that favours low item indices, so the served extra component matters.
  const prior = Float32Array.from({ length: shape.items }, (_, i) => -0.01 * i);
  const itemVectors = servedItemVectors(model.allItemVectors(), 8, prior, 1);
  const userIndex = new Map(dataset.userIds.map((id, index) => [id, index]));
  const source = new TwoTowerSource(tower, new ExactVectorIndex(itemVectors, 9), (id) => userIndex.get(id) ?? -1, { overFetch: 5 });
  return { source, model, itemVectors, tower, row: (id) => userIndex.get(id) ?? -1 };
}

function query(userId: string, known: boolean, recent: number[], blocked: number[] = []): RecallQuery {
  const set = new Set(blocked);
  return { userId, known, recent: Int32Array.from(recent), recentRatings: new Float32Array(recent.length).fill(Number.NaN), blocked: (item) => set.has(item) };
}

/** Items by inner product with `vector`, best first, ties by index, skipping `blocked`. */
function bruteForce(vector: Float32Array, itemVectors: Float32Array, dim: number, blocked: number[], k: number): number[] {
  const scored = [];
  for (let i = 0; i < itemVectors.length / dim; i++) {
    if (blocked.includes(i)) continue;
    let s = 0;
    for (let d = 0; d < dim; d++) s += Math.fround(vector[d]! * itemVectors[i * dim + d]!);
    scored.push({ i, s });
  }
  scored.sort((a, b) => b.s - a.s || a.i - b.i);
  return scored.slice(0, k).map((x) => x.i);
}

void describe('TwoTowerSource', () => {
  void it('returns the items nearest the user-tower vector of the recent history, skipping blocked ones', async () => {
    const { source, itemVectors, tower, row } = await fixture();
    const recent = [3, 1, 4];
    const vector = await tower.vector(row('u5'), recent);
    const got = await source.recall(query('u5', true, recent, [recent[0]!, 7]), 10);
    assert.equal(got.items.length, 10);
    assert.ok(!got.items.includes(3) && !got.items.includes(7));
    const expected = bruteForce(vector, itemVectors, 9, [3, 7], 10);
    // Float rounding may swap near-ties; the sets agree and the top item is the same.
    assert.equal(got.items[0], expected[0]);
    assert.deepEqual([...got.items].sort((a, b) => a - b), [...expected].sort((a, b) => a - b));
    await tower.close();
  });

  void it('a new recent item (Feedback) changes the results; unknown users use the OOV row', async () => {
    const { source, tower, row } = await fixture();
    const before = await source.recall(query('u5', true, [3, 1, 4]), 20);
    const after = await source.recall(query('u5', true, [9, 22, 31, 3, 1, 4]), 20);
    assert.notDeepEqual([...after.items], [...before.items]);
    const unknown = await source.recall(query('nobody', false, [3, 1, 4]), 20);
    const oov = await tower.vector(-1, [3, 1, 4]);
    const known = await tower.vector(row('u5'), [3, 1, 4]);
    assert.notDeepEqual([...oov], [...known]);
    assert.equal(unknown.items.length, 20);
    assert.equal((await source.recall(query('nobody', false, []), 20)).items.length, 0, 'cold start is left to popular');
    await tower.close();
  });

  void it('finds nothing without a user tower or item vectors', async () => {
    const source = new TwoTowerSource(null, null, () => -1, { overFetch: 0 });
    assert.equal((await source.recall(query('u1', true, [1]), 10)).items.length, 0);
  });
});
