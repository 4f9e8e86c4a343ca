/**
 * The ranker's feature assembly inside its ONNX worker thread (OrtWorkerPool's feed builder):
 * the gRPC thread sends the request's user context and candidates as a few typed arrays, and
 * the worker assembles the feature batch and runs the model. Assembly (the implicit-ALS
 * fold-in, per-candidate columns) then costs the worker's thread, not the one serving gRPC,
 * and what crosses threads is the candidates (~7 values per row), not the assembled batch
 * (~60 per row).
 */
import { RecsysError } from '../../lib/domain/errors.js';
import type { MergedCandidatesShape } from '../../lib/features/candidates-shape.js';
import { FeatureAssembler, type UserContext } from '../../lib/features/feature-assembler.js';
import type { FeatureSpec } from '../../lib/features/feature-spec.js';
import type { FeatureTables } from '../../lib/features/feature-tables.js';
import type { ItemTensors } from '../../lib/features/item-tensors.js';
import { modelFeeds } from '../../lib/features/model-feeds.js';
import type { OrtFeedBuilder, OrtFeedBuilderSpec, OrtTensorMessage, OrtTensors } from '../../lib/onnx/ort-worker-pool.js';

/** What each ranker worker is given once: the model it runs and what assembly reads. */
export interface RankerFeedData {
  readonly model: string;
  readonly spec: FeatureSpec;
  readonly items: ItemTensors;
  readonly tables: FeatureTables;
}

const USER = 'user';
const RECENT = 'recent';
const RECENT_RATINGS = 'recent_ratings';
const ITEMS = 'items';
const SCORES = 'scores';
const SOURCE_PREFIX = 'source:';

/** The feed builder spec of a ranker pool for `data`. */
export function rankerFeedBuilder(data: RankerFeedData): OrtFeedBuilderSpec {
  return { module: new URL('./ranker-feed-builder.js', import.meta.url).href, data };
}

/** One rank call as the builder's input: views of the caller's arrays (the pool copies them into one transferred buffer). */
export function rankerInput(user: UserContext, candidates: MergedCandidatesShape): OrtTensors {
  const input: Record<string, OrtTensorMessage> = {
    [USER]: { type: 'int32', data: Int32Array.of(user.userIndex), dims: [1] },
    [RECENT]: { type: 'int32', data: user.recent, dims: [user.recent.length] },
    [RECENT_RATINGS]: { type: 'float32', data: user.recentRatings, dims: [user.recentRatings.length] },
    [ITEMS]: { type: 'int32', data: candidates.items, dims: [candidates.items.length] },
    [SCORES]: { type: 'float32', data: candidates.scores, dims: [candidates.scores.length] },
  };
  for (const [source, scores] of candidates.sourceScores) input[SOURCE_PREFIX + source] = { type: 'float32', data: scores, dims: [scores.length] };
  return input;
}

function column<T extends Int32Array | Float32Array>(input: OrtTensors, name: string, type: abstract new (...args: never[]) => T, length?: number): T {
  const data = input[name]?.data;
  if (!(data instanceof type) || (length !== undefined && data.length !== length)) {
    throw new RecsysError('RECSYS_ERR_INTERNAL', `ranker input "${name}" is missing or malformed`);
  }
  return data;
}

/** Entry point OrtWorkerPool's worker calls (see OrtFeedBuilderSpec). */
export function createFeedBuilder(data: unknown): OrtFeedBuilder {
  const { model, spec, items, tables } = data as RankerFeedData; // built by rankerFeedBuilder in the parent thread
  const assembler = new FeatureAssembler(spec, items, tables);
  return (input) => {
    const recent = column(input, RECENT, Int32Array);
    const candidateItems = column(input, ITEMS, Int32Array);
    const rows = candidateItems.length;
    const sourceScores = new Map<string, Float32Array>();
    for (const name of Object.keys(input)) {
      if (name.startsWith(SOURCE_PREFIX)) sourceScores.set(name.slice(SOURCE_PREFIX.length), column(input, name, Float32Array, rows));
    }
    const batch = assembler.assemble(
      { userIndex: column(input, USER, Int32Array, 1)[0]!, recent, recentRatings: column(input, RECENT_RATINGS, Float32Array, recent.length) },
      { items: candidateItems, scores: column(input, SCORES, Float32Array, rows), sourceScores },
    );
    return modelFeeds(model, spec, batch);
  };
}
