import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../lib/config/load-config.js';
import { loadDataset } from '../../offline/data/index.js';
import { buildBundle } from '../../offline/build-bundle.js';
import { buildTrainingData } from '../../offline/jobs/training-data.js';
import { recentHoldout } from '../../offline/jobs/validation-set.js';
import { silentProgress } from '../../offline/progress.js';
import { serveCurrentBundle } from '../../services/server/serve.js';
import type { RunningServer } from '../../services/server/grpc-server.js';
import { RecommendClient } from '../../services/server/recommend-client.js';
import { createLogger } from '../../lib/logger.js';
import { makeTinyBundle, type TinyBundle } from '../support/tiny-bundle.js';

void describe('hot reload of a new bundle version', () => {
  let tiny: TinyBundle;
  let server: RunningServer;
  let client: RecommendClient;

  before(async () => {
    tiny = await makeTinyBundle();
    const config = parseConfig({ ...tiny.config, serving: { ...tiny.config.serving, host: '127.0.0.1', port: 0, reloadIntervalMs: 20 }, stores: { ...tiny.config.stores, feedbackLog: '' } });
    server = await serveCurrentBundle(config, createLogger('hot-reload-test', 'silent'));
    client = new RecommendClient(`127.0.0.1:${server.port}`);
  });

  after(async () => {
    client.close();
    await server.stop(2);
    await tiny.cleanup();
  });

  void it('swaps during 200 concurrent calls with zero failures, and later calls see the new version', async () => {
    const { dataset } = await loadDataset(tiny.config.data.synthetic.dir);
    const userIds = [...server.state().bundle.userIndex.keys()];
    // The new version is built first (it trains a two-tower and rankers, slow on a loaded
    // machine) and published by flipping CURRENT while the calls are in flight.
    const built = await buildBundle({ data: buildTrainingData(dataset), validation: recentHoldout(dataset), config: tiny.config, store: tiny.store, progress: silentProgress, makeCurrent: false });
    let published = '';
    const publishing = new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        tiny.store.setCurrent(built.version).then(() => {
          published = built.version;
          resolve();
        }, reject);
      }, 300);
    });
    // 200 workers, each with one call in flight at all times, until every worker has finished a
    // call it started after the swap: the swap happens with 200 calls in flight.
    const swapped = (): boolean => published !== '' && server.state().bundle.version === published;
    const calls: { version: string; startedAfterSwap: boolean }[] = [];
    const failures: string[] = [];
    const deadline = Date.now() + 60_000;
    const worker = async (w: number): Promise<void> => {
      for (let k = 0; ; k++) {
        if (Date.now() > deadline) throw new Error('the new bundle was not picked up within 60 s');
        const startedAfterSwap = swapped();
        try {
          const response = await client.recommend({ user_id: userIds[(w * 7 + k) % userIds.length]!, count: 10 });
          calls.push({ version: response.serving?.bundle_version ?? '', startedAfterSwap });
        } catch (error) {
          failures.push(String(error));
        }
        if (startedAfterSwap) return;
      }
    };
    await Promise.all(Array.from({ length: 200 }, (_, w) => worker(w)));
    await publishing;
    assert.deepEqual(failures, [], 'zero failed calls');
    assert.ok(calls.some((call) => call.version === tiny.version), 'calls ran on the old bundle');
    const later = calls.filter((call) => call.startedAfterSwap);
    assert.equal(later.length, 200);
    for (const call of later) assert.equal(call.version, published, 'a call started after the swap reports the new version');
    for (const call of calls) assert.ok(call.version === tiny.version || call.version === published, call.version);
    const after = await Promise.all(userIds.slice(0, 20).map((user) => client.recommend({ user_id: user, count: 5 })));
    for (const response of after) assert.equal(response.serving?.bundle_version, published);
  });
});
