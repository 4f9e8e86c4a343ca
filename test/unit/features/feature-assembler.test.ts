import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildFeatureSpec, withDenseNormalisation } from '../../../lib/features/build-feature-spec.js';
import { FeatureAssembler } from '../../../lib/features/feature-assembler.js';
import { CATEGORICAL_FIELDS, DENSE_FIELDS, bucketOf, decodeFeatureSpec, encodeFeatureSpec } from '../../../lib/features/feature-spec.js';
import { decodeFeatureTables, encodeFeatureTables } from '../../../lib/features/feature-tables.js';
import { buildItemTensors } from '../../../lib/features/item-tensors.js';

const catalogue = {
  years: [1990, 1995, null, 2000],
  genres: [['Action'], ['Comedy', 'Drama'], [], ['Drama']],
};

function fixture() {
  const { spec, tables } = buildFeatureSpec({
    ...catalogue,
    userMeta: [{ gender: 'F', age: 25, occupation: '3' }, undefined, { gender: 'M', age: 35, occupation: '7' }],
    itemCount: Int32Array.from([10, 5, 1, 0]),
    itemRatingSum: Float64Array.from([40, 10, 5, 0]),
    itemRatingCount: Int32Array.from([10, 5, 1, 0]),
    userActivity: Int32Array.from([3, 0, 10]),
    sources: ['item-cf', 'popular'],
    als: { factors: 2, alpha: 3, lambda: 1 },
    alsItemFactors: Float32Array.from([1, 0, 0, 1, 0.5, 0.5, -1, 0]),
  });
  return { spec, tables, items: buildItemTensors(spec, tables, catalogue) };
}

const field = (name: string): number => CATEGORICAL_FIELDS.findIndex((f) => f.name === name);
const dense = (name: string): number => DENSE_FIELDS.indexOf(name as (typeof DENSE_FIELDS)[number]);

void describe('feature spec', () => {
  void it('builds vocabularies, round-trips through JSON and the tables artifact', () => {
    const { spec, tables } = fixture();
    assert.deepEqual(spec.genres, ['Action', 'Comedy', 'Drama']);
    assert.deepEqual(spec.genders, ['F', 'M']);
    assert.deepEqual(Array.from(tables.userGender), [1, 0, 2]);
    assert.deepEqual(decodeFeatureSpec(encodeFeatureSpec(spec)), spec);
    const decoded = decodeFeatureTables(encodeFeatureTables(tables), 3, 4, 2);
    assert.deepEqual(Array.from(decoded.itemCount), [10, 5, 1, 0]);
    // Shrunk mean: (sum + 10 * global) / (count + 10), global = 55 / 16.
    assert.ok(Math.abs(decoded.itemMeanRating[0]! - (40 + 10 * (55 / 16)) / 20) < 1e-5);
  });

  void it('rejects a spec whose fields differ from this build', () => {
    const { spec } = fixture();
    const broken = { ...spec, dense: spec.dense.slice(1) };
    assert.throws(() => decodeFeatureSpec(JSON.stringify(broken)), /dense fields/);
  });

  void it('buckets by boundaries with 0 left for unknown', () => {
    assert.equal(bucketOf([10, 20], 5), 1);
    assert.equal(bucketOf([10, 20], 10), 2);
    assert.equal(bucketOf([10, 20], 25), 3);
  });
});

