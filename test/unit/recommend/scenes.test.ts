import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RecsysError } from '../../../lib/domain/errors.js';
import { packageRoot } from '../../../lib/config/load-config.js';
import { bucketOf, SceneCatalogue } from '../../../services/recommend/experiments/scene-catalogue.js';
import { loadSceneFiles, parseSceneFile } from '../../../services/recommend/experiments/scene-file.js';

const SOURCES = ['item-cf', 'swing', 'popular'];
const BASE = { weights: new Map([['item-cf', 1], ['swing', 0.1], ['popular', 0.01]]), rrfK: 60, strategy: 'rrf' as const };

const SCENE = {
  scene: 'home',
  layers: [
    { name: 'recall', salt: 's1', experiments: [{ name: 'control', traffic: 0.3 }, { name: 'swing-only', traffic: 0.7, params: { sources: ['swing', 'popular'], weights: { swing: 2 }, quotas: { popular: 10 }, merge: { strategy: 'max' } } }] },
    { name: 'rerank', salt: 's2', experiments: [{ name: 'plain', traffic: 0.5 }, { name: 'mmr', traffic: 0.5, params: { diversity: { strategy: 'mmr' }, rankerModel: 'gbdt' } }] },
  ],
};

function configError(path: string): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof RecsysError && error.code === 'RECSYS_ERR_CONFIG_INVALID', String(error));
    assert.ok(error.message.includes(path), `"${error.message}" should name ${path}`);
    return true;
  };
}

void describe('scene files', () => {
  void it('validate with messages naming the file and the bad key', () => {
    assert.throws(() => parseSceneFile({ ...SCENE, extra: 1 }, 'home.yaml', SOURCES), configError('home.yaml: extra'));
    const badTraffic = structuredClone(SCENE);
    badTraffic.layers[0]!.experiments[0]!.traffic = 0.5;
    assert.throws(() => parseSceneFile(badTraffic, 'home.yaml', SOURCES), configError('layers.0.experiments: traffic shares must sum to 1'));
    const badSource = structuredClone(SCENE) as unknown as { layers: { experiments: { params: { sources: string[] } }[] }[] };
    badSource.layers[0]!.experiments[1]!.params.sources = ['swing', 'two-tower'];
    assert.throws(() => parseSceneFile(badSource, 'home.yaml', SOURCES), configError('layers.0.experiments.1.params.sources.1: unknown or disabled source "two-tower"'));
    const badKey = structuredClone(SCENE) as unknown as { layers: { experiments: { params?: Record<string, unknown> }[] }[] };
    badKey.layers[1]!.experiments[1]!.params = { diversity: { strategy: 'mmr', lambda: 2 } };
    assert.throws(() => parseSceneFile(badKey, 'home.yaml', SOURCES), configError('layers.1.experiments.1.params.diversity.lambda'));
    const twice = structuredClone(SCENE);
    twice.layers[1]!.experiments[0]!.name = 'control';
    assert.throws(() => parseSceneFile(twice, 'home.yaml', SOURCES), configError('defined twice'));
  });

  void it('the shipped configs/scenes files are valid against the default sources', () => {
    const scenes = loadSceneFiles(join(packageRoot(), 'configs', 'scenes'), SOURCES);
    assert.deepEqual(scenes.map((scene) => scene.scene), ['default', 'home']);
  });
});

void describe('experiment bucketing', () => {
  const catalogue = new SceneCatalogue([parseSceneFile(SCENE, 'home.yaml', SOURCES)], BASE);

  void it('is SHA-256 of user id + salt, stable, and splits traffic by the shares', () => {
    assert.equal(bucketOf('u1', 's1'), bucketOf('u1', 's1'));
    assert.notEqual(bucketOf('u1', 's1'), bucketOf('u1', 's2'));
    let control = 0;
    let both = 0;
    const n = 20_000;
    for (let u = 0; u < n; u++) {
      const { experiments } = catalogue.resolve('home', `user-${u}`, '');
      if (experiments[0] === 'recall/control') control++;
      if (experiments[0] === 'recall/control' && experiments[1] === 'rerank/plain') both++;
    }
    assert.ok(Math.abs(control / n - 0.3) < 0.015, `control share ${control / n}`);
    assert.ok(Math.abs(both / n - 0.15) < 0.015, `layers are independent: ${both / n}`);
  });

  void it('folds the chosen experiments\' parameters over the base config', () => {
    const resolved = catalogue.resolve('home', 'anyone', 'swing-only,mmr');
    assert.deepEqual(resolved.experiments, ['recall/swing-only', 'rerank/mmr']);
    const { params } = resolved;
    assert.deepEqual(params.sources, ['swing', 'popular']);
    assert.equal(params.merge.strategy, 'max');
    assert.equal(params.merge.rrfK, 60);
    assert.deepEqual([...params.merge.weights], [['item-cf', 1], ['swing', 2], ['popular', 0.01]]);
    assert.deepEqual([...(params.merge.quotas ?? [])], [['popular', 10]]);
    assert.deepEqual(params.diversity, { strategy: 'mmr', lambda: 0.7, window: 100 });
    assert.equal(params.rankerModel, 'gbdt');
    const plain = catalogue.resolve('home', 'anyone', 'control,plain').params;
    assert.equal(plain.sources, null);
    assert.deepEqual(plain.diversity, { strategy: 'none' });
    assert.equal(plain.merge.strategy, 'rrf');
  });

  void it('rejects an unknown scene or forced experiment, naming the field', () => {
    assert.throws(() => catalogue.resolve('nope', 'u', ''), (error: unknown) => error instanceof RecsysError && error.field === 'scene');
    assert.throws(() => catalogue.resolve('home', 'u', 'nope'), (error: unknown) => error instanceof RecsysError && error.field === 'force_experiment');
  });

  void it('plain catalogues give every named scene one default experiment', () => {
    const plain = SceneCatalogue.plain(['default', 'other'], BASE);
    assert.deepEqual(plain.names, ['default', 'other']);
    assert.deepEqual(plain.resolve('other', 'u', '').experiments, ['default/default']);
  });
});
