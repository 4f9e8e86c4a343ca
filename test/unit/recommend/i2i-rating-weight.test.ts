import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { parseConfig } from '../../../lib/config/load-config.js';
import { EmbeddedSimilarityStore } from '../../../lib/stores/similarity/embedded-similarity-store.js';
import { SimilarityTable } from '../../../lib/stores/similarity/similarity-table.js';
import { RATING_SCALE, ratingWeight } from '../../../services/recall/sources/i2i.source.js';
import { ItemCfSource } from '../../../services/recall/sources/item-cf.source.js';
import { SwingSource } from '../../../services/recall/sources/swing.source.js';

/*
 * Four items; triggers 0 and 1, candidates 2 and 3:
 *   row 0: 2 → .5, 3 → .25        row 1: 2 → .5, 3 → 1
 * Ratings 5 (trigger 0) and 1 (trigger 1); power 1 → weights 5/5 = 1 and 1/5 = .2:
 *   item 2 = 1·.5 + .2·.5 = .6,   item 3 = 1·.25 + .2·1 = .45   → [2, 3]
 * Without rating weights both weigh 1: item 2 = 1, item 3 = 1.25 → [3, 2].
 */
const TABLE = new SimilarityTable(Int32Array.from([0, 2, 4, 4, 4]), Int32Array.from([2, 3, 2, 3]), Float32Array.from([0.5, 0.25, 0.5, 1]));
const store = (): EmbeddedSimilarityStore => new EmbeddedSimilarityStore(new Map([['t', TABLE]]));
const query = (ratings: number[]) => ({
  userId: 'u',
  known: true,
  recent: Int32Array.from([0, 1]),
  recentRatings: Float32Array.from(ratings),
  blocked: (item: number) => item === 0 || item === 1,
});
const f = Math.fround;

void describe('ratingWeight', () => {
  void it('is (r / 5)^power, and 1 for an unknown rating or power 0', () => {
    assert.equal(RATING_SCALE, 5);
    assert.equal(ratingWeight(5, 1), 1);
    assert.equal(ratingWeight(1, 1), 0.2);
    assert.equal(ratingWeight(2.5, 2), 0.25);
    assert.equal(ratingWeight(Number.NaN, 2), 1);
    assert.equal(ratingWeight(1, 0), 1);
  });
});

void describe('I2iSource rating weights', () => {
  void it('weights triggers rated 5 and 1 by 1 and .2 with power 1', async () => {
    const out = await new ItemCfSource(store(), { table: 't', triggers: 10, ratingPower: 1 }, 4).recall(query([5, 1]), 10);
    assert.deepEqual(Array.from(out.items), [2, 3]);
    assert.deepEqual(Array.from(out.scores), [f(0.5 + 0.2 * 0.5), f(0.25 + 0.2 * 1)]);
  });

  void it('ignores ratings with power 0 (the swing default) and unknown ratings', async () => {
    const expected = { items: [3, 2], scores: [1.25, 1] };
    for (const [options, ratings] of [[{}, [5, 1]], [{ ratingPower: 2 }, [Number.NaN, Number.NaN]]] as const) {
      const out = await new SwingSource(store(), { table: 't', triggers: 10, ...options }, 4).recall(query([...ratings]), 10);
      assert.deepEqual({ items: Array.from(out.items), scores: Array.from(out.scores) }, expected);
    }
  });

  void it('multiplies the rating weight with the recency weight', async () => {
    // power 2, decay .5: weights 1 and .5 · .04 = .02 → item 2 = .5 + .01, item 3 = .25 + .02.
    const out = await new ItemCfSource(store(), { table: 't', triggers: 10, ratingPower: 2, triggerDecay: 0.5 }, 4).recall(query([5, 1]), 10);
    assert.deepEqual(Array.from(out.items), [2, 3]);
    assert.equal(out.scores[0], f(0.5 + 0.5 * 0.04 * 0.5));
    assert.equal(out.scores[1], f(0.25 + 0.5 * 0.04 * 1));
  });

  void it('defaults to power 1 for item-cf and off for swing', () => {
    const config = parseConfig({});
    assert.equal(config.serving.sources['item-cf'].ratingPower, 0);
    assert.equal(config.serving.sources.swing.ratingPower, 0);
  });
});
