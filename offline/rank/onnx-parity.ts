import type ort from 'onnxruntime-node';
import { createOrtSession } from '../../lib/onnx/index.js';
import { modelFeeds, toOrtTensors } from '../../lib/features/model-feeds.js';
import { SCORE_OUTPUT } from '../../lib/features/model-inputs.js';
import { CATEGORICAL_FIELDS, type FeatureSpec } from '../../lib/features/feature-spec.js';
import type { LabelledPairs } from './labelled-pairs.js';

const USER_FIELD = CATEGORICAL_FIELDS.findIndex((field) => field.name === 'user');

/**
 * onnxruntime's scores for the first `rows` pairs, one run per run of consecutive rows of
 * the same user (the graphs take user fields once per request; the pairs are stored user by
 * user). Throws if a run returns the wrong number of scores.
 */
export async function scoreWithSession(session: ort.InferenceSession, spec: FeatureSpec, pairs: LabelledPairs, rows: number, model = 'wide-deep'): Promise<Float32Array> {
  const n = Math.min(rows, pairs.rows);
  const out = new Float32Array(n);
  const users = pairs.categorical[USER_FIELD]!;
  for (let from = 0; from < n;) {
    let to = from + 1;
    while (to < n && users[to] === users[from]) to++;
    const output = await session.run(toOrtTensors(modelFeeds(model, spec, pairs, from, to - from)));
    const scores = output[SCORE_OUTPUT]?.data;
    if (!(scores instanceof Float32Array) || scores.length !== to - from) throw new Error(`ranker returned ${String(scores?.length)} scores for ${to - from} rows`);
    out.set(scores, from);
    from = to;
  }
  return out;
}

/** Max absolute difference between an exported ranker (CPU provider) and the trainer's probabilities over the first `rows` pairs. */
export async function onnxParity(bytes: Uint8Array, model: string, spec: FeatureSpec, pairs: LabelledPairs, expected: Float32Array, rows: number): Promise<number> {
  const session = await createOrtSession(bytes, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  try {
    const scores = await scoreWithSession(session.session, spec, pairs, rows, model);
    let worst = 0;
    for (let k = 0; k < scores.length; k++) worst = Math.max(worst, Math.abs(scores[k]! - expected[k]!));
    return worst;
  } finally {
    await session.release();
  }
}
