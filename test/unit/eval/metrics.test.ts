import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  METRIC_KEYS,
  METRIC_KS,
  RankingMetricsAccumulator,
  formatMetricsTable,
  metricsToJson,
} from '../../../offline/eval/metrics.js';
import type { MetricKey, MetricSummary } from '../../../offline/eval/metrics.js';

const EPS = 1e-12;

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < EPS, `${what}: got ${actual}, expected ${expected}`);
}

function expectValues(summary: MetricSummary, expected: Partial<Record<MetricKey, number>>): void {
  for (const [key, value] of Object.entries(expected) as [MetricKey, number][]) {
    close(summary.values[key], value, key);
  }
}

/** 1/log2(p+1) summed over the given 1-based positions. */
function dcg(...positions: number[]): number {
  return positions.reduce((sum, p) => sum + 1 / Math.log2(p + 1), 0);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

void describe('RankingMetricsAccumulator', () => {
  void it('divides recall by |relevant| and takes the ideal DCG over min(|relevant|, K)', () => {
    // 12 relevant items 0..11; ranked: 0..9 (positions 1-10), 50..59 (11-20), 10, 11 (21, 22).
    const acc = new RankingMetricsAccumulator(100);
    acc.add([...range(0, 10), ...range(50, 60), 10, 11], new Set(range(0, 12)));
    const s = acc.summary();
    assert.equal(s.users, 1);
    const idcg10 = dcg(...range(1, 11)); // K=10: ideal over min(12,10) = 10 positions
    const idcg12 = dcg(...range(1, 13)); // K=20, 50: ideal over min(12,K) = 12 positions
    expectValues(s, {
      'recall@10': 10 / 12, // 10 hits / 12 test items, not / min(12, 10)
      'ndcg@10': dcg(...range(1, 11)) / idcg10, // = 1: every top-10 slot is a hit
      'hit@10': 1,
      'recall@20': 10 / 12, // positions 11-20 are misses
      'ndcg@20': dcg(...range(1, 11)) / idcg12,
      'hit@20': 1,
      'recall@50': 12 / 12, // items 10, 11 at positions 21, 22
      'ndcg@50': dcg(...range(1, 11), 21, 22) / idcg12,
      'hit@50': 1,
    });
    close(s.values['ndcg@10'], 1, 'ndcg@10 is exactly one');
    assert.ok(s.values['ndcg@20'] < 1);
  });

  void it('hits at positions 1 and 3 with 2 relevant items', () => {
    // ranked [5, 7, 6], relevant {5, 6}: hits at p=1 and p=3.
    // DCG = 1/log2(2) + 1/log2(4) = 1 + 0.5 = 1.5; ideal = 1/log2(2) + 1/log2(3) = 1 + 0.6309... = 1.6309...
    const acc = new RankingMetricsAccumulator(10);
    acc.add([5, 7, 6], new Set([5, 6]));
    const expectedNdcg = (1 + 1 / Math.log2(4)) / (1 + 1 / Math.log2(3));
    close(expectedNdcg, 1.5 / 1.6309297535714575, 'hand arithmetic');
    const s = acc.summary();
    for (const k of METRIC_KS) {
      expectValues(s, { [`recall@${k}`]: 1, [`ndcg@${k}`]: expectedNdcg, [`hit@${k}`]: 1 });
    }
  });

  void it('depends on the order of the ranked list (ties are broken by the caller)', () => {
    const relevant = new Set([5, 6]);
    const ideal = 1 + 1 / Math.log2(3); // two hits at positions 1, 2
    const orders: [number[], number][] = [
      [[5, 6, 7], 1], // hits at 1, 2: DCG = ideal
      [[5, 7, 6], (1 + 1 / Math.log2(4)) / ideal], // hits at 1, 3: 1.5 / 1.6309
      [[7, 5, 6], (1 / Math.log2(3) + 1 / Math.log2(4)) / ideal], // hits at 2, 3: 1.1309 / 1.6309
    ];
    const seen: number[] = [];
    for (const [ranked, expected] of orders) {
      const acc = new RankingMetricsAccumulator(10);
      acc.add(ranked, relevant);
      const s = acc.summary();
      close(s.values['ndcg@10'], expected, `ndcg@10 of [${ranked.join(',')}]`);
      close(s.values['recall@10'], 1, 'recall is order-free');
      seen.push(s.values['ndcg@10']);
    }
    assert.ok(seen[0]! > seen[1]! && seen[1]! > seen[2]!);
  });

  void it('counts a user with an empty ranked list, with every metric zero', () => {
    const acc = new RankingMetricsAccumulator(10);
    acc.add([], new Set([1, 2]));
    const s = acc.summary();
    assert.equal(s.users, 1);
    for (const key of METRIC_KEYS) close(s.values[key], 0, key);
  });

  void it('ignores users with no test items, including for coverage', () => {
    const acc = new RankingMetricsAccumulator(10);
    acc.add([1, 2], new Set([1])); // recall 1, ndcg 1, covers {1, 2}
    acc.add([3, 4, 5], new Set());
    acc.add([6, 7], new Int32Array(0));
    const s = acc.summary();
    assert.equal(s.users, 1);
    expectValues(s, { 'recall@10': 1, 'ndcg@10': 1, 'hit@10': 1, 'coverage@10': 2 / 10 });
  });

  void it('a list shorter than K counts what it has', () => {
    // ranked [3], relevant {3, 4, 5}: one hit at p=1 for every K.
    // recall = 1/3; DCG = 1; ideal over min(3, K) = 3 positions = 1 + 1/log2(3) + 1/log2(4) = 2.1309...
    const acc = new RankingMetricsAccumulator(10);
    acc.add([3], new Set([3, 4, 5]));
    const s = acc.summary();
    const expectedNdcg = 1 / (1 + 1 / Math.log2(3) + 1 / Math.log2(4));
    for (const k of METRIC_KS) {
      expectValues(s, { [`recall@${k}`]: 1 / 3, [`ndcg@${k}`]: expectedNdcg, [`hit@${k}`]: 1 });
    }
    close(s.values['coverage@10'], 1 / 10, 'coverage@10');
  });

  void it('coverage@10 counts distinct items in any counted user top 10', () => {
    // catalogue 20. User A top 10 = 0..9 (items 10..14 at positions 11-15 do not count).
    // User B top 10 = 5..9, 15..19. Union of top 10s = 0..9 plus 15..19 = 15 items -> 15/20.
    const acc = new RankingMetricsAccumulator(20);
    acc.add(range(0, 15), new Set([0]));
    acc.add([...range(5, 10), ...range(15, 20)], new Set([19]));
    const s = acc.summary();
    assert.equal(s.users, 2);
    close(s.values['coverage@10'], 15 / 20, 'coverage@10');
  });

  void it('averages over counted users', () => {
    // catalogue 100.
    // U1: ranked [1, 2, 3], relevant {1}:        recall 1,   ndcg 1,                          hit 1
    // U2: ranked [4, 5, 6], relevant {7}:        recall 0,   ndcg 0,                          hit 0
    // U3: ranked [8, 9],    relevant {9, 10}:    recall 1/2, ndcg (1/log2 3) / (1 + 1/log2 3), hit 1
    // U4: no test items: ignored.
    const acc = new RankingMetricsAccumulator(100);
    acc.add([1, 2, 3], new Set([1]));
    acc.add([4, 5, 6], new Set([7]));
    acc.add([8, 9], new Int32Array([9, 10]));
    acc.add([11, 12], new Set());
    const s = acc.summary();
    assert.equal(s.users, 3);
    const ndcg3 = 1 / Math.log2(3) / (1 + 1 / Math.log2(3));
    for (const k of METRIC_KS) {
      expectValues(s, {
        [`recall@${k}`]: (1 + 0 + 0.5) / 3,
        [`ndcg@${k}`]: (1 + 0 + ndcg3) / 3,
        [`hit@${k}`]: 2 / 3,
      });
    }
    // top-10 items of counted users: 1..6, 8, 9 = 8 distinct.
    close(s.values['coverage@10'], 8 / 100, 'coverage@10');
  });

  void it('gives the same result for a sorted Int32Array and a Set of test items', () => {
    const ranked = [9, 3, 7, 1, 0, 42, 17];
    const a = new RankingMetricsAccumulator(50);
    const b = new RankingMetricsAccumulator(50);
    a.add(ranked, new Set([1, 17, 30, 42]));
    b.add(Int32Array.from(ranked), new Int32Array([1, 17, 30, 42]));
    assert.deepEqual(metricsToJson(a.summary()), metricsToJson(b.summary()));
    // hits at 4, 6, 7 of 4 relevant: recall@10 = 3/4.
    close(a.summary().values['recall@10'], 3 / 4, 'recall@10');
  });

  void it('throws on a duplicated ranked item, even beyond position 50, without counting the user', () => {
    const acc = new RankingMetricsAccumulator(100);
    assert.throws(() => {
      acc.add([1, 2, 1], new Set([1]));
    }, RangeError);
    assert.throws(() => {
      acc.add([...range(0, 60), 55], new Set([1]));
    }, RangeError);
    assert.equal(acc.summary().users, 0);
    close(acc.summary().values['coverage@10'], 0, 'coverage untouched');
    // the same item in two different users' lists is fine
    acc.add([1, 2], new Set([1]));
    acc.add([1, 2], new Set([2]));
    assert.equal(acc.summary().users, 2);
  });

  void it('rejects items outside the catalogue and unsorted Int32Array test items', () => {
    const acc = new RankingMetricsAccumulator(10);
    assert.throws(() => {
      acc.add([10], new Set([1]));
    }, RangeError);
    assert.throws(() => {
      acc.add([-1], new Set([1]));
    }, RangeError);
    assert.throws(() => {
      acc.add([1.5], new Set([1]));
    }, RangeError);
    assert.throws(() => {
      acc.add([1], new Int32Array([3, 2]));
    }, RangeError);
    assert.throws(() => {
      acc.add([1], new Int32Array([2, 2]));
    }, RangeError);
    assert.throws(() => new RankingMetricsAccumulator(0), RangeError);
    assert.equal(acc.summary().users, 0);
  });

  void it('summarises zero users as all zeros', () => {
    const s = new RankingMetricsAccumulator(5).summary();
    assert.equal(s.users, 0);
    for (const key of METRIC_KEYS) assert.equal(s.values[key], 0);
  });
});

void describe('metricsToJson', () => {
  void it('has exactly the metric keys and users', () => {
    const acc = new RankingMetricsAccumulator(10);
    acc.add([5, 7, 6], new Set([5, 6]));
    const json = metricsToJson(acc.summary());
    assert.deepEqual(Object.keys(json), [
      'recall@10',
      'ndcg@10',
      'hit@10',
      'recall@20',
      'ndcg@20',
      'hit@20',
      'recall@50',
      'ndcg@50',
      'hit@50',
      'coverage@10',
      'users',
    ]);
    assert.equal(json['users'], 1);
    close(json['coverage@10']!, 3 / 10, 'coverage@10');
    assert.deepEqual(JSON.parse(JSON.stringify(json)), json);
  });
});

void describe('formatMetricsTable', () => {
  void it('renders a GitHub markdown table with 4 decimals', () => {
    const acc = new RankingMetricsAccumulator(10);
    acc.add([5, 7, 6], new Set([5, 6])); // ndcg = 1.5 / 1.6309... = 0.91972...
    const empty = new RankingMetricsAccumulator(4).summary();
    const table = formatMetricsTable([
      { name: 'item-cf', summary: acc.summary() },
      { name: 'a|b', summary: empty },
    ]);
    assert.equal(
      table,
      [
        '| name | users | recall@10 | ndcg@10 | hit@10 | recall@20 | ndcg@20 | recall@50 | ndcg@50 | coverage@10 |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        '| item-cf | 1 | 1.0000 | 0.9197 | 1.0000 | 1.0000 | 0.9197 | 1.0000 | 0.9197 | 0.3000 |',
        '| a\\|b | 0 | 0.0000 | 0.0000 | 0.0000 | 0.0000 | 0.0000 | 0.0000 | 0.0000 | 0.0000 |',
      ].join('\n'),
    );
  });
});
