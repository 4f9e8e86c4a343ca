// Offline ranking metrics, as defined in DESIGN.md section 5.

export const METRIC_KS = [10, 20, 50] as const;
export type MetricK = (typeof METRIC_KS)[number];

export type MetricKey =
  | 'recall@10'
  | 'ndcg@10'
  | 'hit@10'
  | 'recall@20'
  | 'ndcg@20'
  | 'hit@20'
  | 'recall@50'
  | 'ndcg@50'
  | 'hit@50'
  | 'coverage@10';

/** Every metric key, in report order. */
export const METRIC_KEYS: readonly MetricKey[] = [
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
];

export type MetricValues = Readonly<Record<MetricKey, number>>;

export interface MetricSummary {
  /** Users with at least one relevant item; the denominator of every per-user average. */
  readonly users: number;
  readonly values: MetricValues;
}

const MAX_K = 50;
const COVERAGE_K = 10;

/** DISCOUNT[p - 1] = 1 / log2(p + 1) for 1-based position p. */
const DISCOUNT = new Float64Array(MAX_K);
/** IDEAL_DCG[m] = DCG of m hits in positions 1..m. */
const IDEAL_DCG = new Float64Array(MAX_K + 1);
for (let p = 1; p <= MAX_K; p++) {
  DISCOUNT[p - 1] = 1 / Math.log2(p + 1);
  IDEAL_DCG[p] = IDEAL_DCG[p - 1]! + DISCOUNT[p - 1]!;
}

function containsSorted(sorted: Int32Array, item: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v === item) return true;
    if (v < item) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Accumulates Recall@K, NDCG@K and Hit@K (K = 10, 20, 50) and coverage@10 over users.
 * Per-user metrics are averaged over users with at least one relevant item; others are ignored.
 */
export class RankingMetricsAccumulator {
  readonly catalogueSize: number;
  private users = 0;
  private readonly recallSum = new Float64Array(METRIC_KS.length);
  private readonly ndcgSum = new Float64Array(METRIC_KS.length);
  private readonly hitSum = new Float64Array(METRIC_KS.length);
  private readonly covered: Uint8Array;
  private coveredCount = 0;
  // Duplicate detection without per-call allocation: seenAt[item] === epoch means seen in this call.
  private readonly seenAt: Uint32Array;
  private epoch = 0;

  constructor(catalogueSize: number) {
    if (!Number.isInteger(catalogueSize) || catalogueSize < 1) {
      throw new RangeError(`catalogueSize must be a positive integer, got ${catalogueSize}`);
    }
    this.catalogueSize = catalogueSize;
    this.covered = new Uint8Array(catalogueSize);
    this.seenAt = new Uint32Array(catalogueSize);
  }

  /**
   * @param ranked item indices, best first, with training items already masked.
   * @param relevant the user's test items: a set, or a strictly increasing Int32Array.
   * @throws RangeError on an item outside the catalogue, a duplicated ranked item, or an unsorted `relevant` array.
   */
  add(ranked: ArrayLike<number>, relevant: ReadonlySet<number> | Int32Array): void {
    this.checkRanked(ranked);
    let relevantCount: number;
    if (relevant instanceof Int32Array) {
      for (let i = 1; i < relevant.length; i++) {
        if (relevant[i]! <= relevant[i - 1]!) {
          throw new RangeError(`relevant Int32Array must be strictly increasing (index ${i})`);
        }
      }
      relevantCount = relevant.length;
    } else {
      relevantCount = relevant.size;
    }
    if (relevantCount === 0) return;
    this.users++;

    const n = ranked.length;
    let hits = 0;
    let dcg = 0;
    let kIndex = 0;
    for (let p = 1; p <= MAX_K; p++) {
      if (p <= n) {
        const item = ranked[p - 1]!;
        if (p <= COVERAGE_K && this.covered[item] === 0) {
          this.covered[item] = 1;
          this.coveredCount++;
        }
        const isHit = relevant instanceof Int32Array ? containsSorted(relevant, item) : relevant.has(item);
        if (isHit) {
          hits++;
          dcg += DISCOUNT[p - 1]!;
        }
      }
      if (p === METRIC_KS[kIndex]) {
        this.recallSum[kIndex]! += hits / relevantCount;
        this.ndcgSum[kIndex]! += dcg / IDEAL_DCG[Math.min(relevantCount, p)]!;
        if (hits > 0) this.hitSum[kIndex]! += 1;
        kIndex++;
      }
    }
  }

  /** Averages over counted users; every value is 0 when no user was counted. */
  summary(): MetricSummary {
    const u = this.users;
    const avg = (sum: number): number => (u === 0 ? 0 : sum / u);
    const at = (sums: Float64Array, i: number): number => avg(sums[i]!);
    const values: MetricValues = {
      'recall@10': at(this.recallSum, 0),
      'ndcg@10': at(this.ndcgSum, 0),
      'hit@10': at(this.hitSum, 0),
      'recall@20': at(this.recallSum, 1),
      'ndcg@20': at(this.ndcgSum, 1),
      'hit@20': at(this.hitSum, 1),
      'recall@50': at(this.recallSum, 2),
      'ndcg@50': at(this.ndcgSum, 2),
      'hit@50': at(this.hitSum, 2),
      'coverage@10': this.coveredCount / this.catalogueSize,
    };
    return { users: u, values: Object.freeze(values) };
  }

  private checkRanked(ranked: ArrayLike<number>): void {
    if (this.epoch === 0xffffffff) {
      this.seenAt.fill(0);
      this.epoch = 0;
    }
    const epoch = ++this.epoch;
    const size = this.catalogueSize;
    for (let i = 0; i < ranked.length; i++) {
      const item = ranked[i]!;
      if (!Number.isInteger(item) || item < 0 || item >= size) {
        throw new RangeError(`ranked[${i}] = ${item} is not an item index in [0, ${size})`);
      }
      if (this.seenAt[item] === epoch) {
        throw new RangeError(`ranked list repeats item ${item} (at index ${i})`);
      }
      this.seenAt[item] = epoch;
    }
  }
}

const TABLE_COLUMNS: readonly MetricKey[] = [
  'recall@10',
  'ndcg@10',
  'hit@10',
  'recall@20',
  'ndcg@20',
  'recall@50',
  'ndcg@50',
  'coverage@10',
];

/** GitHub markdown table, one row per summary, values to 4 decimals; no trailing newline. */
export function formatMetricsTable(rows: readonly { name: string; summary: MetricSummary }[]): string {
  const header = ['name', 'users', ...TABLE_COLUMNS];
  const lines = [
    `| ${header.join(' | ')} |`,
    `| --- | ${header
      .slice(1)
      .map(() => '---:')
      .join(' | ')} |`,
  ];
  for (const { name, summary } of rows) {
    const cells = [
      name.replace(/\|/g, '\\|'),
      String(summary.users),
      ...TABLE_COLUMNS.map((key) => summary.values[key].toFixed(4)),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function metricsToJson(summary: MetricSummary): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of METRIC_KEYS) out[key] = summary.values[key];
  out['users'] = summary.users;
  return out;
}
