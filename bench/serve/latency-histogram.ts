/**
 * A log-linear latency histogram (HdrHistogram's layout, written by hand to keep the driver
 * dependency-free and cheap to ship between worker threads as one typed array): microsecond
 * values below 64 are exact; above, each power of two is split into 64 equal buckets, so a
 * recorded value is off by less than 1/64 (1.6 %) of itself. They cover 1 µs to
 * 35 minutes (1,664 buckets); recording is one clz32 and an increment.
 */
export const SUB_BUCKETS = 64;
const SUB_BITS = 6;
const MAX_MICROS = 0x7fff_ffff;
export const BUCKETS = SUB_BUCKETS + (31 - SUB_BITS) * SUB_BUCKETS;

/** Bucket of a latency in microseconds (clamped to 0..2^31-1). */
export function bucketOf(micros: number): number {
  const v = micros <= 0 ? 0 : micros >= MAX_MICROS ? MAX_MICROS : Math.round(micros);
  if (v < SUB_BUCKETS) return v;
  const shift = 31 - Math.clz32(v) - SUB_BITS;
  return SUB_BUCKETS + shift * SUB_BUCKETS + ((v >>> shift) - SUB_BUCKETS);
}

/** The value a bucket reports, in microseconds: the middle of its range. */
export function bucketValue(bucket: number): number {
  if (bucket < SUB_BUCKETS) return bucket;
  const shift = Math.floor((bucket - SUB_BUCKETS) / SUB_BUCKETS);
  const low = (SUB_BUCKETS + ((bucket - SUB_BUCKETS) % SUB_BUCKETS)) * 2 ** shift;
  return low + (2 ** shift - 1) / 2;
}

/** The histogram's state as plain data (what a worker thread posts back). */
export interface HistogramData {
  readonly counts: Float64Array;
  readonly count: number;
  /** Exact sum, minimum and maximum of the recorded values, microseconds. */
  readonly sumMicros: number;
  readonly minMicros: number;
  readonly maxMicros: number;
}

export class LatencyHistogram {
  readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sumMicros = 0;
  minMicros = Number.POSITIVE_INFINITY;
  maxMicros = 0;

  record(millis: number): void {
    const micros = millis * 1000;
    this.counts[bucketOf(micros)]! += 1;
    this.count++;
    this.sumMicros += micros;
    if (micros < this.minMicros) this.minMicros = micros;
    if (micros > this.maxMicros) this.maxMicros = micros;
  }

  data(): HistogramData {
    return { counts: this.counts, count: this.count, sumMicros: this.sumMicros, minMicros: this.minMicros, maxMicros: this.maxMicros };
  }

  /** Adds another histogram's data (one per worker thread) into this one. */
  add(other: HistogramData): void {
    for (let b = 0; b < BUCKETS; b++) this.counts[b]! += other.counts[b] ?? 0;
    this.count += other.count;
    this.sumMicros += other.sumMicros;
    if (other.count > 0) {
      this.minMicros = Math.min(this.minMicros, other.minMicros);
      this.maxMicros = Math.max(this.maxMicros, other.maxMicros);
    }
  }

  meanMillis(): number {
    return this.count === 0 ? Number.NaN : this.sumMicros / this.count / 1000;
  }

  /**
   * The q-quantile (0 < q <= 1) in milliseconds: the value of the bucket holding the
   * ceil(q·count)-th smallest recording, clamped into [min, max]; NaN when empty.
   */
  quantileMillis(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) return Math.min(this.maxMicros, Math.max(this.minMicros, bucketValue(b))) / 1000;
    }
    return this.maxMicros / 1000;
  }
}
