import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BlockedItemMasks } from '../../../services/recommend/blocked-item-masks.js';

void describe('BlockedItemMasks', () => {
  void it('blocks exactly the seen and excluded items, in and outside the catalogue', () => {
    const masks = new BlockedItemMasks();
    const mask = masks.acquire(10, new Set([1, 4, 12]), new Set([4, 7, -3]));
    const blocked = Array.from({ length: 16 }, (_, i) => i - 4).filter((item) => mask.blocked(item));
    assert.deepEqual(blocked, [-3, 1, 4, 7]);
    assert.ok(mask.blocked(12), 'an item beyond the catalogue is answered from the sets');
    assert.ok(!mask.blocked(13));
  });

  void it('a released mask comes back clean, and masks in flight at once stay independent', () => {
    const masks = new BlockedItemMasks();
    const first = masks.acquire(10, new Set([1, 2]), new Set([3]));
    const second = masks.acquire(10, new Set([5]), new Set());
    assert.ok(first.blocked(1) && !first.blocked(5));
    assert.ok(second.blocked(5) && !second.blocked(1));
    first.release();
    first.release();
    const third = masks.acquire(10, new Set([9]), new Set());
    for (let item = 0; item < 10; item++) assert.equal(third.blocked(item), item === 9, `item ${String(item)}`);
    assert.ok(second.blocked(5), 'releasing one mask leaves the others alone');
  });

  void it('does not hand out a pooled mask of another catalogue size', () => {
    const masks = new BlockedItemMasks();
    masks.acquire(4, new Set([3]), new Set()).release();
    const bigger = masks.acquire(8, new Set([6]), new Set());
    assert.ok(bigger.blocked(6) && !bigger.blocked(3));
  });
});
