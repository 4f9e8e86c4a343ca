import { isAbsolute, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RecsysConfig } from '../../lib/config/schema.js';
import { packageRoot } from '../../lib/config/load-config.js';
import { SceneCatalogue } from '../recommend/experiments/scene-catalogue.js';
import { loadSceneFiles } from '../recommend/experiments/scene-file.js';

/**
 * The scene catalogue of a config, validated once at start: the scene files of
 * serving.scenesDir (relative paths: from the working directory, else the package root), or one
 * plain scene per name of serving.scenes.
 */
export function sceneCatalogueOf(config: Readonly<RecsysConfig>): SceneCatalogue {
  const enabled = Object.entries(config.serving.sources).filter(([, block]) => block.enabled);
  const base = { weights: new Map(enabled.map(([id, block]) => [id, block.weight])), rrfK: config.serving.merge.rrfK, strategy: config.serving.merge.strategy };
  const dir = config.serving.scenesDir;
  if (dir === '') return SceneCatalogue.plain(config.serving.scenes, base);
  const path = isAbsolute(dir) || existsSync(resolve(dir)) ? resolve(dir) : join(packageRoot(), dir);
  return new SceneCatalogue(loadSceneFiles(path, enabled.map(([id]) => id)), base);
}
