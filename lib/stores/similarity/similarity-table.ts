import { RecsysError } from '../../domain/errors.js';
import { EMPTY_CANDIDATES, type CandidateList } from '../../domain/candidate.js';
import { decodeArrays, encodeArrays, requireArray } from '../bundle/typed-array-file.js';

/** An i2i table in CSR form: row i is items[offsets[i]..offsets[i+1]) with their scores. */
export class SimilarityTable {
  constructor(
    readonly offsets: Int32Array,
    readonly items: Int32Array,
    readonly scores: Float32Array,
  ) {
    if (offsets.length === 0 || offsets[offsets.length - 1] !== items.length || items.length !== scores.length) {
      throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', 'similarity table arrays disagree in length');
    }
  }

  get rows(): number {
    return this.offsets.length - 1;
  }

  row(item: number): CandidateList {
    if (!Number.isInteger(item) || item < 0 || item >= this.rows) return EMPTY_CANDIDATES;
    const start = this.offsets[item]!;
    const end = this.offsets[item + 1]!;
    return { items: this.items.subarray(start, end), scores: this.scores.subarray(start, end) };
  }

  encode(meta: Record<string, unknown> = {}): Buffer {
    return encodeArrays({ offsets: this.offsets, items: this.items, scores: this.scores }, meta);
  }

  static decode(bytes: Buffer, origin: string): SimilarityTable {
    const decoded = decodeArrays(bytes, origin);
    return new SimilarityTable(
      requireArray(decoded, 'offsets', Int32Array, origin),
      requireArray(decoded, 'items', Int32Array, origin),
      requireArray(decoded, 'scores', Float32Array, origin),
    );
  }
}
