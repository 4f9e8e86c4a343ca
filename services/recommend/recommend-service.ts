import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { RecommendServiceHandlers } from '../../lib/generated/recsys/v1/RecommendService.js';
import type { RecommendRequest__Output } from '../../lib/generated/recsys/v1/RecommendRequest.js';
import type { RecommendResponse } from '../../lib/generated/recsys/v1/RecommendResponse.js';
import type { SimilarItemsRequest__Output } from '../../lib/generated/recsys/v1/SimilarItemsRequest.js';
import type { SimilarItemsResponse } from '../../lib/generated/recsys/v1/SimilarItemsResponse.js';
import type { FeedbackRequest__Output } from '../../lib/generated/recsys/v1/FeedbackRequest.js';
import type { FeedbackResponse } from '../../lib/generated/recsys/v1/FeedbackResponse.js';
import type { ScoredItem } from '../../lib/generated/recsys/v1/ScoredItem.js';
import type { StageTrace } from '../../lib/generated/recsys/v1/StageTrace.js';
import { RecsysError } from '../../lib/domain/errors.js';
import type { ServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import type { HistoryStore } from '../../lib/stores/features/history-store.js';
import type { RecommendPipeline, PipelineRequest, PipelineResult } from './recommend-pipeline.js';
import { toServiceError } from './grpc-status.js';
import { MAX_EXCLUDED_ITEMS, requireContext, requireCount, requireId, requireIdList, requireScene } from './request-validation.js';
import type { ResolvedExperiment, SceneCatalogue } from './experiments/scene-catalogue.js';
import { MAX_ID_LENGTH } from '../../lib/domain/ids.js';

/** What one request runs against; swapped as a whole when a new bundle is loaded. */
export interface ServingState {
  readonly bundle: ServingBundle;
  readonly pipeline: RecommendPipeline;
}

/** The state one call runs against, held until the call ends (see ServingHolder). */
export interface StateLease {
  readonly state: ServingState;
  release(): void;
}

export interface RecommendServiceDeps {
  readonly acquire: () => StateLease;
  readonly history: HistoryStore;
  /** Scenes and their experiments; the first scene is the default. */
  readonly scenes: SceneCatalogue;
  readonly maxCount: number;
  /** Called once per finished call, for logs and metrics. */
  readonly onCall?: (method: string, millis: number, error?: unknown) => void;
  /** Called once per finished Recommend pipeline run (not for warm-up runs), for metrics. */
  readonly onPipeline?: (result: PipelineResult) => void;
}

function info(bundle: ServingBundle, item: number): ScoredItem['info'] {
  const { catalogue } = bundle;
  return { title: catalogue.titles[item] ?? '', year: catalogue.years[item] ?? 0, genres: catalogue.genres[item] ?? [] };
}

function scoredItems(bundle: ServingBundle, items: Int32Array, scores: Float32Array, sourceScores: ReadonlyMap<string, Float32Array> | null, withInfo: boolean): ScoredItem[] {
  const out: ScoredItem[] = new Array<ScoredItem>(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const perSource: Record<string, number> = {};
    if (sourceScores) {
      for (const [source, column] of sourceScores) {
        const value = column[i]!;
        if (!Number.isNaN(value)) perSource[source] = value;
      }
    }
    out[i] = { item_id: bundle.catalogue.itemIds[item] ?? '', score: scores[i]!, source_scores: perSource, info: withInfo ? info(bundle, item) : null };
  }
  return out;
}

function stageTraces(bundle: ServingBundle, result: PipelineResult): StageTrace[] {
  const traces: StageTrace[] = result.timings.map((timing) => ({ stage: timing.stage, millis: timing.millis, status: 'ok' }));
  for (const outcome of result.outcomes) {
    const items = outcome.status === 'ok' ? scoredItems(bundle, outcome.candidates.items, outcome.candidates.scores, null, false) : [];
    traces.push({ stage: `recall/${outcome.source}`, millis: outcome.millis, status: outcome.status, items });
  }
  for (const { stage, candidates } of result.stageCandidates) {
    traces.push({ stage: `${stage}/candidates`, millis: 0, status: 'ok', items: scoredItems(bundle, candidates.items, candidates.scores, candidates.sourceScores, false) });
  }
  traces.push({
    stage: 'filter/removed',
    millis: 0,
    status: 'ok',
    removed_item_ids: result.removed.map((removed) => `${bundle.catalogue.itemIds[removed.item] ?? ''}:${removed.filter}`),
  });
  return traces;
}

async function recommendWith(state: ServingState, query: PipelineRequest, resolved: ResolvedExperiment, request: RecommendRequest__Output, onPipeline?: (result: PipelineResult) => void): Promise<RecommendResponse> {
  const result = await state.pipeline.recommend({ ...query, experiment: resolved.params });
  onPipeline?.(result);
  return {
    items: scoredItems(state.bundle, result.items, result.scores, result.sourceScores, request.with_info),
    serving: {
      bundle_version: result.bundleVersion,
      experiment: resolved.experiments.join(','),
      experiments: [...resolved.experiments],
      scene: resolved.scene,
      degraded_sources: [...result.degradedSources],
      degraded: result.degradedSources.length > 0,
      rank_provider: result.ranker?.provider ?? '',
    },
    stages: request.debug ? stageTraces(state.bundle, result) : [],
  };
}

async function similarWith(bundle: ServingBundle, request: SimilarItemsRequest__Output, itemId: string, count: number): Promise<SimilarItemsResponse> {
  const table = request.table === '' ? 'item-cf' : request.table;
  if (!bundle.similarity.tables().includes(table)) {
    throw new RecsysError('RECSYS_ERR_REQUEST_INVALID', `table: unknown similarity table "${table.slice(0, 64)}" (known: ${bundle.similarity.tables().join(', ')})`, { field: 'table' });
  }
  const item = bundle.resolveItem(itemId);
  if (item < 0) throw new RecsysError('RECSYS_ERR_REQUEST_UNKNOWN_ITEM', `item_id: unknown item "${itemId}"`, { field: 'item_id' });
  const [row] = await bundle.similarity.neighbours(table, [item]);
  const items = row ? row.items.subarray(0, count) : new Int32Array(0);
  const scores = row ? row.scores.subarray(0, count) : new Float32Array(0);
  return {
    items: scoredItems(bundle, items, scores, null, request.with_info),
    serving: { bundle_version: bundle.version, experiment: '', degraded_sources: [], degraded: false, rank_provider: '' },
  };
}

/** Wraps a handler: validation and pipeline errors map to gRPC status in one place. */
function unary<Req, Res>(method: string, deps: RecommendServiceDeps, handle: (request: Req, budgetMs: number) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    const started = performance.now();
    const deadline = call.getDeadline();
    const at = deadline instanceof Date ? deadline.getTime() : deadline;
    handle(call.request, Number.isFinite(at) ? Math.max(0, at - Date.now()) : Number.POSITIVE_INFINITY).then(
      (response) => {
        deps.onCall?.(method, performance.now() - started);
        callback(null, response);
      },
      (error: unknown) => {
        deps.onCall?.(method, performance.now() - started, error);
        callback(toServiceError(error), null);
      },
    );
  };
}

