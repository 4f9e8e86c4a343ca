import { OrtWorkerPool, type OrtFeedBuilderSpec, type OrtTensors, type OrtWorkerPoolOptions } from '../../lib/onnx/ort-worker-pool.js';
import { RecsysError } from '../../lib/domain/errors.js';
import { SCORE_OUTPUT } from '../../lib/features/model-inputs.js';

/** Runs ranker models by name; where the sessions live is the implementation's business. */
export interface ModelSessions {
  /**
   * The score output of `model` for `input` (the feed builder's input: rankerInput); the
   * input's memory may be reused once this resolves. Past `timeoutMs` (default: the
   * sessions' own timeout) it rejects with RECSYS_ERR_ONNX_TIMEOUT.
   */
  readonly score: (model: string, input: OrtTensors, timeoutMs?: number) => Promise<Float32Array>;
  /** Execution provider per model after load ('cpu', 'cuda'). */
  readonly provider: (model: string) => string;
  readonly models: readonly string[];
  readonly close: () => Promise<void>;
}

/**
 * One OrtWorkerPool per model: the sessions live in worker_threads (session.run blocks its
 * thread's event loop, DESIGN.md section 6), loaded and warmed before this resolves. Each
 * pool's workers build their feeds with `feedBuilder(model)` (the feature assembly).
 */
export async function createPooledSessions(models: ReadonlyMap<string, Uint8Array>, options: OrtWorkerPoolOptions, feedBuilder: (model: string) => OrtFeedBuilderSpec): Promise<ModelSessions> {
  const pools = new Map<string, OrtWorkerPool>();
  try {
    for (const [name, bytes] of models) pools.set(name, await OrtWorkerPool.create(bytes, { ...options, feedBuilder: feedBuilder(name) }));
  } catch (error) {
    await Promise.all([...pools.values()].map((pool) => pool.close()));
    throw error;
  }
  const get = (model: string): OrtWorkerPool => {
    const pool = pools.get(model);
    if (!pool) throw new RecsysError('RECSYS_ERR_REQUEST_INVALID', `no ranker model "${model}" in this bundle (has ${[...pools.keys()].join(', ')})`, { field: 'model' });
    return pool;
  };
  return {
    models: [...pools.keys()],
    provider: (model) => get(model).provider,
    score: async (model, input, timeoutMs) => {
      // The input is views of the caller's arrays (histories, merged candidates): packed into a pooled buffer, never transferred themselves (that would detach them).
      const outputs = await get(model).run(input, { transfer: false, build: true, timeoutMs });
      const scores = outputs[SCORE_OUTPUT]?.data;
      if (!(scores instanceof Float32Array)) throw new RecsysError('RECSYS_ERR_SCORER_SHAPE', `ranker ${model} has no float output "${SCORE_OUTPUT}"`);
      return scores;
    },
    close: async () => {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
    },
  };
}
