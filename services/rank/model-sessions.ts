import type ort from 'onnxruntime-node';
import { createOrtSession, type OrtSession, type OrtSessionOptions } from '../../lib/onnx/index.js';
import { RecsysError } from '../../lib/domain/errors.js';
import { SCORE_OUTPUT } from '../../lib/features/model-inputs.js';

/** Runs ranker models by name; where the sessions live (this thread, worker_threads) is the implementation's business. */
export interface ModelSessions {
  /** The score output of `model` for `feeds`; the feeds' memory may be reused once this resolves. */
  readonly run: (model: string, feeds: Record<string, ort.Tensor>) => Promise<Float32Array>;
  /** Execution provider per model after load ('cpu', 'cuda'). */
  readonly provider: (model: string) => string;
  readonly models: readonly string[];
  readonly close: () => Promise<void>;
}

/** One ORT session per model in this thread. */
export async function createLocalSessions(models: ReadonlyMap<string, Uint8Array>, options: OrtSessionOptions): Promise<ModelSessions> {
  const sessions = new Map<string, OrtSession>();
  try {
    for (const [name, bytes] of models) sessions.set(name, await createOrtSession(bytes, options));
  } catch (error) {
    await Promise.all([...sessions.values()].map((session) => session.release()));
    throw error;
  }
  const get = (model: string): OrtSession => {
    const session = sessions.get(model);
    if (!session) throw new RecsysError('RECSYS_ERR_REQUEST_INVALID', `no ranker model "${model}" in this bundle (has ${[...sessions.keys()].join(', ')})`, { field: 'model' });
    return session;
  };
  return {
    models: [...sessions.keys()],
    provider: (model) => get(model).provider,
    run: async (model, feeds) => {
      const output = await get(model).session.run(feeds);
      const scores = output[SCORE_OUTPUT]?.data;
      if (!(scores instanceof Float32Array)) throw new RecsysError('RECSYS_ERR_SCORER_SHAPE', `ranker ${model} has no float output "${SCORE_OUTPUT}"`);
      return scores;
    },
    close: async () => {
      await Promise.all([...sessions.values()].map((session) => session.release()));
    },
  };
}
