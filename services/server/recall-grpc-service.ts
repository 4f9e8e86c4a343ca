import type { ServerUnaryCall } from '@grpc/grpc-js';
import { RecsysError } from '../../lib/domain/errors.js';
import type { SourceOutcome } from '../../lib/domain/candidate.js';
import { leasedUnary, remainingMs } from './leased-unary.js';
import type { ServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import type { RecallServiceHandlers } from '../../lib/generated/recsys/v1/RecallService.js';
import type { RecallRequest__Output } from '../../lib/generated/recsys/v1/RecallRequest.js';
import type { RecallResponse } from '../../lib/generated/recsys/v1/RecallResponse.js';
import type { SourceResult } from '../../lib/generated/recsys/v1/SourceResult.js';
import { RecallEngine } from '../recall/recall-engine.js';
import { requireId, requireIdList } from '../recommend/request-validation.js';

/** Recent items and exclusions an internal caller may send (a heavy user's whole history is excluded). */
export const MAX_RECALL_TRIGGERS = 10_000;
export const MAX_RECALL_EXCLUSIONS = 100_000;

export interface RecallRoleState {
  readonly bundle: ServingBundle;
  readonly engine: RecallEngine;
}

export interface RecallServiceDeps {
  readonly acquire: () => { readonly state: RecallRoleState; release(): void };
  /** Kept back from the caller's deadline for the answer's trip back (serving.backends.marginMs). */
  readonly marginMs: number;
  readonly onCall?: (method: string, millis: number, error?: unknown) => void;
  /** Called with each call's per-source outcomes, for metrics. */
  readonly onOutcomes?: (outcomes: readonly SourceOutcome[]) => void;
}

function invalid(field: string, message: string): RecsysError {
  return new RecsysError('RECSYS_ERR_REQUEST_INVALID', `${field}: ${message}`, { field });
}

async function recall(state: RecallRoleState, request: RecallRequest__Output, budgetMs: number, onOutcomes?: (outcomes: readonly SourceOutcome[]) => void): Promise<RecallResponse> {
  const userId = requireId('user_id', request.user_id);
  const recentIds = requireIdList('recent_item_ids', request.recent_item_ids, MAX_RECALL_TRIGGERS);
  const excludeIds = requireIdList('exclude_item_ids', request.exclude_item_ids, MAX_RECALL_EXCLUSIONS);
  if (request.recent_ratings.length !== 0 && request.recent_ratings.length !== recentIds.length) throw invalid('recent_ratings', 'must be empty or as long as recent_item_ids');
  if (!Number.isInteger(request.limit) || request.limit < 0 || request.limit > 10_000) throw invalid('limit', 'must be an integer in 0..10000 (0 = each source\'s configured limit)');
  const known = new Set(state.engine.sourceIds);
  request.sources.forEach((source, index) => {
    if (!known.has(source)) throw invalid(`sources[${index}]`, `unknown source "${source.slice(0, 64)}" (serving: ${[...known].join(', ')})`);
  });
  const { bundle } = state;
  const recent: number[] = [];
  const ratings: number[] = [];
  recentIds.forEach((id, index) => {
    const item = bundle.resolveItem(id);
    if (item < 0) return;
    recent.push(item);
    ratings.push(request.recent_ratings[index] ?? Number.NaN);
  });
  const blocked = new Set<number>();
  for (const id of excludeIds) {
    const item = bundle.resolveItem(id);
    if (item >= 0) blocked.add(item);
  }
  const wanted = request.sources.length === 0 ? null : new Set(request.sources);
  const sources = state.engine.sources
    .filter((configured) => wanted === null || wanted.has(configured.source.id))
    .map((configured) => (request.limit === 0 ? configured : { ...configured, limit: Math.min(configured.limit, request.limit) }));
  const engine = sources.length === state.engine.sources.length && request.limit === 0 ? state.engine : new RecallEngine(sources);
  const outcomes = await engine.recall({
    query: { userId, known: request.known_user, recent: Int32Array.from(recent), recentRatings: Float32Array.from(ratings), blocked: (item) => blocked.has(item) },
    timeoutMs: budgetMs,
  });
  onOutcomes?.(outcomes);
  const ids = bundle.catalogue.itemIds;
  const results = outcomes.map((outcome): SourceResult => {
    if (outcome.status !== 'ok') return { source: outcome.source, status: outcome.status, millis: outcome.millis, error: outcome.error, items: [] };
    const { items, scores } = outcome.candidates;
    return { source: outcome.source, status: 'ok', millis: outcome.millis, items: Array.from(items, (item, k) => ({ item_id: ids[item] ?? '', score: scores[k]! })) };
  });
  return { results, bundle_version: bundle.version };
}

/** RecallService of the recall role: the in-process recall engine over the served bundle, each source with its own deadline. */
export function recallServiceHandlers(deps: RecallServiceDeps): RecallServiceHandlers {
  return {
    Recall: leasedUnary('Recall', deps.acquire, deps.onCall, (state, call: ServerUnaryCall<RecallRequest__Output, RecallResponse>) =>
      recall(state, call.request, Math.max(0, remainingMs(call) - deps.marginMs), deps.onOutcomes)),
  };
}
