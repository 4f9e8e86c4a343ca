import { withoutValidation } from '../../../offline/jobs/validation-set.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { datasetFromRows, type InteractionRow } from '../../../offline/data/dataset-builder.js';
import { buildTrainingData, type TrainingData } from '../../../offline/jobs/training-data.js';
import { cappedItemUsers, swingJob, swingNeighbours, type SwingOptions } from '../../../offline/jobs/swing/swing.job.js';
import { i2iTables } from '../../../offline/jobs/similarity-tables.js';
import { parseConfig } from '../../../lib/config/load-config.js';
import { silentProgress } from '../../../offline/progress.js';
import { SimilarityTable } from '../../../lib/stores/similarity/similarity-table.js';
import { EmbeddedSimilarityStore } from '../../../lib/stores/similarity/embedded-similarity-store.js';
import { SwingSource } from '../../../services/recall/sources/swing.source.js';
import { createPrng } from '../../../offline/data/prng.js';
import { assertRowsClose, rowsOf } from '../../support/similarity-assert.js';

/*
 * Items A..D (dense 0..3), users u1..u4 (dense 0..3):
 *   u1: A B C      |I| = 3
 *   u2: A B        |I| = 2
 *   u3: A B C D    |I| = 4
 *   u4: B D        |I| = 2
 * With alpha = 1, alpha1 = 1, beta = 1: w_u = 1/(|I_u| + 1) -> w1 = 1/4, w2 = 1/3, w3 = 1/5, w4 = 1/3.
 * Pair overlaps: |I1∩I2| = 2 {A,B}, |I1∩I3| = 3 {A,B,C}, |I2∩I3| = 2 {A,B}, |I3∩I4| = 2 {B,D},
 *                |I1∩I4| = |I2∩I4| = 1 {B}.
 * s(A,B): pairs with A and B: (1,2) (1,3) (2,3)
 *   = (1/4)(1/3)/(1+2) + (1/4)(1/5)/(1+3) + (1/3)(1/5)/(1+2) = 1/36 + 1/80 + 1/45
 *   = (20 + 9 + 16)/720 = 45/720 = 1/16
 * s(A,C) = s(B,C) = s(C,A) = s(C,B): only pair (1,3) = 1/80
 * s(B,D) = s(D,B): only pair (3,4) = (1/5)(1/3)/(1+2) = 1/45
 * s(A,D), s(C,D): a single common user (u3): no pair, no entry.
 * Rows (score desc, item asc): A: B 1/16, C 1/80 | B: A 1/16, D 1/45, C 1/80 | C: A 1/80, B 1/80 | D: B 1/45
 */
const A = 0, B = 1, C = 2, D = 3;
const f = Math.fround;

/** Timestamps: B's most recent users are u4 then u3; A's are u3 then u2 (used by the cap test). */
const ROWS: InteractionRow[] = [
  { user: 'u1', item: 'A', timestamp: 1 },
  { user: 'u1', item: 'B', timestamp: 10 },
  { user: 'u1', item: 'C', timestamp: 5 },
  { user: 'u2', item: 'A', timestamp: 2 },
  { user: 'u2', item: 'B', timestamp: 20 },
  { user: 'u3', item: 'A', timestamp: 3 },
  { user: 'u3', item: 'B', timestamp: 30 },
  { user: 'u3', item: 'C', timestamp: 6 },
  { user: 'u3', item: 'D', timestamp: 7 },
  { user: 'u4', item: 'B', timestamp: 40 },
  { user: 'u4', item: 'D', timestamp: 8 },
];

const SIMPLE: SwingOptions = { alpha: 1, alpha1: 1, beta: 1, maxUsersPerItem: 100, neighbours: 10 };


/** The definition, term by term over user pairs and sets; `cap` users per item, most recent first. */
function bruteForceSwing(data: TrainingData, options: SwingOptions): [number, number][][] {
  const itemSets = Array.from({ length: data.users }, (_, u) => new Set(data.userItems.subarray(data.userOffsets[u], data.userOffsets[u + 1])));
  const weight = (u: number): number => (itemSets[u]!.size + options.alpha1) ** -options.beta;
  const capped = cappedItemUsers(data, options.maxUsersPerItem);
  const rows: [number, number][][] = [];
  for (let i = 0; i < data.items; i++) {
    const users = Array.from(capped.users.subarray(capped.offsets[i], capped.offsets[i + 1])).sort((a, b) => a - b);
    const scores = new Map<number, number>();
    for (let x = 0; x < users.length; x++) {
      for (let y = x + 1; y < users.length; y++) {
        const u = users[x]!;
        const v = users[y]!;
        const common = [...itemSets[u]!].filter((j) => itemSets[v]!.has(j));
        const coefficient = (weight(u) * weight(v)) / (options.alpha + common.length);
        for (const j of common) if (j !== i) scores.set(j, (scores.get(j) ?? 0) + coefficient);
      }
    }
    rows.push(
      [...scores]
        .map(([j, s]) => [j, f(s)] as [number, number])
        .sort((p, q) => q[1] - p[1] || p[0] - q[0])
        .slice(0, options.neighbours),
    );
  }
  return rows;
}

