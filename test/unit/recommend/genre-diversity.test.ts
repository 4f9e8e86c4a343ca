import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MergedCandidates } from '../../../services/recommend/merge/rrf-merge.js';
import { diversify } from '../../../services/recommend/rerank/genre-diversity.js';

// Items 0..5; 0 1 2 are Drama, 3 Comedy, 4 Drama|Romance, 5 Horror.
const GENRES = [['Drama'], ['Drama'], ['Drama'], ['Comedy'], ['Drama', 'Romance'], ['Horror']];
const LIST: MergedCandidates = {
  items: Int32Array.from([0, 1, 2, 4, 3, 5]),
  scores: Float32Array.from([1, 0.9, 0.8, 0.7, 0.6, 0.1]),
  sourceScores: new Map([['a', Float32Array.from([6, 5, 4, 3, 2, 1])]]),
};

void describe('genre diversity re-rank', () => {
  void it('none returns the list unchanged', () => {
    assert.equal(diversify(LIST, GENRES, { strategy: 'none' }), LIST);
  });

  void it('max-per-genre moves items over the cap of their primary genre behind the rest', () => {
    const out = diversify(LIST, GENRES, { strategy: 'max-per-genre', maxPerGenre: 2, window: 100 });
    // Drama: 0, 1 kept; 2 and 4 (primary Drama) deferred, in order
    assert.deepEqual(Array.from(out.items), [0, 1, 3, 5, 2, 4]);
    assert.deepEqual(Array.from(out.sourceScores.get('a')!), [6, 5, 2, 1, 4, 3], 'per-source scores travel with their items');
    assert.deepEqual(Array.from(out.scores), [1, 0.9, 0.6, 0.1, 0.8, 0.7].map(Math.fround));
  });

  void it('only reorders inside the window', () => {
    const list: MergedCandidates = { items: Int32Array.from([0, 1, 3, 2, 5, 4]), scores: Float32Array.from([6, 5, 4, 3, 2, 1]), sourceScores: new Map() };
    assert.deepEqual(Array.from(diversify(list, GENRES, { strategy: 'max-per-genre', maxPerGenre: 1, window: 100 }).items), [0, 3, 5, 1, 2, 4]);
    assert.deepEqual(Array.from(diversify(list, GENRES, { strategy: 'max-per-genre', maxPerGenre: 1, window: 3 }).items), [0, 3, 1, 2, 5, 4]);
  });

  void it('mmr with lambda 1 keeps relevance order; with a low lambda it alternates genres', () => {
    assert.deepEqual(Array.from(diversify(LIST, GENRES, { strategy: 'mmr', lambda: 1, window: 100 }).items), [0, 1, 2, 4, 3, 5]);
    // lambda .3: after 0 (Drama), every Drama item has similarity 1 (4: 1/2), Comedy and Horror 0.
    //   value = .3·rel − .7·sim; rel over the window (0.1..1): 3 → .3·.556 = .167, 5 → 0, 4 → .3·.667 − .35 < 0
    const out = Array.from(diversify(LIST, GENRES, { strategy: 'mmr', lambda: 0.3, window: 100 }).items);
    assert.deepEqual(out.slice(0, 3), [0, 3, 5]);
    assert.equal(new Set(out).size, 6, 'a permutation');
  });
});
