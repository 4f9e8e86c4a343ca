/**
 * The offline DAG: load → validate → (split → train-only bundle → evaluate) → jobs on all
 * data → publish one bundle version atomically, with the evaluation in its manifest.
 */
import type { RecsysConfig } from '../lib/config/schema.js';
import { EmbeddedBundleStore } from '../lib/stores/bundle/embedded-bundle-store.js';
import type { BundleManifest } from '../lib/stores/bundle/manifest.js';
import type { ProgressFactory } from './progress.js';
import type { ColumnMapping } from './data/loaders/generic-csv.loader.js';
import { resolveDataset } from './resolve-dataset.js';
import { makeSplit, type Protocol } from './make-split.js';
import { buildTrainingData } from './jobs/training-data.js';
import { recentHoldout } from './jobs/validation-set.js';
import { buildBundle } from './build-bundle.js';
import { publishToStores } from './publish-stores.js';
import { evaluate, type EvaluationReport } from './eval/evaluate.js';

export interface TrainOptions {
  readonly config: Readonly<RecsysConfig>;
  readonly dataPath?: string | undefined;
  readonly format?: RecsysConfig['data']['format'] | undefined;
  readonly columns?: ColumnMapping | undefined;
  /** Run only these jobs (the rest are copied from the current bundle). */
  readonly jobs?: readonly string[] | undefined;
  readonly evaluate: boolean;
  readonly protocol?: Protocol | undefined;
  readonly progress: ProgressFactory;
  readonly log: (line: string) => void;
}

export interface TrainResult {
  readonly manifest: BundleManifest;
  readonly evaluation: EvaluationReport | null;
  readonly removedVersions: readonly string[];
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  const { config, log } = options;
  const { dataset } = await resolveDataset(config, { path: options.dataPath, format: options.format, columns: options.columns, log });
  let evaluation: EvaluationReport | null = null;
  if (options.evaluate) {
    const split = await makeSplit(dataset, options.protocol ?? config.split.protocol, config.split.seed);
    evaluation = await evaluate({ dataset, split, config, progress: options.progress, log });
  }
  const store = new EmbeddedBundleStore(config.bundle.root);
  const manifest = await buildBundle({
    data: buildTrainingData(dataset),
    validation: recentHoldout(dataset),
    config,
    store,
    progress: options.progress,
    only: options.jobs,
    metrics: evaluation ? { protocol: evaluation.protocol, final: evaluation.final, merged: evaluation.merged, sources: evaluation.sources } : {},
    log,
  });
  await publishToStores(config, store, manifest, log);
  const removedVersions = await store.prune(config.bundle.keep);
  log(`published bundle ${manifest.version} to ${config.bundle.root} (${Object.keys(manifest.artifacts).length} artifacts)`);
  return { manifest, evaluation, removedVersions };
}
