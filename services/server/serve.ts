import type { Logger } from 'pino';
import type { RecsysConfig } from '../../lib/config/schema.js';
import { RecsysError } from '../../lib/domain/errors.js';
import { EmbeddedBundleStore } from '../../lib/stores/bundle/embedded-bundle-store.js';
import { loadServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import { openHistoryStore, openSimilarityStore } from '../../lib/stores/store-uri.js';
import { startServer, type RunningServer } from './grpc-server.js';

export const NO_BUNDLE_HINT = 'no bundle published yet: run `npm run train` (or `npm run demo`) first';

/** Loads the current bundle from the configured store and starts the all-in-one server. */
export async function serveCurrentBundle(config: Readonly<RecsysConfig>, log: Logger): Promise<RunningServer> {
  const store = new EmbeddedBundleStore(config.bundle.root);
  const version = await store.current();
  if (version === null) throw new RecsysError('RECSYS_ERR_BUNDLE_MISSING', `${NO_BUNDLE_HINT} (looked in ${config.bundle.root})`);
  const loaded = await loadServingBundle(store, version);
  // Rows are read at the bundle's own version, so item indices always match its catalogue.
  const similarity = await openSimilarityStore(config.stores.similarity, loaded.similarity, { version });
  const bundle = similarity === loaded.similarity ? loaded : { ...loaded, similarity };
  const history = await openHistoryStore(config.stores.history);
  log.info({ similarity: similarity.backend, history: history.backend }, 'stores opened');
  return startServer({ config, bundle, history, host: config.serving.host, port: config.serving.port, log });
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
