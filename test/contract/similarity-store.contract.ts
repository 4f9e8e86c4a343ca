/**
 * The SimilarityStore contract, written once and run against every backend
 * (similarity-store.<backend>.test.ts). A backend passes when it serves exactly the rows
 * of the tables it was built from.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { CandidateList } from '../../lib/domain/candidate.js';
import type { SimilarityStore } from '../../lib/stores/similarity/similarity-store.js';
import { SimilarityTable } from '../../lib/stores/similarity/similarity-table.js';

export interface SimilarityStoreHandle {
  readonly store: SimilarityStore;
  cleanup(): Promise<void>;
}

export type MakeSimilarityStore = (tables: Map<string, SimilarityTable>) => Promise<SimilarityStoreHandle>;

/** Builds a CSR table from rows of [item, score] pairs. */
function tableOf(rows: [number, number][][]): SimilarityTable {
  const offsets = new Int32Array(rows.length + 1);
  const items: number[] = [];
  const scores: number[] = [];
  rows.forEach((row, i) => {
    for (const [item, score] of row) {
      items.push(item);
      scores.push(score);
    }
    offsets[i + 1] = items.length;
  });
  return new SimilarityTable(offsets, Int32Array.from(items), Float32Array.from(scores));
}

/** Two tables over 6 items; item 4 has no neighbours; scores not exact in float32. */
export function contractTables(): Map<string, SimilarityTable> {
  return new Map([
    ['item-cf', tableOf([
      [[1, 0.9], [2, 0.1], [5, 0.05]],
      [[0, 0.9], [3, 1 / 3]],
      [[0, 0.7]],
      [[1, 0.3333], [5, 0.2], [0, 0.1], [2, 1e-7]],
      [],
      [[3, 0.6], [0, 0.123456789]],
    ])],
    ['swing', tableOf([
      [[2, 2.5]],
      [],
      [[0, 2.5], [5, 1.75]],
      [[4, 0.01]],
      [[3, 0.01]],
      [[2, 1.75]],
    ])],
  ]);
}

function plain(list: CandidateList): { items: number[]; scores: number[] } {
  return { items: Array.from(list.items), scores: Array.from(list.scores) };
}

function assertRows(actual: CandidateList[], expected: CandidateList[]): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((row, i) => {
    assert.ok(row.items instanceof Int32Array, `row ${i}: items is an Int32Array`);
    assert.ok(row.scores instanceof Float32Array, `row ${i}: scores is a Float32Array`);
    assert.deepEqual(plain(row), plain(expected[i]!), `row ${i}`);
  });
}

export function similarityStoreContract(name: string, make: MakeSimilarityStore, options: { skip?: string | false } = {}): void {
  void describe(`SimilarityStore contract: ${name}`, { skip: options.skip ?? false }, () => {
    const tables = contractTables();
    let handle: SimilarityStoreHandle | undefined;
    const store = (): SimilarityStore => {
      if (!handle) throw new Error('store not opened');
      return handle.store;
    };

    before(async () => {
      handle = await make(contractTables());
    });
    after(async () => {
      if (handle) {
        await handle.store.close();
        await handle.cleanup();
      }
    });

    void it('tables() lists the table names', () => {
      assert.deepEqual([...store().tables()].sort(), ['item-cf', 'swing']);
    });

    void it('returns the neighbours of several items in one call, in the given order', async () => {
      const table = tables.get('item-cf')!;
      const asked = [3, 0, 5, 1];
      assertRows(await store().neighbours('item-cf', Int32Array.from(asked)), asked.map((item) => table.row(item)));
    });

    void it('rows equal the tables exactly (items and float32 scores) for every item of every table', async () => {
      for (const [tableName, table] of tables) {
        const all = Array.from({ length: table.rows }, (_, i) => i);
        assertRows(await store().neighbours(tableName, all), all.map((item) => table.row(item)));
      }
    });

    void it('gives an unknown item, an out-of-range or non-integer index, and an item without neighbours an empty list', async () => {
      const rows = await store().neighbours('item-cf', [-1, 6, 1000, 1.5, Number.NaN, 4, 2]);
      assert.equal(rows.length, 7);
      for (const row of rows.slice(0, 6)) assert.equal(row.items.length, 0);
      assert.deepEqual(plain(rows[6]!), plain(tables.get('item-cf')!.row(2)));
    });

    void it('gives every item of an unknown table an empty list', async () => {
      const rows = await store().neighbours('no-such-table', [0, 1, 2]);
      assert.equal(rows.length, 3);
      for (const row of rows) {
        assert.equal(row.items.length, 0);
        assert.equal(row.scores.length, 0);
      }
    });

    void it('answers an empty request with an empty array', async () => {
      assert.deepEqual(await store().neighbours('swing', []), []);
    });

    void it('repeated reads (cache hits, duplicates in one call) return the same data', async () => {
      const table = tables.get('swing')!;
      const asked = [2, 2, 0, 5, 2];
      const first = await store().neighbours('swing', asked);
      const second = await store().neighbours('swing', asked);
      assertRows(first, asked.map((item) => table.row(item)));
      assertRows(second, asked.map((item) => table.row(item)));
    });

    void it('close() is idempotent', async () => {
      const own = await make(contractTables());
      try {
        await own.store.close();
        await own.store.close();
      } finally {
        await own.cleanup();
      }
    });
  });
}
