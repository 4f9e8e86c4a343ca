import type { SourceOutcome } from '../../../lib/domain/candidate.js';
import { mergeByReciprocalRank, type MergedCandidates } from './rrf-merge.js';
import { mergeByScore } from './score-merge.js';

export type MergeStrategyId = 'rrf' | 'max' | 'weighted-sum';

export interface MergeParams {
  readonly strategy: MergeStrategyId;
  /** rrf only: the k of weight / (k + rank). */
  readonly rrfK: number;
  readonly weights: ReadonlyMap<string, number>;
  /** Most candidates each source contributes (its best ones); absent = all it returned. */
  readonly quotas?: ReadonlyMap<string, number> | undefined;
}

/** Each source's list cut to its quota (views, no copy). */
export function applyQuotas(outcomes: readonly SourceOutcome[], quotas: ReadonlyMap<string, number> | undefined): readonly SourceOutcome[] {
  if (!quotas || quotas.size === 0) return outcomes;
  return outcomes.map((outcome) => {
    const quota = quotas.get(outcome.source);
    if (outcome.status !== 'ok' || quota === undefined || outcome.candidates.items.length <= quota) return outcome;
    return { ...outcome, candidates: { items: outcome.candidates.items.subarray(0, quota), scores: outcome.candidates.scores.subarray(0, quota) } };
  });
}

/** Merges the sources' lists with the experiment's strategy, after per-source quotas. */
export function mergeCandidates(outcomes: readonly SourceOutcome[], params: MergeParams): MergedCandidates {
  const limited = applyQuotas(outcomes, params.quotas);
  if (params.strategy === 'rrf') return mergeByReciprocalRank(limited, params.weights, params.rrfK);
  return mergeByScore(limited, params.weights, params.strategy);
}
