import type { ServerUnaryCall } from '@grpc/grpc-js';
import { RecsysError } from '../../lib/domain/errors.js';
import type { ServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import type { RankServiceHandlers } from '../../lib/generated/recsys/v1/RankService.js';
import type { RankRequest__Output } from '../../lib/generated/recsys/v1/RankRequest.js';
import type { RankResponse } from '../../lib/generated/recsys/v1/RankResponse.js';
import type { RankPort } from '../recommend/rank-port.js';
import { requireId, requireIdList } from '../recommend/request-validation.js';
import { leasedUnary, remainingMs } from './leased-unary.js';

export const MAX_RANK_CANDIDATES = 10_000;
/** Rank deadline when the caller sent none. */
const DEFAULT_RANK_BUDGET_MS = 1000;

export interface RankRoleState {
  readonly bundle: ServingBundle;
  /** The bundle's in-process ranker; null when the bundle has none. */
  readonly rank: RankPort | null;
}

export interface RankServiceDeps {
  readonly acquire: () => { readonly state: RankRoleState; release(): void };
  readonly onCall?: (method: string, millis: number, error?: unknown) => void;
}

function invalid(field: string, message: string): RecsysError {
  return new RecsysError('RECSYS_ERR_REQUEST_INVALID', `${field}: ${message}`, { field });
}

async function rank(state: RankRoleState, request: RankRequest__Output, budgetMs: number): Promise<RankResponse> {
  const userId = requireId('user_id', request.user_id);
  const model = request.model === '' ? '' : requireId('model', request.model);
  const recentIds = requireIdList('recent_item_ids', request.recent_item_ids, 10_000);
  if (request.recent_ratings.length !== 0 && request.recent_ratings.length !== recentIds.length) throw invalid('recent_ratings', 'must be empty or as long as recent_item_ids');
  if (request.candidates.length > MAX_RANK_CANDIDATES) throw invalid('candidates', `must hold at most ${MAX_RANK_CANDIDATES} (got ${request.candidates.length})`);
  const { bundle } = state;
  if (state.rank === null) throw new RecsysError('RECSYS_ERR_RANK_UNAVAILABLE', `bundle ${bundle.version} has no ranker`);
  const n = request.candidates.length;
  const items = new Int32Array(n);
  const scores = new Float32Array(n);
  const sourceScores = new Map<string, Float32Array>();
  request.candidates.forEach((candidate, k) => {
    const item = bundle.resolveItem(requireId(`candidates[${k}].item_id`, candidate.item_id));
    if (item < 0) throw new RecsysError('RECSYS_ERR_REQUEST_UNKNOWN_ITEM', `candidates[${k}].item_id: not in bundle ${bundle.version}`, { field: `candidates[${k}].item_id` });
    items[k] = item;
    scores[k] = candidate.score;
    for (const [source, value] of Object.entries(candidate.source_scores)) {
      let column = sourceScores.get(source);
      if (!column) sourceScores.set(source, (column = new Float32Array(n).fill(Number.NaN)));
      column[k] = value;
    }
  });
  const recent: number[] = [];
  const ratings: number[] = [];
  recentIds.forEach((id, index) => {
    const item = bundle.resolveItem(id);
    if (item < 0) return;
    recent.push(item);
    ratings.push(request.recent_ratings[index] ?? Number.NaN);
  });
  const output = await state.rank.rank(
    { userId, known: request.known_user, recent: Int32Array.from(recent), recentRatings: Float32Array.from(ratings), candidates: { items, scores, sourceScores }, model },
    budgetMs,
  );
  if (output.scores.length !== n) throw new RecsysError('RECSYS_ERR_SCORER_SHAPE', `ranker returned ${output.scores.length} scores for ${n} candidates`);
  return { scores: Array.from(output.scores), model: output.model, provider: output.provider, bundle_version: bundle.version };
}

/**
 * RankService of the rank role: the bundle's in-process RankPort. A bundle without a ranker
 * answers FAILED_PRECONDITION (the recommend role then serves recall order, marked degraded).
 */
export function rankServiceHandlers(deps: RankServiceDeps): RankServiceHandlers {
  return {
    Rank: leasedUnary('Rank', deps.acquire, deps.onCall, (state, call: ServerUnaryCall<RankRequest__Output, RankResponse>) => {
      const budget = remainingMs(call);
      return rank(state, call.request, Number.isFinite(budget) ? budget : DEFAULT_RANK_BUDGET_MS);
    }),
  };
}
