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
    let published = '';
    const publishing = buildBundle({ data: buildTrainingData(dataset), validation: recentHoldout(dataset), config: tiny.config, store: tiny.store, progress: silentProgress }).then((manifest) => {
      published = manifest.version;
    });
    // Keep 20 calls in flight until at least 200 have been made and the swap has happened.
    const versions: string[] = [];
    // The new bundle trains its rankers in this process (rank job), so publishing takes longer than the i2i jobs alone.
    const deadline = Date.now() + 60_000;
    let issued = 0;
    while (issued < 200 || published === '' || server.state().bundle.version !== published) {
      assert.ok(Date.now() < deadline, 'the new bundle was not picked up within 60 s');
      const batch = Array.from({ length: 20 }, (_, k) => client.recommend({ user_id: userIds[(issued + k) % userIds.length]!, count: 10 }));
      issued += batch.length;
      for (const response of await Promise.all(batch)) versions.push(response.serving?.bundle_version ?? '');
    }
    await publishing;
    assert.ok(versions.length >= 200);
    for (const version of versions) assert.ok(version === tiny.version || version === published, version);
    const after = await Promise.all(userIds.slice(0, 20).map((user) => client.recommend({ user_id: user, count: 5 })));
    for (const response of after) assert.equal(response.serving?.bundle_version, published);
  });
});