export function recommendServiceHandlers(deps: RecommendServiceDeps): RecommendServiceHandlers {
  return {
    Recommend: unary('Recommend', deps, async (request: RecommendRequest__Output, budgetMs): Promise<RecommendResponse> => {
      const userId = requireId('user_id', request.user_id);
      const count = requireCount('count', request.count, deps.maxCount);
      const scene = requireScene('scene', request.scene, deps.scenes.names);
      const excludeItemIds = requireIdList('exclude_item_ids', request.exclude_item_ids, MAX_EXCLUDED_ITEMS);
      requireContext('context', request.context);
      if (request.force_experiment.length > 8 * MAX_ID_LENGTH) throw new RecsysError('RECSYS_ERR_REQUEST_INVALID', 'force_experiment: too long', { field: 'force_experiment' });
      const resolved = deps.scenes.resolve(scene, userId, request.force_experiment);
      const lease = deps.acquire();
      try {
        return await recommendWith(lease.state, { userId, count, excludeItemIds, budgetMs }, resolved, request, deps.onPipeline);
      } finally {
        lease.release();
      }
    }),

    SimilarItems: unary('SimilarItems', deps, async (request: SimilarItemsRequest__Output): Promise<SimilarItemsResponse> => {
      const itemId = requireId('item_id', request.item_id);
      const count = requireCount('count', request.count, deps.maxCount, 10);
      const lease = deps.acquire();
      try {
        return await similarWith(lease.state.bundle, request, itemId, count);
      } finally {
        lease.release();
      }
    }),

    Feedback: unary('Feedback', deps, async (request: FeedbackRequest__Output): Promise<FeedbackResponse> => {
      const userId = requireId('user_id', request.user_id);
      const itemId = requireId('item_id', request.item_id);
      const event = request.event === '' ? 'interaction' : requireId('event', request.event);
      const timestamp = Number(request.timestamp);
      if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RecsysError('RECSYS_ERR_REQUEST_INVALID', 'timestamp: must be unix seconds >= 0', { field: 'timestamp' });
      if (!Number.isFinite(request.rating)) throw new RecsysError('RECSYS_ERR_REQUEST_INVALID', 'rating: must be a finite number', { field: 'rating' });
      const historyLength = await deps.history.append({
        userId,
        itemId,
        event,
        timestamp: timestamp === 0 ? Math.floor(Date.now() / 1000) : timestamp,
        rating: request.rating,
      });
      return { history_length: historyLength };
    }),
  };
}
