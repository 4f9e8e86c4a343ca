import type { SourceOutcome } from '../../lib/domain/candidate.js';
import type { ServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import type { HistoryStore } from '../../lib/stores/features/history-store.js';
import { applyFilters, type CandidateFilter } from './filters/filter.js';
import { CatalogueFilter } from './filters/catalogue.filter.js';
import { ExcludedItemsFilter } from './filters/excluded-items.filter.js';
import { SeenItemsFilter } from './filters/seen-items.filter.js';
import { BlockedItemMasks } from './blocked-item-masks.js';
import type { MergedCandidates } from './merge/rrf-merge.js';
import { mergeCandidates, type MergeStrategyId } from './merge/merge-strategy.js';
import { diversify } from './rerank/genre-diversity.js';
import type { ExperimentParams } from './experiments/scene-catalogue.js';
import type { RankStage } from './rank-stage.js';

/** What the pipeline needs from recall: in process (all-in-one) or over gRPC. */
export interface RecallPort {
  readonly sourceIds: readonly string[];
  /** `sources`: the experiment's subset (null or absent = every source). */
  recall(run: { query: RecallQueryShape; timeoutMs: number; sources?: readonly string[] | null }): Promise<SourceOutcome[]>;
}

/** Same shape as services/recall's RecallQuery; declared here so the services stay independent. */
export interface RecallQueryShape {
  readonly userId: string;
  readonly known: boolean;
  readonly recent: Int32Array;
  readonly recentRatings: Float32Array;
  readonly blocked: (item: number) => boolean;
  /** What `blocked` is made of, for a recall port that must send it over the wire. */
  readonly seen: ReadonlySet<number>;
  readonly excluded: ReadonlySet<number>;
}

export interface PipelineOptions {
  readonly recentHistory: number;
  readonly sourceWeights: ReadonlyMap<string, number>;
  readonly rrfK: number;
  /** Merge strategy when the request carries no experiment (offline evaluation); default rrf. */
  readonly mergeStrategy?: MergeStrategyId;
  /** Per-source deadline; Infinity in offline evaluation. */
  readonly sourceTimeoutMs: number;
}

export interface PipelineRequest {
  readonly userId: string;
  readonly count: number;
  /** Raw item ids the response must not contain; unknown ids are ignored. */
  readonly excludeItemIds: readonly string[];
  /** Time left of the caller's deadline (ms); recall deadlines never exceed it. Absent = no caller deadline. */
  readonly budgetMs?: number;
  /** The scene experiment's parameters; absent = the serving config (all sources, weighted RRF, no diversity). */
  readonly experiment?: ExperimentParams;
}

export interface StageTiming {
  readonly stage: string;
  readonly millis: number;
}

export interface PipelineResult {
  readonly bundleVersion: string;
  /** Final list, best first, at most `count` long. */
  readonly items: Int32Array;
  readonly scores: Float32Array;
  /** Source id → score per final item (NaN where the source did not return it). */
  readonly sourceScores: ReadonlyMap<string, Float32Array>;
  readonly degradedSources: readonly string[];
  readonly knownUser: boolean;
  /** Every stage's output, for debug responses and the offline evaluator. */
  readonly outcomes: readonly SourceOutcome[];
  readonly merged: MergedCandidates;
  readonly removed: readonly { item: number; filter: string }[];
  readonly timings: readonly StageTiming[];
  /** Candidates after each list stage (merge, filter, rerank), for debug traces. */
  readonly stageCandidates: readonly { readonly stage: string; readonly candidates: MergedCandidates }[];
  /** The ranker that ordered `items` (null: no ranking stage, or it failed and `rank` is in degradedSources). */
  readonly ranker: { readonly model: string; readonly provider: string } | null;
}

/**
 * The Recommend pipeline: history → recall fan-out (fail-open) → merge → filter → top `count`.
 * The offline evaluator runs this same class in process, so offline metrics measure what
 * users get.
 */
export class RecommendPipeline {
  private readonly blockedMasks = new BlockedItemMasks();

  constructor(
    readonly bundle: ServingBundle,
    private readonly recall: RecallPort,
    private readonly history: HistoryStore,
    private readonly options: PipelineOptions,
    /** Ranks the filtered candidates; absent = recall order. */
    private readonly rankStage?: RankStage,
  ) {}

  async recommend(request: PipelineRequest): Promise<PipelineResult> {
    const timings: StageTiming[] = [];
    let mark = performance.now();
    const lap = (stage: string): void => {
      const now = performance.now();
      timings.push({ stage, millis: now - mark });
      mark = now;
    };
    const { bundle } = this;
    const user = await this.history.history(
      request.userId, bundle.resolveItem, bundle.userHistory(request.userId), this.options.recentHistory, bundle.userHistoryRatings(request.userId),
    );
    const excluded = new Set<number>();
    for (const id of request.excludeItemIds) {
      const item = bundle.resolveItem(id);
      if (item >= 0) excluded.add(item);
    }
    lap('history');

    const mask = this.blockedMasks.acquire(bundle.catalogue.itemIds.length, user.seen, excluded);
    const outcomes = await this.recall.recall({
      query: { userId: request.userId, known: user.known, recent: user.recent, recentRatings: user.recentRatings, blocked: mask.blocked, seen: user.seen, excluded },
      timeoutMs: Math.min(this.options.sourceTimeoutMs, request.budgetMs ?? Number.POSITIVE_INFINITY),
      sources: request.experiment?.sources ?? null,
    }).finally(mask.release);
    const degradedSources = outcomes.filter((outcome) => outcome.status !== 'ok').map((outcome) => outcome.source);
    lap('recall');

    let merged = mergeCandidates(outcomes, request.experiment?.merge ?? { strategy: this.options.mergeStrategy ?? 'rrf', rrfK: this.options.rrfK, weights: this.options.sourceWeights });
    if (merged.items.length === 0) merged = this.popularFallback();
    lap('merge');

    const filters: CandidateFilter[] = [new CatalogueFilter(bundle.catalogue.itemIds.length), new SeenItemsFilter(user.seen), new ExcludedItemsFilter(excluded)];
    const { kept, removed } = applyFilters(merged.items, filters);
    const filtered = pick(merged, kept);
    lap('filter');

    let ordered = filtered;
    let ranker: PipelineResult['ranker'] = null;
    if (this.rankStage) {
      const ranked = await this.rankStage.rank(
        { userId: request.userId, known: user.known, recent: user.recent, recentRatings: user.recentRatings }, filtered, request.experiment?.rankerModel,
      );
      if (ranked.status === 'ok') {
        ordered = ranked.candidates;
        ranker = { model: ranked.model, provider: ranked.provider };
      } else degradedSources.push('rank');
      lap('rank');
    }

    const reranked = diversify(ordered, bundle.catalogue.genres, request.experiment?.diversity ?? { strategy: 'none' });
    lap('rerank');

    const final = prefix(reranked, request.count);
    lap('select');
    return {
      bundleVersion: bundle.version,
      items: final.items,
      scores: final.scores,
      sourceScores: final.sourceScores,
      degradedSources,
      knownUser: user.known,
      outcomes,
      merged: filtered,
      removed,
      timings,
      stageCandidates: [
        { stage: 'merge', candidates: merged },
        { stage: 'filter', candidates: filtered },
        ...(ranker ? [{ stage: 'rank', candidates: ordered }] : []),
        { stage: 'rerank', candidates: reranked },
      ],
      ranker,
    };
  }

  /** Waits until the ranking stage can score (call before serving); the ranker's load error, else null (calls are then served in recall order). */
  async ready(): Promise<string | null> {
    return (await this.rankStage?.ready()) ?? null;
  }

  /** Releases what the ranking stage holds (ORT sessions); the pipeline is unusable afterwards. */
  async close(): Promise<void> {
    await this.rankStage?.close();
  }

  private popularFallback(): MergedCandidates {
    const { items, scores } = this.bundle.popular.overall;
    return { items, scores, sourceScores: new Map([['popular', scores]]) };
  }
}

/** The first `count` candidates, as views (no copy). */
function prefix(merged: MergedCandidates, count: number): MergedCandidates {
  const n = Math.min(count, merged.items.length);
  const sourceScores = new Map<string, Float32Array>();
  for (const [source, column] of merged.sourceScores) sourceScores.set(source, column.subarray(0, n));
  return { items: merged.items.subarray(0, n), scores: merged.scores.subarray(0, n), sourceScores };
}

function pick(merged: MergedCandidates, positions: Int32Array): MergedCandidates {
  const n = positions.length;
  const items = new Int32Array(n);
  const scores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    items[i] = merged.items[positions[i]!]!;
    scores[i] = merged.scores[positions[i]!]!;
  }
  const sourceScores = new Map<string, Float32Array>();
  for (const [source, column] of merged.sourceScores) {
    const picked = new Float32Array(n);
    for (let i = 0; i < n; i++) picked[i] = column[positions[i]!]!;
    sourceScores.set(source, picked);
  }
  return { items, scores, sourceScores };
}
