import { createHash } from 'node:crypto';
import { RecsysError } from '../../../lib/domain/errors.js';
import type { MergeParams, MergeStrategyId } from '../merge/merge-strategy.js';
import type { DiversityParams } from '../rerank/genre-diversity.js';
import type { SceneFile } from './scene-file.js';

/** What one call runs with, after its scene's layers have each picked an experiment. */
export interface ExperimentParams {
  /** Recall sources to run; null = every enabled source. */
  readonly sources: readonly string[] | null;
  readonly merge: MergeParams;
  readonly diversity: DiversityParams;
  /** Ranker model for the rank stage; '' = its default. */
  readonly rankerModel: string;
}

export interface ResolvedExperiment {
  readonly scene: string;
  /** "layer/experiment" per layer, in layer order. */
  readonly experiments: readonly string[];
  readonly params: ExperimentParams;
}

/** The serving config's values: what an experiment that sets nothing runs with. */
export interface BaseParams {
  readonly weights: ReadonlyMap<string, number>;
  readonly rrfK: number;
  readonly strategy: MergeStrategyId;
}

/**
 * The user's bucket in a layer: the first 32 bits of SHA-256(user id + salt) as a fraction in
 * [0, 1). Stable across processes and restarts; independent between layers with different salts.
 */
export function bucketOf(userId: string, salt: string): number {
  return createHash('sha256').update(userId).update(salt).digest().readUInt32BE(0) / 2 ** 32;
}

/** The scenes a server knows, and how a call's experiment is chosen. */
export class SceneCatalogue {
  private readonly byName: ReadonlyMap<string, SceneFile>;

  constructor(
    scenes: readonly SceneFile[],
    private readonly base: BaseParams,
  ) {
    this.byName = new Map(scenes.map((scene) => [scene.scene, scene]));
  }

  /** One scene per name, each a single layer with a single experiment "default" that changes nothing. */
  static plain(names: readonly string[], base: BaseParams): SceneCatalogue {
    return new SceneCatalogue(
      names.map((scene) => ({ scene, layers: [{ name: 'default', salt: scene, experiments: [{ name: 'default', traffic: 1, params: {} }] }] })),
      base,
    );
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  /**
   * Picks one experiment per layer (bucketing, or `force`: comma-separated experiment names of
   * this scene, for debugging) and folds their parameters over the base, later layers winning.
   */
  resolve(sceneName: string, userId: string, force: string): ResolvedExperiment {
    const scene = this.byName.get(sceneName);
    if (!scene) throw new RecsysError('RECSYS_ERR_REQUEST_UNKNOWN_SCENE', `scene: unknown scene "${sceneName.slice(0, 64)}" (known: ${this.names.join(', ')})`, { field: 'scene' });
    const forced = force === '' ? [] : force.split(',').map((entry) => entry.trim());
    for (const name of forced) {
      if (!scene.layers.some((layer) => layer.experiments.some((experiment) => experiment.name === name))) {
        throw new RecsysError('RECSYS_ERR_REQUEST_INVALID', `force_experiment: scene "${scene.scene}" has no experiment "${name.slice(0, 64)}"`, { field: 'force_experiment' });
      }
    }
    const weights = new Map(this.base.weights);
    const quotas = new Map<string, number>();
    let sources: readonly string[] | null = null;
    let strategy = this.base.strategy;
    let rrfK = this.base.rrfK;
    let diversity: DiversityParams = { strategy: 'none' };
    let rankerModel = '';
    const chosen: string[] = [];
    for (const layer of scene.layers) {
      let experiment = layer.experiments.find((candidate) => forced.includes(candidate.name));
      if (!experiment) {
        // A first experiment with all the traffic takes every bucket: no hash needed (the plain scenes' case).
        const bucket = layer.experiments[0]!.traffic >= 1 ? 0 : bucketOf(userId, layer.salt);
        let upper = 0;
        experiment = layer.experiments.find((candidate) => bucket < (upper += candidate.traffic)) ?? layer.experiments[layer.experiments.length - 1]!;
      }
      chosen.push(`${layer.name}/${experiment.name}`);
      const { params } = experiment;
      if (params.sources) sources = params.sources;
      for (const [source, quota] of Object.entries(params.quotas ?? {})) quotas.set(source, quota);
      for (const [source, weight] of Object.entries(params.weights ?? {})) weights.set(source, weight);
      if (params.merge) {
        strategy = params.merge.strategy;
        rrfK = params.merge.rrfK ?? rrfK;
      }
      if (params.diversity) diversity = params.diversity;
      if (params.rankerModel !== undefined) rankerModel = params.rankerModel;
    }
    return { scene: scene.scene, experiments: chosen, params: { sources, merge: { strategy, rrfK, weights, quotas }, diversity, rankerModel } };
  }
}
