/**
 * Per-user and per-item feature columns the spec's vocabularies index into
 * (`rank-features.arr` in the bundle): demographic codes per bundle user, interaction count
 * shrunk mean rating and implicit-ALS factors per item. Computed offline from the training view only.
 */
import { RecsysError } from '../domain/errors.js';
import { decodeArrays, encodeArrays, requireArray } from '../stores/bundle/typed-array-file.js';

export const FEATURE_TABLES_ARTIFACT = 'rank-features.arr';
export const FEATURE_SPEC_ARTIFACT = 'feature-spec.json';

export interface FeatureTables {
  /** Per bundle user: 1-based code into spec.genders / ages / occupations, 0 = unknown. */
  readonly userGender: Int32Array;
  readonly userAge: Int32Array;
  readonly userOccupation: Int32Array;
  /** Per item: training interactions. */
  readonly itemCount: Int32Array;
  /** Per item: mean rating shrunk towards the global mean (NaN-free). */
  readonly itemMeanRating: Float32Array;
  /** Per item: its implicit-ALS factors (items × spec.als.factors; empty when factors is 0). */
  readonly alsItemFactors: Float32Array;
}

export function encodeFeatureTables(tables: FeatureTables): Buffer {
  return encodeArrays({ ...tables });
}

export function decodeFeatureTables(bytes: Buffer, users: number, items: number, alsFactors: number): FeatureTables {
  const decoded = decodeArrays(bytes, FEATURE_TABLES_ARTIFACT);
  const get = <T extends Int32Array | Float32Array>(name: string, ctor: abstract new (...args: never[]) => T, length: number): T => {
    const array = requireArray(decoded, name, ctor, FEATURE_TABLES_ARTIFACT);
    if (array.length !== length) throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${FEATURE_TABLES_ARTIFACT}: ${name} has ${array.length} entries, expected ${length}`);
    return array;
  };
  return {
    userGender: get('userGender', Int32Array, users),
    userAge: get('userAge', Int32Array, users),
    userOccupation: get('userOccupation', Int32Array, users),
    itemCount: get('itemCount', Int32Array, items),
    itemMeanRating: get('itemMeanRating', Float32Array, items),
    alsItemFactors: get('alsItemFactors', Float32Array, items * alsFactors),
  };
}
