import type { Logger } from 'pino';
import type { RecsysConfig } from '../../lib/config/schema.js';
import { RecsysError } from '../../lib/domain/errors.js';
import { EmbeddedBundleStore } from '../../lib/stores/bundle/embedded-bundle-store.js';
import { loadServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import { ortSessionOptionsFromConfig } from '../../lib/onnx/ort-session.js';
import { openHistoryStore, openSimilarityStore } from '../../lib/stores/store-uri.js';
import { openVectorIndex } from '../../lib/stores/vectors/vector-store-uri.js';
import { startServer, type RunningServer } from './grpc-server.js';
import { watchBundlePointer } from './bundle-watcher.js';
import { ServingMetrics } from './metrics.js';
import { startMetricsServer } from './metrics-http.js';
import type { ServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import { EmbeddedHistoryStore } from '../../lib/stores/features/embedded-history-store.js';

export const NO_BUNDLE_HINT = 'no bundle published yet: run `npm run train` (or `npm run demo`) first';

/**
 * Loads the current bundle from the configured store and starts a server of the configured
 * role (serving.role). Only roles that serve Recommend (all, recommend) open the history store:
 * recall and rank take the user's history in each request.
 */
export async function serveCurrentBundle(config: Readonly<RecsysConfig>, log: Logger): Promise<RunningServer & { readonly metricsPort: number | null }> {
  const store = new EmbeddedBundleStore(config.bundle.root);
  const version = await store.current();
  if (version === null) throw new RecsysError('RECSYS_ERR_BUNDLE_MISSING', `${NO_BUNDLE_HINT} (looked in ${config.bundle.root})`);
  const bundle = await openBundle(config, store, version);
  const servesRecommend = config.serving.role === 'all' || config.serving.role === 'recommend';
  const history = servesRecommend
    ? await openHistoryStore(config.stores.history, {
        feedbackLog: config.stores.feedbackLog,
        fsync: config.stores.feedbackFsync,
        fsyncIntervalMs: config.stores.feedbackFsyncMs,
      })
    : new EmbeddedHistoryStore();
  log.info({ similarity: bundle.similarity.backend, history: history.backend }, 'stores opened');
  const metrics = new ServingMetrics();
  const server = await startServer({ config, bundle, history, host: config.serving.host, port: config.serving.port, log, metrics });
  const { enabled, host: metricsHost, port: metricsPort } = config.serving.metrics;
  const metricsServer = enabled ? await startMetricsServer(metrics, metricsHost, metricsPort) : null;
  if (metricsServer) log.info({ port: metricsServer.port }, 'metrics on /metrics');
  const watcher = config.serving.reloadIntervalMs === 0 ? null : watchBundlePointer({
    store,
    servedVersion: () => server.state().bundle.version,
    load: async (next) => {
      await server.swapBundle(await openBundle(config, store, next));
    },
    intervalMs: config.serving.reloadIntervalMs,
    log,
  });
  return {
    ...server,
    metricsPort: metricsServer?.port ?? null,
    stop: async (graceSeconds) => {
      watcher?.stop();
      await server.stop(graceSeconds);
      await metricsServer?.close();
    },
  };
}

/** Loads and verifies a bundle version; i2i rows and item vectors come from the configured stores at that same version. */
async function openBundle(config: Readonly<RecsysConfig>, store: EmbeddedBundleStore, version: string): Promise<ServingBundle> {
  const loaded = await loadServingBundle(store, version, { efSearch: config.stores.vectors.efSearch, ort: ortSessionOptionsFromConfig(config.onnx) });
  const similarity = await openSimilarityStore(config.stores.similarity, loaded.similarity, { version });
  const vectors = await openVectorIndex(config.stores.vectors, loaded.vectors, version);
  return similarity === loaded.similarity && vectors === loaded.vectors ? loaded : { ...loaded, similarity, vectors };
}

/** Resolves when SIGTERM or SIGINT arrives, after draining in-flight calls. */
export function drainOnSignal(server: RunningServer, graceSeconds: number, log: Logger): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      log.info({ signal, graceSeconds }, 'draining');
      void server.stop(graceSeconds).then(() => {
        log.info('stopped');
        resolve(signal);
      });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
