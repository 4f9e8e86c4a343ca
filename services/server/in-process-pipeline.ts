import type { RecsysConfig } from '../../lib/config/schema.js';
import type { ServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import type { HistoryStore } from '../../lib/stores/features/history-store.js';
import { RecallEngine } from '../recall/recall-engine.js';
import { createSources } from '../recall/sources/registry.js';
import { RecommendPipeline } from '../recommend/recommend-pipeline.js';
import type { RankPort } from '../recommend/rank-port.js';
import { RankStage } from '../recommend/rank-stage.js';
import { createBundleRanker } from '../rank/bundle-ranker.js';

export interface InProcessOptions {
  /** Disable per-source deadlines (offline evaluation measures quality, not latency). */
  readonly deadlines?: boolean;
  /** The ranker; default: the bundle's ONNX rankers in process (none when the bundle has none or rank.enabled is off); null = no ranking. */
  readonly rankPort?: RankPort | null;
}

/**
 * The all-in-one wiring of recall, recommend and rank for one bundle. The server and the
 * offline evaluator both build their pipeline here, so they run the same code.
 */
export function createInProcessPipeline(bundle: ServingBundle, config: Readonly<RecsysConfig>, history: HistoryStore, options: InProcessOptions = {}): RecommendPipeline {
  const sources = createSources(bundle, config.serving.sources);
  const engine = new RecallEngine(sources);
  const timeouts = sources.map((configured) => config.serving.sources[configured.source.id as keyof RecsysConfig['serving']['sources']].timeoutMs);
  const offline = options.deadlines === false;
  const port = options.rankPort !== undefined ? options.rankPort : config.rank.enabled ? createBundleRanker(bundle, config) : null;
  const { rank } = config;
  const stage = port === null ? undefined : new RankStage(port, {
    preRank: rank.preRank,
    timeoutMs: offline ? Number.POSITIVE_INFINITY : rank.timeoutMs,
    model: rank.model,
    retrievalPower: rank.fusion.retrievalPower,
    rankPower: rank.fusion.rankPower,
  });
  return new RecommendPipeline(bundle, engine, history, {
    recentHistory: config.serving.recentHistory,
    sourceWeights: new Map(sources.map((configured) => [configured.source.id, configured.weight])),
    rrfK: config.serving.merge.rrfK,
    sourceTimeoutMs: offline ? Number.POSITIVE_INFINITY : Math.max(...timeouts, 1),
  }, stage);
}
