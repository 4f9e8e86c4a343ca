import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse as parseYaml } from 'yaml';

import { RecsysError } from '../../../lib/domain/errors.js';
import { loadConfig, packageRoot, parseConfig } from '../../../lib/config/load-config.js';
import { ENV_TABLE } from '../../../lib/config/env.js';
import type { RecsysConfig } from '../../../lib/config/schema.js';

/** The repository's documented defaults (absolute path; packageRoot falls back to cwd). */
const YAML_PATH = join(packageRoot(), 'configs', 'recsys.yaml');

function invalid(pathInMessage: string, field?: string): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof RecsysError, `expected RecsysError, got ${String(error)}`);
    assert.equal(error.code, 'RECSYS_ERR_CONFIG_INVALID');
    assert.ok(error.message.includes(`${pathInMessage}:`), `message "${error.message}" should name ${pathInMessage}`);
    if (field !== undefined) assert.equal(error.field, field);
    return true;
  };
}

/** Dotted paths of every leaf (non-object value; arrays are leaves) of a document. */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, prefix === '' ? key : `${prefix}.${key}`));
}

/** Asserts that `actual` has (at least) the given keys with the given values. */
function assertHas(actual: object, expected: Record<string, unknown>, what: string): void {
  for (const [key, value] of Object.entries(expected)) assert.deepEqual((actual as Record<string, unknown>)[key], value, `${what}.${key}`);
}

