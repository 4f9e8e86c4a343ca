import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { parseConfig } from '../../../lib/config/load-config.js';
import { benchConfig, setIfPresent } from '../../../bench/serve/bench-config.js';

void describe('benchConfig', () => {
  void it('turns every source on with the candidate limit, serves on an ephemeral loopback port, and is still a valid config', () => {
    const base = parseConfig({ serving: { sources: { swing: { enabled: false } }, port: 6000 } });
    const config = benchConfig(base, { candidates: 2000, count: 20, bundleRoot: '/tmp/b' });
    for (const block of Object.values(config.serving.sources)) {
      assert.equal(block.enabled, true);
      assert.equal(block.limit, 2000);
    }
    assert.equal(config.jobs.popular.limit, 2000);
    assert.equal(config.serving.port, 0);
    assert.equal(config.serving.host, '127.0.0.1');
    assert.equal(config.serving.metrics.enabled, false);
    assert.equal(config.bundle.root, '/tmp/b');
    assert.equal(base.serving.sources.swing.enabled, false, 'base untouched');
    assert.deepEqual(parseConfig(JSON.parse(JSON.stringify(config))), config);
  });

  void it('sets a pre-rank count only where the config has that key', () => {
    const config = { rank: { preRank: 100 }, serving: {} };
    assert.equal(setIfPresent(config, ['rank', 'preRank'], 500), true);
    assert.equal(config.rank.preRank, 500);
    assert.equal(setIfPresent(config, ['serving', 'rank', 'preRank'], 500), false);
    assert.deepEqual(config.serving, {});
  });
});