function data(rows: readonly InteractionRow[] = ROWS): TrainingData {
  return buildTrainingData(datasetFromRows(rows));
}

void describe('swingNeighbours', () => {
  void it('matches the hand-computed example', () => {
    const table = swingNeighbours(data(), SIMPLE);
    assertRowsClose(table, [
      [[B, 1 / 16], [C, 1 / 80]],
      [[A, 1 / 16], [D, 1 / 45], [C, 1 / 80]],
      [[A, 1 / 80], [B, 1 / 80]],
      [[B, 1 / 45]],
    ], 'swing');
  });

  void it('applies the default weights w_u = (|I_u| + 5)^-0.35 and alpha = 1', () => {
    // s(B,D): only the pair (u3, u4), overlap {B, D} -> (9^-0.35 * 7^-0.35) / (1 + 2)
    const table = swingNeighbours(data(), { alpha: 1, alpha1: 5, beta: 0.35, maxUsersPerItem: 300, neighbours: 10 });
    const row = table.row(D);
    assert.deepEqual(Array.from(row.items), [B]);
    assert.equal(row.scores[0], f((9 ** -0.35 * 7 ** -0.35) / 3));
  });

  void it('caps the users of an item to the most recent ones', () => {
    // Cap 2: A keeps u3 (t=3) and u2 (t=2); B keeps u4 (t=40) and u3 (t=30); C {u1,u3} and D {u3,u4} are whole.
    const capped = cappedItemUsers(data(), 2);
    assert.deepEqual(Array.from(capped.offsets), [0, 2, 4, 6, 8]);
    assert.deepEqual(Array.from(capped.users), [2, 1, 3, 2, 0, 2, 2, 3]);
    // Row A: pair (u2,u3) only, overlap {A,B}: (1/3)(1/5)/3 = 1/45 for B; C and D lack a second user.
    // Row B: pair (u3,u4) only, overlap {B,D}: 1/45 for D; u4 lacks A and C.
    // |I_u| stays the whole history (u3 still weighs 1/5).
    const table = swingNeighbours(data(), { ...SIMPLE, maxUsersPerItem: 2 });
    assertRowsClose(table, [[[B, 1 / 45]], [[D, 1 / 45]], [[A, 1 / 80], [B, 1 / 80]], [[B, 1 / 45]]], 'capped');
  });

  void it('breaks recency ties in the cap by user index', () => {
    const rows = ['u1', 'u2', 'u3'].map((user) => ({ user, item: 'X', timestamp: 5 }));
    const capped = cappedItemUsers(data(rows), 2);
    assert.deepEqual(Array.from(capped.users), [0, 1]);
  });

  void it('keeps the top K of each row', () => {
    const table = swingNeighbours(data(), { ...SIMPLE, neighbours: 1 });
    assertRowsClose(table, [[[B, 1 / 16]], [[A, 1 / 16]], [[A, 1 / 80]], [[B, 1 / 45]]], 'k=1');
  });

  void it('agrees with the definition on random data, with and without a cap', () => {
    const random = createPrng(11);
    const rows: InteractionRow[] = [];
    for (let u = 0; u < 40; u++) {
      const taken = new Set<number>();
      const n = 1 + Math.floor(random.next() * 12);
      for (let k = 0; k < n; k++) {
        // Skewed towards low item ids, so some items have many users.
        const item = Math.floor(30 * random.next() ** 2);
        if (taken.has(item)) continue;
        taken.add(item);
        rows.push({ user: `u${u}`, item: `i${String(item).padStart(2, '0')}`, timestamp: Math.floor(random.next() * 50) });
      }
    }
    const training = data(rows);
    for (const options of [
      { alpha: 1, alpha1: 5, beta: 0.35, maxUsersPerItem: 1000, neighbours: 1000 },
      { alpha: 0.5, alpha1: 2, beta: 0.5, maxUsersPerItem: 6, neighbours: 5 },
    ]) {
      assertRowsClose(swingNeighbours(training, options), bruteForceSwing(training, options), JSON.stringify(options));
    }
  });

  void it('ticks once per item', () => {
    let ticks = 0;
    swingNeighbours(data(), SIMPLE, (n) => (ticks += n));
    assert.equal(ticks, 4);
  });
});

