import type { RecsysConfig } from '../../lib/config/schema.js';
import type { ServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import type { HistoryStore } from '../../lib/stores/features/history-store.js';
import { RecallEngine } from '../recall/recall-engine.js';
import { createSources } from '../recall/sources/registry.js';
import { RecommendPipeline } from '../recommend/recommend-pipeline.js';

export interface InProcessOptions {
  /** Disable per-source deadlines (offline evaluation measures quality, not latency). */
  readonly deadlines?: boolean;
}

/**
 * The all-in-one wiring of recall and recommend for one bundle. The server and the offline
 * evaluator both build their pipeline here, so they run the same code.
 */
export function createInProcessPipeline(bundle: ServingBundle, config: Readonly<RecsysConfig>, history: HistoryStore, options: InProcessOptions = {}): RecommendPipeline {
  const sources = createSources(bundle, config.serving.sources);
  const engine = new RecallEngine(sources);
  const timeouts = sources.map((configured) => config.serving.sources[configured.source.id as keyof RecsysConfig['serving']['sources']].timeoutMs);
  return new RecommendPipeline(bundle, engine, history, {
    recentHistory: config.serving.recentHistory,
    sourceWeights: new Map(sources.map((configured) => [configured.source.id, configured.weight])),
    rrfK: config.serving.merge.rrfK,
    sourceTimeoutMs: options.deadlines === false ? Number.POSITIVE_INFINITY : Math.max(...timeouts, 1),
  });
}
