/**
 * The VectorIndex contract, written once and run against every backend
 * (vector-index.<backend>.test.ts). The data set is small enough (400 items) that an
 * approximate backend with a search beam of 200 must find the exact answer; it has clusters,
 * unequal norms and duplicated vectors (ties).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import type { CandidateList } from '../../lib/domain/candidate.js';
import { RecsysError } from '../../lib/domain/errors.js';
import { blockItems, type BlockedItem, type VectorIndex } from '../../lib/stores/vectors/vector-index.js';

export interface VectorIndexHandle {
  readonly index: VectorIndex;
  cleanup(): Promise<void>;
}

export type MakeVectorIndex = (vectors: Float32Array, dim: number) => Promise<VectorIndexHandle>;

export const CONTRACT_DIM = 12;
export const CONTRACT_ITEMS = 400;
/** Item pairs with identical vectors: ties that must come out in ascending index order. */
export const DUPLICATES: readonly (readonly [number, number])[] = [[7, 311], [42, 43], [150, 399]];

/** Deterministic pseudo-random numbers (mulberry32). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Clustered vectors with norms spread over [0.2, 3]. */
export function contractVectors(items = CONTRACT_ITEMS, dim = CONTRACT_DIM, seed = 7): Float32Array {
  const random = seeded(seed);
  const centres = Array.from({ length: 8 }, () => Array.from({ length: dim }, () => random() * 2 - 1));
  const vectors = new Float32Array(items * dim);
  for (let i = 0; i < items; i++) {
    const centre = centres[i % centres.length]!;
    const scale = 0.2 + 2.8 * random();
    for (let j = 0; j < dim; j++) vectors[i * dim + j] = scale * (centre[j]! + 0.4 * (random() * 2 - 1));
  }
  for (const [a, b] of DUPLICATES) vectors.copyWithin(b * dim, a * dim, a * dim + dim);
  return vectors;
}

export function contractQueries(count: number, dim = CONTRACT_DIM, seed = 11): Float32Array[] {
  const random = seeded(seed);
  return Array.from({ length: count }, () => Float32Array.from({ length: dim }, () => random() * 2 - 1));
}

/** Reference answer: float64 dot products rounded to float32, sorted by score then index. */
export function bruteForce(vectors: Float32Array, dim: number, query: Float32Array, k: number, blocked?: (item: number) => boolean): { items: number[]; scores: number[] } {
  const scored: [number, number][] = [];
  for (let i = 0; i < vectors.length / dim; i++) {
    if (blocked?.(i)) continue;
    let s = 0;
    for (let j = 0; j < dim; j++) s += query[j]! * vectors[i * dim + j]!;
    scored.push([i, Math.fround(s)]);
  }
  scored.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const top = scored.slice(0, Math.max(0, k));
  return { items: top.map(([i]) => i), scores: top.map(([, s]) => s) };
}

function assertMatches(actual: CandidateList, expected: { items: number[]; scores: number[] }, what: string): void {
  assert.ok(actual.items instanceof Int32Array, `${what}: items is an Int32Array`);
  assert.ok(actual.scores instanceof Float32Array, `${what}: scores is a Float32Array`);
  assert.deepEqual(Array.from(actual.items), expected.items, `${what}: items`);
  assert.equal(actual.scores.length, expected.scores.length, `${what}: scores length`);
  actual.scores.forEach((score, i) => {
    const want = expected.scores[i]!;
    assert.ok(Math.abs(score - want) <= 1e-5 * Math.max(1, Math.abs(want)), `${what}: score ${i} is ${score}, expected ${want}`);
  });
}

function queryWith(vectors: Float32Array, dim: number, item: number): Float32Array {
  return vectors.slice(item * dim, item * dim + dim);
}

