import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { BUCKETS, bucketOf, bucketValue, LatencyHistogram } from '../../../bench/serve/latency-histogram.js';

/** Exact nearest-rank quantile of a sorted array. */
function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

void describe('LatencyHistogram', () => {
  void it('keeps microsecond values below 64 exact and every bucket within 1/64 of its values', () => {
    for (let v = 0; v < 64; v++) assert.equal(bucketValue(bucketOf(v)), v);
    for (const v of [64, 65, 127, 128, 1000, 4321, 99_999, 1_234_567, 2 ** 31 - 1]) {
      const b = bucketOf(v);
      assert.ok(b < BUCKETS, `bucket of ${v}`);
      assert.ok(Math.abs(bucketValue(b) - v) / v < 1 / 64, `${v} reported as ${bucketValue(b)}`);
    }
    assert.equal(bucketOf(-5), 0);
    assert.equal(bucketOf(1e12), bucketOf(2 ** 31 - 1));
  });

  void it('buckets are ordered: a larger value never lands in a lower bucket', () => {
    let last = 0;
    for (let v = 0; v < 200_000; v += 7) {
      const b = bucketOf(v);
      assert.ok(b >= last, `value ${v}`);
      last = b;
    }
  });

  void it('quantiles match exact nearest-rank quantiles within the bucket precision', () => {
    const values: number[] = [];
    let state = 12345;
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 10_000; i++) {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      const millis = 0.2 + (state / 2 ** 32) ** 3 * 80; // skewed: most calls fast, a long tail
      values.push(millis);
      histogram.record(millis);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.9, 0.99, 0.999]) {
      const exact = nearestRank(values, q);
      const got = histogram.quantileMillis(q);
      assert.ok(Math.abs(got - exact) / exact < 0.02, `q ${q}: ${got} vs ${exact}`);
    }
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    assert.ok(Math.abs(histogram.meanMillis() - mean) < 1e-9);
    assert.equal(histogram.quantileMillis(1), values[values.length - 1]);
  });

  void it('merging per-thread data equals recording everything in one histogram', () => {
    const one = new LatencyHistogram();
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let i = 1; i <= 500; i++) {
      one.record(i / 10);
      (i % 3 === 0 ? a : b).record(i / 10);
    }
    const merged = new LatencyHistogram();
    merged.add(a.data());
    merged.add(b.data());
    merged.add(new LatencyHistogram().data());
    assert.equal(merged.count, one.count);
    assert.deepEqual(Array.from(merged.counts), Array.from(one.counts));
    assert.equal(merged.minMicros, one.minMicros);
    assert.equal(merged.maxMicros, one.maxMicros);
    assert.equal(merged.quantileMillis(0.99), one.quantileMillis(0.99));
  });

  void it('an empty histogram reports NaN, not zero', () => {
    const empty = new LatencyHistogram();
    assert.ok(Number.isNaN(empty.quantileMillis(0.5)));
    assert.ok(Number.isNaN(empty.meanMillis()));
  });
});
