import { watchFile, unwatchFile } from 'node:fs';
import type { Logger } from 'pino';
import { errorMessage } from '../../lib/domain/errors.js';
import type { EmbeddedBundleStore } from '../../lib/stores/bundle/embedded-bundle-store.js';

export interface BundleWatcher {
  /** Checks the pointer now (also runs on every poll). */
  check(): Promise<void>;
  stop(): void;
}

/**
 * Polls the bundle store's CURRENT pointer (a rename-replaced file, so polling its stat is
 * reliable where fs.watch is not) and calls `load(version)` when it names a version other
 * than the one being served. A failed load is logged and retried on the next change; the
 * server keeps the bundle it has.
 */
export function watchBundlePointer(options: {
  store: EmbeddedBundleStore;
  servedVersion: () => string;
  load: (version: string) => Promise<void>;
  intervalMs: number;
  log?: Logger | undefined;
}): BundleWatcher {
  let running: Promise<void> | null = null;
  let failedVersion: string | null = null;
  const check = async (): Promise<void> => {
    if (running) return running;
    running = (async () => {
      try {
        const version = await options.store.current();
        if (version === null || version === options.servedVersion() || version === failedVersion) return;
        options.log?.info({ version, from: options.servedVersion() }, 'loading new bundle');
        await options.load(version);
        failedVersion = null;
        options.log?.info({ version }, 'bundle swapped');
      } catch (error) {
        const version = await options.store.current().catch(() => null);
        failedVersion = version;
        options.log?.error({ version, err: errorMessage(error) }, 'new bundle rejected; keeping the current one');
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const listener = (): void => {
    void check();
  };
  watchFile(options.store.currentPointerPath, { interval: options.intervalMs, persistent: false }, listener);
  return {
    check,
    stop: () => {
      unwatchFile(options.store.currentPointerPath, listener);
    },
  };
}