export function vectorIndexContract(name: string, make: MakeVectorIndex, options: { skip?: string | false; kind?: string } = {}): void {
  void describe(`VectorIndex contract: ${name}`, { skip: options.skip ?? false }, () => {
    const dim = CONTRACT_DIM;
    const vectors = contractVectors();
    const queries = contractQueries(20);
    let handle: VectorIndexHandle | undefined;
    const index = (): VectorIndex => {
      if (!handle) throw new Error('index not opened');
      return handle.index;
    };

    before(async () => {
      handle = await make(vectors, dim);
    });
    after(async () => {
      if (handle) {
        await handle.index.close();
        await handle.cleanup();
      }
    });

    void it('reports its dimension, size and kind', () => {
      assert.equal(index().dim, dim);
      assert.equal(index().size, CONTRACT_ITEMS);
      if (options.kind !== undefined) assert.equal(index().kind, options.kind);
    });

    void it('returns the exact inner-product top-k, best first, for every query', async () => {
      for (const [q, query] of queries.entries()) {
        for (const k of [1, 10, 50]) assertMatches(await index().search(query, k), bruteForce(vectors, dim, query, k), `query ${q} k ${k}`);
      }
    });

    void it('breaks score ties by ascending item index', async () => {
      for (const [a, b] of DUPLICATES) {
        // The whole ranking, so the pair is in it wherever it lands.
        const query = queryWith(vectors, dim, a).map((value) => value * 3);
        const expected = bruteForce(vectors, dim, query, CONTRACT_ITEMS);
        const result = await index().search(query, CONTRACT_ITEMS);
        assertMatches(result, expected, `duplicates ${a}/${b}`);
        const at = Array.from(result.items).indexOf(a);
        assert.ok(at >= 0 && result.items[at + 1] === b, `${a} directly before ${b}: ${Array.from(result.items).join(',')}`);
      }
    });

    void it('never returns blocked items, given as a list or as a bare predicate, and fills up to k', async () => {
      const query = queries[3]!;
      const top = bruteForce(vectors, dim, query, 30).items;
      const listed = blockItems(top.slice(0, 10));
      assertMatches(await index().search(query, 20, listed), bruteForce(vectors, dim, query, 20, listed), 'listed');
      const odd: BlockedItem = (item) => item % 2 === 1;
      const result = await index().search(query, 25, odd);
      assert.ok(Array.from(result.items).every((item) => item % 2 === 0), 'no odd item');
      assertMatches(result, bruteForce(vectors, dim, query, 25, odd), 'predicate');
    });

    void it('returns every unblocked item when fewer than k remain, and all items for k > size', async () => {
      const query = queries[5]!;
      const keep = new Set([3, 77, 200]);
      const blocked = blockItems(Array.from({ length: CONTRACT_ITEMS }, (_, i) => i).filter((i) => !keep.has(i)));
      assertMatches(await index().search(query, 10, blocked), bruteForce(vectors, dim, query, 10, blocked), 'three left');
      const all = await index().search(query, CONTRACT_ITEMS + 50);
      assert.equal(all.items.length, CONTRACT_ITEMS);
      assert.deepEqual(new Set(all.items).size, CONTRACT_ITEMS, 'no duplicates');
    });

    void it('answers k = 0 or negative with an empty list and floors a fractional k', async () => {
      const query = queries[0]!;
      assert.equal((await index().search(query, 0)).items.length, 0);
      assert.equal((await index().search(query, -3)).items.length, 0);
      assertMatches(await index().search(query, 4.7), bruteForce(vectors, dim, query, 4), 'k 4.7');
    });

    void it('searchMany equals one search per query, with per-query blocked predicates', async () => {
      const blocked = queries.slice(0, 6).map((query, q) => (q % 2 === 0 ? blockItems(bruteForce(vectors, dim, query, 5).items) : undefined));
      const many = await index().searchMany(queries.slice(0, 6), 15, blocked);
      assert.equal(many.length, 6);
      for (const [q, query] of queries.slice(0, 6).entries()) assertMatches(many[q]!, bruteForce(vectors, dim, query, 15, blocked[q]), `query ${q}`);
      assert.deepEqual(await index().searchMany([], 10), []);
    });

    void it('rejects a query of the wrong dimension with RECSYS_ERR_VECTORS_DIM_MISMATCH', async () => {
      const mismatch = (error: unknown): boolean => error instanceof RecsysError && error.code === 'RECSYS_ERR_VECTORS_DIM_MISMATCH';
      await assert.rejects(async () => index().search(new Float32Array(dim + 1), 5), mismatch);
      await assert.rejects(async () => index().searchMany([queries[0]!, new Float32Array(dim - 1)], 5), mismatch);
    });

    void it('close() is idempotent', async () => {
      const own = await make(contractVectors(50, dim, 3), dim);
      try {
        await own.index.close();
        await own.index.close();
      } finally {
        await own.cleanup();
      }
    });
  });
}
