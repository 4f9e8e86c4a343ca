import { createOrtSession } from '../../lib/onnx/index.js';
import { rankerFeeds } from '../../lib/features/model-feeds.js';
import { SCORE_OUTPUT } from '../../lib/features/model-inputs.js';
import type { FeatureSpec } from '../../lib/features/feature-spec.js';
import type { LabelledPairs } from './labelled-pairs.js';

/**
 * Max absolute difference between onnxruntime's scores of an exported ranker and the
 * trainer's, over the first `rows` pairs (CPU provider).
 */
export async function onnxParity(model: Uint8Array, spec: FeatureSpec, pairs: LabelledPairs, expected: Float32Array, rows: number): Promise<number> {
  const n = Math.min(rows, pairs.rows);
  const session = await createOrtSession(model, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  try {
    const output = await session.session.run(rankerFeeds(spec, { rows: n, categorical: pairs.categorical, dense: pairs.dense }));
    const scores = output[SCORE_OUTPUT]?.data;
    if (!(scores instanceof Float32Array) || scores.length !== n) return Number.POSITIVE_INFINITY;
    let worst = 0;
    for (let k = 0; k < n; k++) worst = Math.max(worst, Math.abs(scores[k]! - expected[k]!));
    return worst;
  } finally {
    await session.release();
  }
}
