import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { RecsysError, errorMessage } from '../../../lib/domain/errors.js';

const name = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'expected a lowercase name: [a-z0-9_-], at most 64 characters');
const positiveInt = z.number().int().positive();

/** Typed experiment parameters; every key optional (absent = the serving config's value or the previous layer's). */
export const experimentParamsSchema = z
  .object({
    /** Recall sources to run (a subset of the enabled ones). */
    sources: z.array(z.string().min(1)).min(1).optional(),
    /** Most candidates each source contributes to the merge. */
    quotas: z.record(z.string(), positiveInt.max(10_000)).optional(),
    /** Merge weights per source (override serving.sources.<id>.weight). */
    weights: z.record(z.string(), z.number().nonnegative()).optional(),
    merge: z
      .object({
        strategy: z.enum(['rrf', 'max', 'weighted-sum']),
        rrfK: z.number().nonnegative().optional(),
      })
      .strict()
      .optional(),
    diversity: z
      .discriminatedUnion('strategy', [
        z.object({ strategy: z.literal('none') }).strict(),
        z.object({ strategy: z.literal('mmr'), lambda: z.number().min(0).max(1).default(0.7), window: positiveInt.max(5000).default(100) }).strict(),
        z.object({ strategy: z.literal('max-per-genre'), maxPerGenre: positiveInt.default(2), window: positiveInt.max(5000).default(100) }).strict(),
      ])
      .optional(),
    /** Ranker model the rank stage uses for this experiment ('' = its default). */
    rankerModel: z.string().max(64).optional(),
  })
  .strict();

export type ExperimentParamsDocument = z.infer<typeof experimentParamsSchema>;

const experimentSchema = z
  .object({
    name,
    /** Share of the layer's users, 0..1; a layer's shares sum to 1. */
    traffic: z.number().min(0).max(1),
    params: experimentParamsSchema.prefault({}),
  })
  .strict();

const layerSchema = z
  .object({
    name,
    /** Users are bucketed by SHA-256(user id + salt): a new salt reshuffles the layer. */
    salt: z.string().min(1).max(128),
    experiments: z.array(experimentSchema).min(1),
  })
  .strict()
  .superRefine((layer, context) => {
    const total = layer.experiments.reduce((sum, experiment) => sum + experiment.traffic, 0);
    if (Math.abs(total - 1) > 1e-9) context.addIssue({ code: 'custom', path: ['experiments'], message: `traffic shares must sum to 1 (got ${total})` });
  });

export const sceneFileSchema = z
  .object({
    scene: name,
    layers: z.array(layerSchema).min(1),
  })
  .strict()
  .superRefine((scene, context) => {
    const seen = new Set<string>();
    scene.layers.forEach((layer, l) => {
      layer.experiments.forEach((experiment, e) => {
        if (seen.has(experiment.name)) context.addIssue({ code: 'custom', path: ['layers', l, 'experiments', e, 'name'], message: `experiment "${experiment.name}" is defined twice in this scene` });
        seen.add(experiment.name);
      });
    });
  });

export type SceneFile = z.infer<typeof sceneFileSchema>;

function invalid(origin: string, message: string, field?: string): RecsysError {
  return new RecsysError('RECSYS_ERR_CONFIG_INVALID', `${origin}: ${message}`, field === undefined ? {} : { field });
}

/** Validates one parsed scene document; messages name the file and the key path. Source ids are checked against `sources`. */
export function parseSceneFile(document: unknown, origin: string, sources: readonly string[]): SceneFile {
  const result = sceneFileSchema.safeParse(document);
  if (!result.success) {
    const pathOf = (issue: (typeof result.error.issues)[number]): string => {
      const path = issue.path.map(String);
      if ('keys' in issue && Array.isArray(issue.keys) && issue.keys.length > 0) path.push(issue.keys.map(String).join(','));
      return path.join('.');
    };
    throw invalid(origin, result.error.issues.map((issue) => `${pathOf(issue)}: ${issue.message}`).join('; '), pathOf(result.error.issues[0]!));
  }
  const scene = result.data;
  scene.layers.forEach((layer, l) => {
    layer.experiments.forEach((experiment, e) => {
      const at = `layers.${l}.experiments.${e}.params`;
      const check = (key: string, ids: readonly string[]): void => {
        ids.forEach((id, i) => {
          if (!sources.includes(id)) throw invalid(origin, `${at}.${key}.${key === 'sources' ? i : id}: unknown or disabled source "${id}" (enabled: ${sources.join(', ')})`, `${at}.${key}`);
        });
      };
      check('sources', experiment.params.sources ?? []);
      check('quotas', Object.keys(experiment.params.quotas ?? {}));
      check('weights', Object.keys(experiment.params.weights ?? {}));
    });
  });
  return scene;
}

/** Every *.yaml / *.yml scene file of a directory, validated; scene names must be unique. */
export function loadSceneFiles(dir: string, sources: readonly string[]): SceneFile[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((file) => /\.ya?ml$/.test(file)).sort();
  } catch (error) {
    throw invalid('serving.scenesDir', `cannot read ${dir}: ${errorMessage(error)}`, 'serving.scenesDir');
  }
  if (names.length === 0) throw invalid('serving.scenesDir', `no *.yaml scene files in ${dir}`, 'serving.scenesDir');
  const scenes: SceneFile[] = [];
  for (const file of names) {
    const path = join(dir, file);
    let document: unknown;
    try {
      document = parseYaml(readFileSync(path, 'utf8'));
    } catch (error) {
      throw invalid(path, `not valid YAML: ${errorMessage(error)}`);
    }
    const scene = parseSceneFile(document, path, sources);
    if (scenes.some((other) => other.scene === scene.scene)) throw invalid(path, `scene: "${scene.scene}" is defined by another file too`, 'scene');
    scenes.push(scene);
  }
  return scenes;
}