void describe('FeatureAssembler', () => {
  const candidates = {
    items: Int32Array.from([1, 3, 0]),
    scores: Float32Array.from([0.03, 0.02, 0.01]),
    sourceScores: new Map([
      ['item-cf', Float32Array.from([0.5, Number.NaN, 2])],
      ['popular', Float32Array.from([Number.NaN, 7, Number.NaN])],
    ]),
  };
  const user = { userIndex: 0, recent: Int32Array.from([0, 1]), recentRatings: Float32Array.from([5, Number.NaN]) };

  void it('assembles one typed array per field for the whole batch', () => {
    const { spec, tables, items } = fixture();
    const batch = new FeatureAssembler(spec, items, tables).assemble(user, candidates);
    assert.equal(batch.rows, 3);
    assert.equal(batch.categorical.length, CATEGORICAL_FIELDS.length);
    assert.ok(batch.categorical.every((column) => column instanceof Int32Array && column.length === 3));
    assert.deepEqual(Array.from(batch.categorical[field('item')]!), [2, 4, 1]);
    assert.deepEqual(Array.from(batch.categorical[field('user')]!), [1, 1, 1]);
    assert.deepEqual(Array.from(batch.categorical[field('gender')]!), [1, 1, 1]);
    // gender F (1) x primary genre: Comedy (2), Drama (3), Action (1); 4 = genres + 1.
    assert.deepEqual(Array.from(batch.categorical[field('gender-x-genre')]!), [4 + 2, 4 + 3, 4 + 1]);
    const g = spec.genres.length;
    assert.deepEqual(Array.from(batch.dense[dense('item-genres')]!.subarray(0, g)), [0, 1, 1]);
    // History: Action (item 0) and Comedy+Drama (item 1), two items.
    assert.deepEqual(Array.from(batch.dense[dense('user-genres')]!.subarray(0, g)), [0.5, 0.5, 0.5]);
    const match = batch.dense[dense('match')]!;
    assert.deepEqual([match[0], match[1]], [0.5, 0.5]);
    const width = 2 * 3 + 3;
    const cand = batch.dense[dense('candidate')]!;
    // Row 0: item-cf present, score 0.5, rank 1 among item-cf's candidates (item 0 scored 2 is rank 0).
    assert.ok(Math.abs(cand[0]! - 1) < 1e-6 && Math.abs(cand[1]! - Math.log1p(0.5)) < 1e-6 && Math.abs(cand[2]! - Math.log1p(1)) < 1e-6);
    assert.equal(cand[2 * width + 2], 0);
    // Number of sources per row.
    assert.deepEqual([cand[width - 1], cand[2 * width - 1], cand[3 * width - 1]], [1, 1, 1]);
  });

  void it('keeps the sign of a negative source score (EASE sums, two-tower scores)', () => {
    const { spec, tables, items } = fixture();
    const negative = { ...candidates, sourceScores: new Map([['item-cf', Float32Array.from([-0.5, Number.NaN, 2])]]) };
    const cand = new FeatureAssembler(spec, items, tables).assemble(user, negative).dense[dense('candidate')]!;
    assert.ok(Math.abs(cand[1]! + Math.log1p(0.5)) < 1e-6, `log score ${cand[1]}`);
  });

  void it('scores each candidate by implicit ALS with the recent items folded in (0 when the spec has none)', () => {
    const { spec, tables, items } = fixture();
    const affinity = new FeatureAssembler(spec, items, tables).assemble(user, candidates).dense[dense('affinity')]!;
    // Recent items 0 and 1 have factors [1, 0] and [0, 1]; with alpha 3, lambda 1:
    // (YᵀY + I + 3·I) x = 4·[1, 1], YᵀY = [[2.25, 0.25], [0.25, 1.25]] over the four items.
    const a = [[6.25, 0.25], [0.25, 5.25]];
    const det = a[0]![0]! * a[1]![1]! - a[0]![1]! * a[1]![0]!;
    const x = [(4 * a[1]![1]! - 4 * a[0]![1]!) / det, (4 * a[0]![0]! - 4 * a[1]![0]!) / det];
    const factor = (item: number): number[] => Array.from(tables.alsItemFactors.subarray(item * 2, item * 2 + 2));
    const expected = [1, 3, 0].map((item) => factor(item)[0]! * x[0]! + factor(item)[1]! * x[1]!);
    expected.forEach((value, r) => { assert.ok(Math.abs(affinity[r]! - value) < 1e-6, `row ${r}: ${affinity[r]} vs ${value}`); });
    const noAls = { ...spec, als: { ...spec.als, factors: 0 } };
    const none = new FeatureAssembler(noAls, buildItemTensors(noAls, { ...tables, alsItemFactors: new Float32Array(0) }, catalogue), tables).assemble(user, candidates);
    assert.deepEqual(Array.from(none.dense[dense('affinity')]!), [0, 0, 0]);
  });

  void it('applies the spec normalisation and gives an unknown user the unknown codes', () => {
    const { spec, tables, items } = fixture();
    const raw = new FeatureAssembler(spec, items, tables).assemble(user, candidates);
    const d = dense('item-stats');
    const column = raw.dense[d]!.slice();
    const sums = spec.dense.map((f) => ({ sum: new Float64Array(f.width), sq: new Float64Array(f.width) }));
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) {
      sums[d]!.sum[c]! += column[r * 3 + c]!;
      sums[d]!.sq[c]! += column[r * 3 + c]! ** 2;
    }
    const normalised = withDenseNormalisation(spec, sums, 3);
    const out = new FeatureAssembler(normalised, items, tables).assemble({ ...user, userIndex: -1 }, candidates);
    for (let c = 0; c < 3; c++) {
      let mean = 0;
      for (let r = 0; r < 3; r++) mean += out.dense[d]![r * 3 + c]!;
      assert.ok(Math.abs(mean / 3) < 1e-5, `column ${c} centred`);
    }
    assert.deepEqual(Array.from(out.categorical[field('user')]!), [0, 0, 0]);
    assert.deepEqual(Array.from(out.categorical[field('age')]!), [0, 0, 0]);
  });

  void it('reuses its buffers between calls of the same size', () => {
    const { spec, tables, items } = fixture();
    const assembler = new FeatureAssembler(spec, items, tables, 8);
    const first = assembler.assemble(user, candidates);
    const second = assembler.assemble(user, candidates);
    assert.equal(first.categorical[0]!.buffer, second.categorical[0]!.buffer);
    assert.equal(first.dense[0]!.buffer, second.dense[0]!.buffer);
  });
});
