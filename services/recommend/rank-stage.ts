import { RecsysError, errorMessage } from '../../lib/domain/errors.js';
import type { MergedCandidates } from './merge/rrf-merge.js';
import type { RankPort } from './rank-port.js';
import { orderByScore } from './score-order.js';

export interface RankStageOptions {
  /** Candidates (in recall order) handed to the ranker; the rest follow the ranked ones in recall order. */
  readonly preRank: number;
  readonly timeoutMs: number;
  /** Ranker model name; '' = the ranker's default. */
  readonly model: string;
  /** Final score = retrieval^retrievalPower · rank^rankPower (retrieval = the merged score). */
  readonly retrievalPower: number;
  readonly rankPower: number;
}

export interface RankUser {
  readonly userId: string;
  readonly known: boolean;
  readonly recent: Int32Array;
  readonly recentRatings: Float32Array;
}

export type RankStageOutcome =
  | { readonly status: 'ok'; readonly candidates: MergedCandidates; readonly model: string; readonly provider: string }
  | { readonly status: 'error'; readonly error: string };

/**
 * The ranking step of the Recommend pipeline: truncates the filtered candidates to
 * `preRank`, scores them through the RankPort (with a deadline), fuses the scores and sorts.
 * Fail-open like a recall source: a ranker that fails, times out or returns the wrong number
 * of scores (RECSYS_ERR_SCORER_SHAPE: its scores are never used) yields an `error` outcome
 * and the pipeline serves recall order, marked degraded.
 */
export class RankStage {
  constructor(private readonly port: RankPort, readonly options: RankStageOptions) {}

  /** `model` overrides the configured model (a scene experiment's rankerModel); empty or absent = configured. */
  async rank(user: RankUser, candidates: MergedCandidates, model?: string): Promise<RankStageOutcome> {
    const chosen = model !== undefined && model !== '' ? model : this.options.model;
    const n = Math.min(this.options.preRank, candidates.items.length);
    if (n === 0) return { status: 'ok', candidates, model: chosen, provider: 'none' };
    const head = prefixOf(candidates, n);
    try {
      const output = await this.port.rank({ ...user, candidates: head, model: chosen }, this.options.timeoutMs);
      if (output.scores.length !== n) {
        throw new RecsysError('RECSYS_ERR_SCORER_SHAPE', `ranker ${output.model} returned ${output.scores.length} scores for ${n} candidates`);
      }
      return { status: 'ok', candidates: this.sorted(candidates, output.scores), model: output.model, provider: output.provider };
    } catch (error) {
      return { status: 'error', error: errorMessage(error) };
    }
  }

  /** Waits for the ranker to load; the error message when it cannot, else null. */
  async ready(): Promise<string | null> {
    try {
      await this.port.ready?.();
      return null;
    } catch (error) {
      return errorMessage(error);
    }
  }

  async close(): Promise<void> {
    await this.port.close?.();
  }

  /** Ranked head by fused score (ties: recall order), then the tail beyond preRank in recall order with score 0. */
  private sorted(candidates: MergedCandidates, scores: Float32Array): MergedCandidates {
    const { retrievalPower, rankPower } = this.options;
    const n = scores.length;
    const total = candidates.items.length;
    const fused = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const rank = rankPower === 1 ? scores[i]! : Math.pow(Math.max(scores[i]!, 0), rankPower);
      fused[i] = retrievalPower === 0 ? rank : rank * Math.pow(Math.max(candidates.scores[i]!, 0), retrievalPower);
    }
    const order = new Int32Array(total);
    orderByScore(fused, n, order);
    for (let i = n; i < total; i++) order[i] = i;
    const items = new Int32Array(total);
    const outScores = new Float32Array(total);
    for (let k = 0; k < total; k++) {
      const at = order[k]!;
      items[k] = candidates.items[at]!;
      outScores[k] = at < n ? fused[at]! : 0;
    }
    const sourceScores = new Map<string, Float32Array>();
    for (const [source, column] of candidates.sourceScores) {
      const reordered = new Float32Array(total);
      for (let k = 0; k < total; k++) reordered[k] = column[order[k]!]!;
      sourceScores.set(source, reordered);
    }
    return { items, scores: outScores, sourceScores };
  }
}

function prefixOf(merged: MergedCandidates, n: number): MergedCandidates {
  if (n === merged.items.length) return merged;
  const sourceScores = new Map<string, Float32Array>();
  for (const [source, column] of merged.sourceScores) sourceScores.set(source, column.subarray(0, n));
  return { items: merged.items.subarray(0, n), scores: merged.scores.subarray(0, n), sourceScores };
}
