/**
 * The GBDT ranker's input: one float matrix [rows, features] (TreeEnsembleRegressor takes a
 * single tensor), made from the same assembled fields as the other rankers: the ordinal and
 * low-cardinality codes as numbers, then every dense column. Ids and crosses are left out:
 * trees split on thresholds, which mean nothing over arbitrary id codes.
 */
import { CATEGORICAL_FIELDS, type FeatureSpec } from './feature-spec.js';
import type { FeatureColumns } from './model-feeds.js';

export const GBDT_INPUT = 'features';
const GBDT_CODES = ['gender', 'age', 'occupation', 'year', 'popularity', 'activity'] as const;
const CODE_FIELDS = GBDT_CODES.map((name) => CATEGORICAL_FIELDS.findIndex((field) => field.name === name));

export function gbdtFeatureCount(spec: FeatureSpec): number {
  return CODE_FIELDS.length + spec.dense.reduce((sum, field) => sum + field.width, 0);
}

/** Names of the matrix columns, for reports. */
export function gbdtFeatureNames(spec: FeatureSpec): string[] {
  return [...GBDT_CODES, ...spec.dense.flatMap((field) => Array.from({ length: field.width }, (_, c) => `${field.name}[${c}]`))];
}

/** Rows [from, from + rows) of `batch` as a row-major matrix (written into `out` when given). */
export function gbdtMatrix(spec: FeatureSpec, batch: FeatureColumns, from = 0, rows = batch.rows - from, out?: Float32Array): Float32Array {
  const width = gbdtFeatureCount(spec);
  const matrix = out ?? new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    const row = from + r;
    for (let k = 0; k < CODE_FIELDS.length; k++) matrix[base + k] = batch.categorical[CODE_FIELDS[k]!]![row]!;
    let at = base + CODE_FIELDS.length;
    spec.dense.forEach((field, f) => {
      const column = batch.dense[f]!;
      for (let c = 0; c < field.width; c++) matrix[at + c] = column[row * field.width + c]!;
      at += field.width;
    });
  }
  return matrix;
}
