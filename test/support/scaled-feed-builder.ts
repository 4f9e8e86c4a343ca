/** A feed builder for OrtWorkerPool tests: input `raw` [rows, width] becomes feed `x` = raw × data.scale. */
import type { OrtFeedBuilder } from '../../lib/onnx/ort-worker-pool.js';

export function createFeedBuilder(data: unknown): OrtFeedBuilder {
  const scale = (data as { scale: number }).scale;
  return (input) => {
    const raw = input['raw']!;
    return { x: { type: 'float32', data: Float32Array.from(raw.data as Float32Array, (value) => value * scale), dims: raw.dims } };
  };
}
