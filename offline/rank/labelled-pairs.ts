import { CATEGORICAL_FIELDS } from '../../lib/features/feature-spec.js';
import type { FeatureBatch } from '../../lib/features/feature-assembler.js';

/** Labelled (user, candidate) pairs as the ranker's tensors: one column per feature field. */
export interface LabelledPairs {
  readonly rows: number;
  /** CATEGORICAL_FIELDS order, `rows` long each. */
  readonly categorical: readonly Int32Array[];
  /** Dense fields in spec order, `rows × width` each. */
  readonly dense: readonly Float32Array[];
  readonly widths: readonly number[];
  readonly labels: Float32Array;
}

/** Appends selected rows of assembled batches; grows by doubling. */
export class LabelledPairsBuilder {
  private rows = 0;
  private capacity = 0;
  private categorical: Int32Array[] = [];
  private dense: Float32Array[] = [];
  private labels = new Float32Array(0);

  constructor(readonly widths: readonly number[]) {
    this.grow(1024);
  }

  private grow(rows: number): void {
    if (rows <= this.capacity) return;
    const capacity = Math.max(rows, this.capacity * 2);
    const copy = <T extends Int32Array | Float32Array>(old: T, make: (n: number) => T, n: number): T => {
      const next = make(n);
      next.set(old.subarray(0, Math.min(old.length, n)));
      return next;
    };
    this.categorical = CATEGORICAL_FIELDS.map((_, f) => copy(this.categorical[f] ?? new Int32Array(0), (n) => new Int32Array(n), capacity));
    this.dense = this.widths.map((width, f) => copy(this.dense[f] ?? new Float32Array(0), (n) => new Float32Array(n), capacity * width));
    this.labels = copy(this.labels, (n) => new Float32Array(n), capacity);
    this.capacity = capacity;
  }

  /** Copies row `r` of `batch` with `label`. */
  add(batch: FeatureBatch, r: number, label: number): void {
    this.grow(this.rows + 1);
    const at = this.rows++;
    for (let f = 0; f < this.categorical.length; f++) this.categorical[f]![at] = batch.categorical[f]![r]!;
    for (let f = 0; f < this.dense.length; f++) {
      const width = this.widths[f]!;
      this.dense[f]!.set(batch.dense[f]!.subarray(r * width, r * width + width), at * width);
    }
    this.labels[at] = label;
  }

  build(): LabelledPairs {
    const n = this.rows;
    return {
      rows: n,
      categorical: this.categorical.map((column) => column.slice(0, n)),
      dense: this.dense.map((column, f) => column.slice(0, n * this.widths[f]!)),
      widths: this.widths,
      labels: this.labels.slice(0, n),
    };
  }
}
