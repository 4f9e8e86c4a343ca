import ort from 'onnxruntime-node';
import type { OrtTensors } from '../onnx/ort-worker-pool.js';
import { USER_CATEGORICAL_FIELDS, USER_DENSE_FIELDS, type FeatureSpec } from './feature-spec.js';
import { GBDT_INPUT, gbdtFeatureCount, gbdtMatrix } from './gbdt-features.js';
import { categoricalInputName, denseInputName } from './model-inputs.js';

/** A batch of feature columns (FeatureBatch, or a slice of training pairs). */
export interface FeatureColumns {
  readonly rows: number;
  readonly categorical: readonly Int32Array[];
  readonly dense: readonly Float32Array[];
}

/**
 * The wide&deep / logistic-regression graphs' feeds for rows [from, from + rows) of ONE
 * user: each column as a view of the same memory (no copy), user fields as their first row
 * only ([1], [1, width]: the graph computes the user's share of the first layer once per
 * request). The columns must stay untouched until the run has taken them.
 */
export function rankerFeeds(spec: FeatureSpec, batch: FeatureColumns, from = 0, rows = batch.rows - from): OrtTensors {
  const feeds: Record<string, OrtTensors[string]> = {};
  spec.categorical.forEach((field, f) => {
    const n = USER_CATEGORICAL_FIELDS.has(field.name) ? 1 : rows;
    feeds[categoricalInputName(field.name)] = { type: 'int32', data: batch.categorical[f]!.subarray(from, from + n), dims: [n] };
  });
  spec.dense.forEach((field, f) => {
    const n = USER_DENSE_FIELDS.has(field.name) ? 1 : rows;
    feeds[denseInputName(field.name)] = { type: 'float32', data: batch.dense[f]!.subarray(from * field.width, (from + n) * field.width), dims: [n, field.width] };
  });
  return feeds;
}

/** The GBDT graph's one input: the rows as a fresh matrix (transferable to a worker without a copy). */
export function gbdtFeeds(spec: FeatureSpec, batch: FeatureColumns, from = 0, rows = batch.rows - from): OrtTensors {
  return { [GBDT_INPUT]: { type: 'float32', data: gbdtMatrix(spec, batch, from, rows), dims: [rows, gbdtFeatureCount(spec)] } };
}

/** Feeds of ranker `model` ('gbdt' takes one matrix, the others one tensor per field). */
export function modelFeeds(model: string, spec: FeatureSpec, batch: FeatureColumns, from = 0, rows = batch.rows - from): OrtTensors {
  return model === 'gbdt' ? gbdtFeeds(spec, batch, from, rows) : rankerFeeds(spec, batch, from, rows);
}

/** The same feeds as onnxruntime tensors, for a session in this thread. */
export function toOrtTensors(feeds: OrtTensors): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, tensor] of Object.entries(feeds)) out[name] = new ort.Tensor(tensor.type, tensor.data as Float32Array, tensor.dims);
  return out;
}