void describe('swing normalisation (i2iTables)', () => {
  void it('divides each served row by its maximum: history rows before, target rows after transposing', () => {
    const raw = swingNeighbours(data(), SIMPLE);
    const { history, target } = i2iTables(raw, true);
    // History row B: A 1/16 -> 1, D (1/45)/(1/16) = 16/45, C (1/80)/(1/16) = 1/5.
    assertRowsClose(history, [
      [[B, 1], [C, 1 / 5]],
      [[A, 1], [D, 16 / 45], [C, 1 / 5]],
      [[A, 1], [B, 1]],
      [[B, 1]],
    ], 'history');
    // Target row i lists the j whose raw row holds i, with s(j,i):
    //   A: B 1/16, C 1/80 -> 1, 1/5 | B: A 1/16, D 1/45, C 1/80 -> 1, 16/45, 1/5
    //   C: A 1/80, B 1/80 -> 1, 1   | D: B 1/45 -> 1
    assertRowsClose(target, [
      [[B, 1], [C, 1 / 5]],
      [[A, 1], [D, 16 / 45], [C, 1 / 5]],
      [[A, 1], [B, 1]],
      [[B, 1]],
    ], 'target');
  });

  void it('leaves raw scores alone without normalise', () => {
    const raw = swingNeighbours(data(), SIMPLE);
    const { history, target } = i2iTables(raw, false);
    assert.equal(history, raw);
    assertRowsClose(target, rowsOf(raw), 'target of a symmetric table');
  });
});

void describe('swingJob', () => {
  void it('writes swing (history) and swing-target tables and records its options', async () => {
    const config = parseConfig({ jobs: { swing: { alpha1: 1, beta: 1, normalise: false } } });
    const output = await swingJob.run({ ...withoutValidation(data()), config, progress: silentProgress });
    assert.deepEqual(output.artifacts.map((artifact) => artifact.name), ['swing.i2i', 'swing-target.i2i']);
    const [history, target] = output.artifacts.map((artifact) => SimilarityTable.decode(Buffer.from(artifact.bytes), artifact.name));
    assertRowsClose(history!, rowsOf(swingNeighbours(data(), SIMPLE)), 'history');
    assert.equal(target!.items.length, history!.items.length);
    assert.equal(output.details.entries, 8);
    assert.equal(output.details.maxUsersPerItem, 300);
  });
});

void describe('SwingSource', () => {
  const store = (): EmbeddedSimilarityStore => {
    const { history, target } = i2iTables(swingNeighbours(data(), SIMPLE), false);
    return new EmbeddedSimilarityStore(new Map([['swing', history], ['swing-target', target]]));
  };
  const query = (recent: number[], blocked: number[] = recent) => ({
    userId: 'x',
    known: true,
    recent: Int32Array.from(recent),
    recentRatings: new Float32Array(recent.length).fill(Number.NaN),
    blocked: (item: number) => blocked.includes(item),
  });

  void it('sums the rows of the triggers, skipping blocked items', async () => {
    const source = new SwingSource(store(), { table: 'swing', triggers: 10 }, 4);
    assert.equal(source.id, 'swing');
    // Triggers A, D: C = 1/80 (from A), B = 1/16 (from A) + 1/45 (from D).
    const out = await source.recall(query([A, D]), 10);
    assert.deepEqual(Array.from(out.items), [B, C]);
    assert.deepEqual(Array.from(out.scores), [f(f(1 / 16) + f(1 / 45)), f(1 / 80)]);
  });

  void it('weights triggers by triggerDecay^position and uses at most `triggers` of them', async () => {
    // Triggers C (weight 1), D (weight 0.5): A = 1/80, B = 1/80 + 0.5/45.
    const decayed = await new SwingSource(store(), { table: 'swing', triggers: 10, triggerDecay: 0.5 }, 4).recall(query([C, D]), 10);
    assert.deepEqual(Array.from(decayed.items), [B, A]);
    assert.equal(decayed.scores[0], f(f(1 / 80) + 0.5 * f(1 / 45)));
    // One trigger: only C's row.
    const one = await new SwingSource(store(), { table: 'swing', triggers: 1 }, 4).recall(query([C, D]), 10);
    assert.deepEqual(Array.from(one.items), [A, B]);
  });

  void it('lists an item once even when its decayed contributions underflow to zero', async () => {
    // Triggers D (weight 1), A (1e-50), B (1e-100); A and D blocked. D gives B 1/45; A's row
    // reaches C with 1e-50/80, which is 0 in float32; B's row reaches C again (+0).
    const source = new SwingSource(store(), { table: 'swing', triggers: 10, triggerDecay: 1e-50 }, 4);
    const out = await source.recall(query([D, A, B], [A, D]), 10);
    assert.deepEqual(Array.from(out.items), [B, C]);
    assert.deepEqual(Array.from(out.scores), [f(1 / 45), 0]);
  });
});