async function withYaml(text: string, body: (path: string) => void): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'recsys-config-'));
  try {
    const path = join(dir, 'recsys.yaml');
    await writeFile(path, text);
    body(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

void describe('config defaults', () => {
  void it('configs/recsys.yaml loads to exactly the schema defaults', () => {
    assert.deepEqual(loadConfig({ path: YAML_PATH, env: {} }), parseConfig({}));
  });

  void it('configs/recsys.yaml spells out every key (none left to schema defaults)', () => {
    const raw: unknown = parseYaml(readFileSync(YAML_PATH, 'utf8'));
    const documented = new Set(leafPaths(raw));
    const missing = leafPaths(parseConfig({})).filter((path) => !documented.has(path));
    assert.deepEqual(missing, [], `keys missing from ${YAML_PATH}`);
  });

  void it('parseConfig({}) and parseConfig(undefined) give the documented defaults', () => {
    const config = parseConfig(undefined);
    assert.deepEqual(config, parseConfig({}));
    assert.equal(config.serving.port, 50051);
    assert.equal(config.serving.host, '0.0.0.0');
    assert.equal(config.serving.maxCount, 1000);
    assert.equal(config.serving.merge.rrfK, 60);
    assert.deepEqual(config.serving.scenes, ['default']);
    assertHas(config.serving.sources['item-cf'], { enabled: true, limit: 500, weight: 1, timeoutMs: 30, triggers: 500, table: 'item-cf-target' }, 'item-cf');
    assertHas(config.serving.sources.popular, { enabled: true, limit: 500, weight: 0.01, timeoutMs: 30 }, 'popular');
    assertHas(config.jobs.popular, { limit: 1000, perGenre: 200 }, 'jobs.popular');
    assertHas(config.jobs['item-cf'], { neighbours: 100, minCooccurrence: 1 }, 'jobs.item-cf');
    assert.deepEqual(config.bundle, { root: 'var/bundles', keep: 5 });
    assert.deepEqual(config.split, { protocol: 'random-811', seed: 2026 });
  });

  void it('fills defaults around the keys a document sets', () => {
    const config = parseConfig({ serving: { sources: { popular: { weight: 0.5 } } } });
    assert.equal(config.serving.sources.popular.weight, 0.5);
    assert.equal(config.serving.sources.popular.limit, 500);
    assert.equal(config.serving.port, 50051);
  });

  void it('an empty YAML file loads as the defaults', () =>
    withYaml('', (path) => {
      assert.deepEqual(loadConfig({ path, env: {} }), parseConfig({}));
    }));
});

void describe('config validation', () => {
  void it('names the dotted path of an unknown key at any depth', () => {
    assert.throws(() => parseConfig({ serving: { sources: { 'item-cf': { bogus: 1 } } } }), invalid('serving.sources.item-cf.bogus'));
    assert.throws(() => parseConfig({ jobs: { popular: { perGenere: 5 } } }), invalid('jobs.popular.perGenere'));
    assert.throws(() => parseConfig({ serving: { sources: { 'no-such-source': {} } } }), invalid('serving.sources.no-such-source'));
    assert.throws(() => parseConfig({ bogus: true }), invalid('bogus'));
  });

  void it('sets `field` to the unknown key itself', () => {
    assert.throws(() => parseConfig({ serving: { sources: { 'item-cf': { bogus: 1 } } } }), invalid('serving.sources.item-cf.bogus', 'serving.sources.item-cf.bogus'));
    assert.throws(() => parseConfig({ bogus: true }), (error: unknown) => error instanceof RecsysError && error.field === 'bogus' && error.message.startsWith('config: bogus:'));
  });

  void it('names the path of a mistyped or out-of-range value in message and field', () => {
    assert.throws(() => parseConfig({ serving: { port: 'x' } }), invalid('serving.port', 'serving.port'));
    assert.throws(() => parseConfig({ serving: { port: 70_000 } }), invalid('serving.port', 'serving.port'));
    assert.throws(() => parseConfig({ serving: { sources: { popular: { weight: -1 } } } }), invalid('serving.sources.popular.weight', 'serving.sources.popular.weight'));
    assert.throws(() => parseConfig({ split: { protocol: 'leave-one-out' } }), invalid('split.protocol', 'split.protocol'));
    assert.throws(() => parseConfig({ serving: { scenes: [] } }), invalid('serving.scenes', 'serving.scenes'));
    assert.throws(() => parseConfig({ jobs: { 'item-cf': { neighbours: 1.5 } } }), invalid('jobs.item-cf.neighbours', 'jobs.item-cf.neighbours'));
  });

  void it('puts the origin first in the message', () => {
    assert.throws(() => parseConfig({ serving: { port: 'x' } }, 'my.yaml'), (error: unknown) => error instanceof RecsysError && error.message.startsWith('my.yaml: serving.port:'));
  });

  void it('loadConfig reports a YAML error, a missing file and a bad key as config errors', async () => {
    await withYaml('serving:\n  port: [unclosed\n', (path) => {
      assert.throws(() => loadConfig({ path, env: {} }), (error: unknown) => error instanceof RecsysError && error.code === 'RECSYS_ERR_CONFIG_INVALID');
    });
    await withYaml('serving:\n  port: x\n', (path) => {
      assert.throws(() => loadConfig({ path, env: {} }), invalid('serving.port', 'serving.port'));
    });
    assert.throws(() => loadConfig({ path: join(tmpdir(), 'recsys-no-such-dir', 'none.yaml'), env: {} }), (error: unknown) => error instanceof RecsysError && error.code === 'RECSYS_ERR_CONFIG_INVALID');
  });
});

void describe('config environment and freezing', () => {
  void it('RECSYS_PORT, RECSYS_HOST and RECSYS_BUNDLE_ROOT override the file', () => {
    const config = loadConfig({ path: YAML_PATH, env: { RECSYS_PORT: '6000', RECSYS_HOST: '127.0.0.1', RECSYS_BUNDLE_ROOT: '/srv/bundles' } });
    assert.equal(config.serving.port, 6000);
    assert.equal(config.serving.host, '127.0.0.1');
    assert.equal(config.bundle.root, '/srv/bundles');
    assert.equal(config.bundle.keep, 5);
    assert.deepEqual(Object.keys(ENV_TABLE).sort(), ['RECSYS_BUNDLE_ROOT', 'RECSYS_CONFIG', 'RECSYS_HOST', 'RECSYS_LOG_LEVEL', 'RECSYS_METRICS_PORT', 'RECSYS_PORT', 'RECSYS_STORES_HISTORY', 'RECSYS_STORES_SIMILARITY', 'RECSYS_STORES_VECTORS']);
  });

  void it('RECSYS_CONFIG picks the file when no path is given', () =>
    withYaml('serving:\n  port: 7001\n', (path) => {
      assert.equal(loadConfig({ env: { RECSYS_CONFIG: path } }).serving.port, 7001);
    }));

  void it('rejects a bad RECSYS_PORT naming it, and an out-of-range one naming serving.port', () => {
    assert.throws(() => loadConfig({ path: YAML_PATH, env: { RECSYS_PORT: 'x' } }), invalid('RECSYS_PORT', 'RECSYS_PORT'));
    assert.throws(() => loadConfig({ path: YAML_PATH, env: { RECSYS_PORT: '70000' } }), invalid('serving.port', 'serving.port'));
  });

  void it('applies override after env', () => {
    const config = loadConfig({
      path: YAML_PATH,
      env: { RECSYS_PORT: '6000' },
      override: (draft: RecsysConfig) => {
        draft.serving.port = 6001;
      },
    });
    assert.equal(config.serving.port, 6001);
  });

  void it('returns a deeply frozen config', () => {
    const config = loadConfig({ path: YAML_PATH, env: {} });
    for (const part of [config, config.serving, config.serving.sources, config.serving.sources['item-cf'], config.serving.scenes, config.jobs.popular]) {
      assert.ok(Object.isFrozen(part));
    }
    const writable = config as RecsysConfig;
    assert.throws(() => {
      writable.serving.port = 1;
    }, TypeError);
    assert.throws(() => {
      writable.serving.scenes.push('x');
    }, TypeError);
    assert.equal(config.serving.port, 50051);
  });
});
