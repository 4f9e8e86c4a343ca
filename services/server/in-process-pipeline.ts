import type { RecsysConfig } from '../../lib/config/schema.js';
import type { ServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import type { HistoryStore } from '../../lib/stores/features/history-store.js';
import { RecallEngine } from '../recall/recall-engine.js';
import { createSources, type ConfiguredSource } from '../recall/sources/registry.js';
import { RecommendPipeline, type RecallPort } from '../recommend/recommend-pipeline.js';
import type { RankPort } from '../recommend/rank-port.js';
import { RankStage } from '../recommend/rank-stage.js';
import { createInProcessRanker } from './in-process-ranker.js';

export interface InProcessOptions {
  /** Disable per-source deadlines (offline evaluation measures quality, not latency). */
  readonly deadlines?: boolean;
  /** Recall to use instead of an in-process engine over the bundle (role recommend: the recall role over gRPC). */
  readonly recall?: RecallPort;
  /** The sources `recall` runs, as an in-process engine: their slowest deadline caps the recall stage. */
  readonly engine?: RecallEngine;
  /** The ranker; default: the bundle's ONNX rankers in process (none when the bundle has none or rank.enabled is off); null = no ranking. */
  readonly rankPort?: RankPort | null;
}

/** The bundle's configured recall sources, each with its own deadline (none when `deadlines` is false). */
export function createRecallEngine(bundle: ServingBundle, config: Readonly<RecsysConfig>, options: { deadlines?: boolean; adjustSources?: ((sources: ConfiguredSource[]) => ConfiguredSource[]) | undefined } = {}): RecallEngine {
  let sources = createSources(bundle, config.serving.sources);
  if (options.deadlines === false) sources = sources.map(({ source, limit, weight }) => ({ source, limit, weight }));
  return new RecallEngine(options.adjustSources ? options.adjustSources(sources) : sources);
}

/**
 * The all-in-one wiring of recall, recommend and rank for one bundle. The server and the
 * offline evaluator both build their pipeline here, so they run the same code.
 */
export function createInProcessPipeline(bundle: ServingBundle, config: Readonly<RecsysConfig>, history: HistoryStore, options: InProcessOptions = {}): RecommendPipeline {
  const engine = options.engine ?? createRecallEngine(bundle, config, options);
  const recall = options.recall ?? engine;
  // The cap on the recall stage: the slowest source deadline (a remote recall role cuts each source at its own).
  const timeouts = engine.sources.map((configured) => configured.timeoutMs ?? 0);
  const sourceWeights = new Map(Object.entries(config.serving.sources).filter(([, block]) => block.enabled).map(([id, block]) => [id, block.weight]));
  const offline = options.deadlines === false;
  const port = options.rankPort !== undefined ? options.rankPort : createInProcessRanker(bundle, config);
  const { rank } = config;
  const stage = port === null ? undefined : new RankStage(port, {
    preRank: rank.preRank,
    timeoutMs: offline ? Number.POSITIVE_INFINITY : rank.timeoutMs,
    model: rank.model,
    retrievalPower: rank.fusion.retrievalPower,
    rankPower: rank.fusion.rankPower,
  });
  return new RecommendPipeline(bundle, recall, history, {
    recentHistory: config.serving.recentHistory,
    sourceWeights,
    rrfK: config.serving.merge.rrfK,
    mergeStrategy: config.serving.merge.strategy,
    sourceTimeoutMs: options.deadlines === false ? Number.POSITIVE_INFINITY : Math.max(...timeouts, 1),
  }, stage);
}

