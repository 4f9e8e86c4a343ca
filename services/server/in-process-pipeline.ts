import type { RecsysConfig } from '../../lib/config/schema.js';
import type { ServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import type { HistoryStore } from '../../lib/stores/features/history-store.js';
import { RecallEngine } from '../recall/recall-engine.js';
import { createSources, type ConfiguredSource } from '../recall/sources/registry.js';
import { RecommendPipeline, type RecallPort } from '../recommend/recommend-pipeline.js';

export interface InProcessOptions {
  /** Disable per-source deadlines (offline evaluation measures quality, not latency). */
  readonly deadlines?: boolean;
  /** Recall to use instead of an in-process engine over the bundle (role recommend: the recall role over gRPC). */
  readonly recall?: RecallPort;
}

/** The bundle's configured recall sources, each with its own deadline (none when `deadlines` is false). */
export function createRecallEngine(bundle: ServingBundle, config: Readonly<RecsysConfig>, options: { deadlines?: boolean; adjustSources?: ((sources: ConfiguredSource[]) => ConfiguredSource[]) | undefined } = {}): RecallEngine {
  let sources = createSources(bundle, config.serving.sources);
  if (options.deadlines === false) sources = sources.map(({ source, limit, weight }) => ({ source, limit, weight }));
  return new RecallEngine(options.adjustSources ? options.adjustSources(sources) : sources);
}

/**
 * The all-in-one wiring of recall and recommend for one bundle. The server and the offline
 * evaluator both build their pipeline here, so they run the same code.
 */
export function createInProcessPipeline(bundle: ServingBundle, config: Readonly<RecsysConfig>, history: HistoryStore, options: InProcessOptions = {}): RecommendPipeline {
  const recall = options.recall ?? createRecallEngine(bundle, config, options);
  // The cap on the recall stage: the slowest source deadline (of the engine's sources when in process, else the config's).
  const timeouts = recall instanceof RecallEngine ? recall.sources.map((configured) => configured.timeoutMs ?? 0) : Object.values(config.serving.sources).filter((block) => block.enabled).map((block) => block.timeoutMs);
  const sourceWeights = new Map(Object.entries(config.serving.sources).filter(([, block]) => block.enabled).map(([id, block]) => [id, block.weight]));
  return new RecommendPipeline(bundle, recall, history, {
    recentHistory: config.serving.recentHistory,
    sourceWeights,
    rrfK: config.serving.merge.rrfK,
    mergeStrategy: config.serving.merge.strategy,
    sourceTimeoutMs: options.deadlines === false ? Number.POSITIVE_INFINITY : Math.max(...timeouts, 1),
  });
}
