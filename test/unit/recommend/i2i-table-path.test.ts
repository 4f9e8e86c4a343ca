import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { CandidateList } from '../../../lib/domain/candidate.js';
import { EmbeddedSimilarityStore } from '../../../lib/stores/similarity/embedded-similarity-store.js';
import type { SimilarityStore } from '../../../lib/stores/similarity/similarity-store.js';
import { SimilarityTable } from '../../../lib/stores/similarity/similarity-table.js';
import { I2iSource } from '../../../services/recall/sources/i2i.source.js';

/** A random CSR table over `items` items with up to `width` neighbours per row. */
function randomTable(items: number, width: number, seed: number): SimilarityTable {
  let state = seed;
  const next = (): number => (state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;
  const offsets = [0];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let i = 0; i < items; i++) {
    const row = new Set<number>();
    const n = Math.floor(next() * width);
    while (row.size < n) row.add(Math.floor(next() * items));
    for (const j of row) {
      cols.push(j);
      vals.push(Math.round(next() * 8) / 8);
    }
    offsets.push(cols.length);
  }
  return new SimilarityTable(Int32Array.from(offsets), Int32Array.from(cols), Float32Array.from(vals));
}

/** The same table behind the row API only, as a remote store (MongoDB) serves it. */
function rowsOnly(store: EmbeddedSimilarityStore): SimilarityStore {
  return { backend: 'rows', tables: () => store.tables(), neighbours: (table, items) => store.neighbours(table, items), close: () => Promise.resolve() };
}

void describe('I2iSource over an in-process table', () => {
  void it('returns exactly what the row path returns (order, scores, blocking, decay, ratings, call after call)', async () => {
    const items = 400;
    const embedded = new EmbeddedSimilarityStore(new Map([['t', randomTable(items, 60, 3)]]));
    assert.ok(embedded.localTable('t'));
    for (const options of [{ table: 't', triggers: 50 }, { table: 't', triggers: 20, triggerDecay: 0.9, ratingPower: 1 }, { table: 't', triggers: 30, rowLimit: 7 }]) {
      const fast = new I2iSource('fast', embedded, options, items);
      const slow = new I2iSource('slow', rowsOnly(embedded), options, items);
      for (let user = 0; user < 20; user++) {
        const recent = Int32Array.from({ length: 5 + user * 3 }, (_, k) => (user * 37 + k * 11) % (items + 5) - 2);
        const query = {
          userId: `u${user}`,
          known: true,
          recent,
          recentRatings: Float32Array.from(recent, (_, k) => (k % 3 === 0 ? Number.NaN : 1 + (k % 5))),
          blocked: (item: number) => item % 7 === user % 7,
        };
        const limit = 10 + user * 5;
        const a: CandidateList = await fast.recall(query, limit);
        const b: CandidateList = await slow.recall(query, limit);
        assert.ok(a.items.length > 0);
        assert.deepEqual(Array.from(a.items), Array.from(b.items), `user ${user}`);
        assert.deepEqual(Array.from(a.scores), Array.from(b.scores), `user ${user}`);
        for (const item of a.items) assert.notEqual(item % 7, user % 7, 'blocked items never returned');
      }
    }
  });

  void it('with rowLimit k, sums only the first k entries of each row: the same as the table cut to k per row', async () => {
    const items = 300;
    const table = randomTable(items, 80, 9);
    const k = 12;
    const offsets = [0];
    const cols: number[] = [];
    const vals: number[] = [];
    for (let i = 0; i < items; i++) {
      for (let p = table.offsets[i]!; p < Math.min(table.offsets[i + 1]!, table.offsets[i]! + k); p++) {
        cols.push(table.items[p]!);
        vals.push(table.scores[p]!);
      }
      offsets.push(cols.length);
    }
    const cut = new SimilarityTable(Int32Array.from(offsets), Int32Array.from(cols), Float32Array.from(vals));
    assert.ok(cut.items.length < table.items.length / 2, 'the limit cuts most rows');
    const limited = new I2iSource('limited', new EmbeddedSimilarityStore(new Map([['t', table]])), { table: 't', triggers: 40, rowLimit: k }, items);
    const reference = new I2iSource('cut', new EmbeddedSimilarityStore(new Map([['t', cut]])), { table: 't', triggers: 40 }, items);
    const whole = new I2iSource('whole', new EmbeddedSimilarityStore(new Map([['t', table]])), { table: 't', triggers: 40, rowLimit: 0 }, items);
    const recent = Int32Array.from({ length: 40 }, (_, j) => (j * 7) % items);
    const query = { userId: 'u', known: true, recent, recentRatings: new Float32Array(40).fill(Number.NaN), blocked: () => false };
    const a = await limited.recall(query, 100);
    const b = await reference.recall(query, 100);
    assert.deepEqual(Array.from(a.items), Array.from(b.items));
    assert.deepEqual(Array.from(a.scores), Array.from(b.scores));
    assert.notDeepEqual(Array.from((await whole.recall(query, 100)).items), Array.from(a.items), 'rowLimit 0 reads whole rows');
  });
});
