/**
 * The HistoryStore contract, written once and run against every backend
 * (history-store.<backend>.test.ts). Each test gets a fresh, empty store.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { FeedbackEvent, HistoryStore } from '../../lib/stores/features/history-store.js';

export interface HistoryStoreHandle {
  readonly store: HistoryStore;
  cleanup(): Promise<void>;
}

export type MakeHistoryStore = () => Promise<HistoryStoreHandle>;

const CATALOGUE = new Map([['a', 0], ['b', 1], ['c', 2], ['d', 3], ['e', 4], ['f', 5]]);
const resolve = (itemId: string): number => CATALOGUE.get(itemId) ?? -1;

let clock = 1_700_000_000;
function event(userId: string, itemId: string, extra: Partial<FeedbackEvent> = {}): FeedbackEvent {
  clock += 1;
  return { userId, itemId, event: 'click', timestamp: clock, rating: 0, ...extra };
}

export function historyStoreContract(name: string, make: MakeHistoryStore, options: { skip?: string | false } = {}): void {
  void describe(`HistoryStore contract: ${name}`, { skip: options.skip ?? false }, () => {
    const withStore = async (body: (store: HistoryStore) => Promise<void>): Promise<void> => {
      const handle = await make();
      try {
        await body(handle.store);
      } finally {
        await handle.store.close();
        await handle.cleanup();
      }
    };

    void it('append returns how many events the user has, per user', () => withStore(async (store) => {
      assert.equal(await store.append(event('u1', 'a')), 1);
      assert.equal(await store.append(event('u1', 'b')), 2);
      assert.equal(await store.append(event('u2', 'a')), 1);
      assert.equal(await store.append(event('u1', 'a', { event: 'purchase', rating: 4.5 })), 3);
    }));

    void it('merges feedback, newest first, before the base history, without duplicates', () => withStore(async (store) => {
      await store.append(event('u1', 'a'));
      await store.append(event('u1', 'b'));
      await store.append(event('u1', 'a'));
      await store.append(event('u1', 'c'));
      const history = await store.history('u1', resolve, Int32Array.from([3, 1, 4]), 10);
      assert.equal(history.known, true);
      assert.deepEqual(Array.from(history.recent), [2, 0, 1, 3, 4]);
      assert.deepEqual([...history.seen].sort(), [0, 1, 2, 3, 4]);
    }));

    void it('honours limit in recent while seen keeps every item', () => withStore(async (store) => {
      await store.append(event('u1', 'a'));
      await store.append(event('u1', 'b'));
      const history = await store.history('u1', resolve, Int32Array.from([3, 4, 5]), 3);
      assert.deepEqual(Array.from(history.recent), [1, 0, 3]);
      assert.deepEqual([...history.seen].sort(), [0, 1, 3, 4, 5]);
      const one = await store.history('u1', resolve, null, 1);
      assert.deepEqual(Array.from(one.recent), [1]);
      assert.deepEqual([...one.seen].sort(), [0, 1]);
    }));

    void it('resolves raw ids with the given resolver and drops unknown ones', () => withStore(async (store) => {
      await store.append(event('u1', 'zzz'));
      await store.append(event('u1', 'e'));
      await store.append(event('u1', 'not-in-catalogue'));
      const history = await store.history('u1', resolve, null, 10);
      assert.deepEqual(Array.from(history.recent), [4]);
      assert.deepEqual([...history.seen], [4]);
      const shifted = await store.history('u1', (id) => (id === 'zzz' ? 0 : -1), null, 10);
      assert.deepEqual(Array.from(shifted.recent), [0]);
    }));

    void it('known: false only without base and without feedback', () => withStore(async (store) => {
      const nobody = await store.history('nobody', resolve, null, 10);
      assert.equal(nobody.known, false);
      assert.equal(nobody.recent.length, 0);
      assert.equal(nobody.seen.size, 0);

      const baseOnly = await store.history('base-only', resolve, Int32Array.from([2, 2, 1]), 10);
      assert.equal(baseOnly.known, true);
      assert.deepEqual(Array.from(baseOnly.recent), [2, 1]);

      const emptyBase = await store.history('empty-base', resolve, new Int32Array(0), 10);
      assert.equal(emptyBase.known, true);

      await store.append(event('fresh', 'not-in-catalogue'));
      const unresolved = await store.history('fresh', resolve, null, 10);
      assert.equal(unresolved.known, true, 'feedback makes a user known even when no id resolves');
      assert.equal(unresolved.recent.length, 0);
    }));

    void it('carries ratings aligned with recent: feedback (0 or NaN = unknown) then base ratings', () => withStore(async (store) => {
      await store.append(event('u1', 'a', { rating: 4.5 }));
      await store.append(event('u1', 'b', { rating: 0 }));
      await store.append(event('u1', 'c', { rating: Number.NaN }));
      await store.append(event('u1', 'a', { rating: 2 }));
      // Newest first: a (2, its newest rating), c (unknown), b (0 = unknown); then base 3 (3.5), 1 (seen), 4 (unknown).
      const history = await store.history('u1', resolve, Int32Array.from([3, 1, 4]), 10, Float32Array.from([3.5, 5, Number.NaN]));
      assert.deepEqual(Array.from(history.recent), [0, 2, 1, 3, 4]);
      assert.deepEqual(Array.from(history.recentRatings), [2, Number.NaN, Number.NaN, 3.5, Number.NaN]);
      const capped = await store.history('u1', resolve, Int32Array.from([3, 1, 4]), 4, Float32Array.from([3.5, 5, Number.NaN]));
      assert.deepEqual(Array.from(capped.recentRatings), [2, Number.NaN, Number.NaN, 3.5]);
      const noBaseRatings = await store.history('u2', resolve, Int32Array.from([5, 3]), 10);
      assert.deepEqual(Array.from(noBaseRatings.recentRatings), [Number.NaN, Number.NaN]);
      const nobody = await store.history('nobody', resolve, null, 10);
      assert.equal(nobody.recentRatings.length, 0);
    }));

    void it('keeps users apart', () => withStore(async (store) => {
      await store.append(event('u1', 'a'));
      await store.append(event('u2', 'b'));
      assert.deepEqual(Array.from((await store.history('u1', resolve, null, 10)).recent), [0]);
      assert.deepEqual(Array.from((await store.history('u2', resolve, null, 10)).recent), [1]);
    }));

    void it('close() is idempotent', async () => {
      const handle = await make();
      try {
        await handle.store.close();
        await handle.store.close();
      } finally {
        await handle.cleanup();
      }
    });
  });
}
