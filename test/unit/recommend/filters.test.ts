import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { applyFilters } from '../../../services/recommend/filters/filter.js';
import type { CandidateFilter } from '../../../services/recommend/filters/filter.js';
import { CatalogueFilter } from '../../../services/recommend/filters/catalogue.filter.js';
import { SeenItemsFilter } from '../../../services/recommend/filters/seen-items.filter.js';
import { ExcludedItemsFilter } from '../../../services/recommend/filters/excluded-items.filter.js';

void describe('filters', () => {
  void it('have their documented ids', () => {
    assert.equal(new CatalogueFilter(1).id, 'catalogue');
    assert.equal(new SeenItemsFilter(new Set()).id, 'seen-items');
    assert.equal(new ExcludedItemsFilter(new Set()).id, 'excluded-items');
  });

  void it('CatalogueFilter keeps exactly 0..size-1', () => {
    const filter = new CatalogueFilter(3);
    assert.deepEqual([-1, 0, 1, 2, 3, 100].map((item) => filter.keeps(item)), [false, true, true, true, false, false]);
  });
});

void describe('applyFilters', () => {
  const catalogue = new CatalogueFilter(10);
  const seen = new SeenItemsFilter(new Set([1, 3]));
  const excluded = new ExcludedItemsFilter(new Set([3, 9]));

  void it('returns kept positions in order and each removed item with the first filter that dropped it', () => {
    //        pos: 0  1  2  3  4    5   6
    const items = Int32Array.from([5, 1, 7, 3, 9, 100, -1]);
    const result = applyFilters(items, [catalogue, seen, excluded]);
    // 5 kept | 1 seen | 7 kept | 3 seen AND excluded -> seen-items (first) | 9 excluded | 100, -1 outside catalogue
    assert.deepEqual(Array.from(result.kept), [0, 2]);
    assert.deepEqual(result.removed, [
      { item: 1, filter: 'seen-items' },
      { item: 3, filter: 'seen-items' },
      { item: 9, filter: 'excluded-items' },
      { item: 100, filter: 'catalogue' },
      { item: -1, filter: 'catalogue' },
    ]);
  });

  void it('reports the filter that runs first when several would drop an item', () => {
    const result = applyFilters(Int32Array.from([3]), [excluded, seen]);
    assert.deepEqual(result.removed, [{ item: 3, filter: 'excluded-items' }]);
  });

  void it('keeps everything with no filters, and handles an empty input', () => {
    assert.deepEqual(Array.from(applyFilters(Int32Array.from([4, 4, 2]), []).kept), [0, 1, 2]);
    const empty = applyFilters(new Int32Array(0), [catalogue, seen, excluded]);
    assert.equal(empty.kept.length, 0);
    assert.deepEqual(empty.removed, []);
  });

  void it('keeps duplicates as separate positions and asks a custom filter once per position', () => {
    const asked: number[] = [];
    const even: CandidateFilter = {
      id: 'even',
      keeps: (item) => {
        asked.push(item);
        return item % 2 === 0;
      },
    };
    const result = applyFilters(Int32Array.from([2, 3, 2, 5]), [even]);
    assert.deepEqual(Array.from(result.kept), [0, 2]);
    assert.deepEqual(result.removed, [{ item: 3, filter: 'even' }, { item: 5, filter: 'even' }]);
    assert.deepEqual(asked, [2, 3, 2, 5]);
  });

  void it('stops asking later filters once one drops an item', () => {
    const asked: number[] = [];
    const spy: CandidateFilter = {
      id: 'spy',
      keeps: (item) => {
        asked.push(item);
        return true;
      },
    };
    applyFilters(Int32Array.from([1, 2, 3]), [seen, spy]);
    // 1 and 3 are dropped by seen-items before spy sees them
    assert.deepEqual(asked, [2]);
  });
});
