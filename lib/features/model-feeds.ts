import ort from 'onnxruntime-node';
import type { FeatureSpec } from './feature-spec.js';
import { categoricalInputName, denseInputName } from './model-inputs.js';

/** A batch of feature columns (FeatureBatch, or a slice of training pairs). */
export interface FeatureColumns {
  readonly rows: number;
  readonly categorical: readonly Int32Array[];
  readonly dense: readonly Float32Array[];
}

/**
 * The ranker graphs' feeds: each column wrapped as an ORT tensor over the same memory (no
 * copy); the columns must stay untouched until the run finishes.
 */
export function rankerFeeds(spec: FeatureSpec, batch: FeatureColumns): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  spec.categorical.forEach((field, f) => {
    feeds[categoricalInputName(field.name)] = new ort.Tensor('int32', batch.categorical[f]!.subarray(0, batch.rows), [batch.rows]);
  });
  spec.dense.forEach((field, f) => {
    feeds[denseInputName(field.name)] = new ort.Tensor('float32', batch.dense[f]!.subarray(0, batch.rows * field.width), [batch.rows, field.width]);
  });
  return feeds;
}
