import ort from 'onnxruntime-node';
import { USER_CATEGORICAL_FIELDS, USER_DENSE_FIELDS, type FeatureSpec } from './feature-spec.js';
import { categoricalInputName, denseInputName } from './model-inputs.js';

/** A batch of feature columns (FeatureBatch, or a slice of training pairs). */
export interface FeatureColumns {
  readonly rows: number;
  readonly categorical: readonly Int32Array[];
  readonly dense: readonly Float32Array[];
}

/**
 * The ranker graphs' feeds for rows [from, from + rows) of ONE user: each column wrapped as
 * an ORT tensor over the same memory (no copy), user fields as their first row only ([1],
 * [1, width]: the graph computes the user's share of the first layer once per request).
 * The columns must stay untouched until the run finishes.
 */
export function rankerFeeds(spec: FeatureSpec, batch: FeatureColumns, from = 0, rows = batch.rows - from): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  spec.categorical.forEach((field, f) => {
    const n = USER_CATEGORICAL_FIELDS.has(field.name) ? 1 : rows;
    feeds[categoricalInputName(field.name)] = new ort.Tensor('int32', batch.categorical[f]!.subarray(from, from + n), [n]);
  });
  spec.dense.forEach((field, f) => {
    const n = USER_DENSE_FIELDS.has(field.name) ? 1 : rows;
    feeds[denseInputName(field.name)] = new ort.Tensor('float32', batch.dense[f]!.subarray(from * field.width, (from + n) * field.width), [n, field.width]);
  });
  return feeds;
}
