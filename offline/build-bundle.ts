import type { RecsysConfig } from '../lib/config/schema.js';
import type { EmbeddedBundleStore } from '../lib/stores/bundle/embedded-bundle-store.js';
import type { BundleManifest } from '../lib/stores/bundle/manifest.js';
import { RecsysError } from '../lib/domain/errors.js';
import { loadDraftServingBundle } from '../lib/stores/bundle/serving-bundle.js';
import type { ProgressFactory } from './progress.js';
import type { TrainingData } from './jobs/training-data.js';
import type { ValidationSet } from './jobs/validation-set.js';
import { JOBS } from './jobs/registry.js';
import { datasetDigest, valueDigest } from './digest.js';

export interface BuildBundleOptions {
  readonly data: TrainingData;
  readonly validation: ValidationSet;
  readonly config: Readonly<RecsysConfig>;
  readonly store: EmbeddedBundleStore;
  readonly progress: ProgressFactory;
  /** Jobs to run; the others' artifacts are copied from the current bundle (same data only). */
  readonly only?: readonly string[];
  readonly version?: string;
  readonly makeCurrent?: boolean;
  readonly metrics?: Record<string, unknown>;
  readonly log?: (line: string) => void;
}

/** Runs the offline jobs into a new bundle version and publishes it atomically. */
export async function buildBundle(options: BuildBundleOptions): Promise<BundleManifest> {
  const { data, config, store } = options;
  const dataDigest = datasetDigest(data.dataset);
  const draft = await store.createDraft(
    {
      configDigest: valueDigest(config.jobs),
      dataDigest,
      dataset: { name: data.dataset.name, users: data.users, items: data.items, interactions: data.interactions },
    },
    options.version,
  );
  try {
    const selected = options.only ? new Set(options.only) : null;
    let previous: { version: string; manifest: BundleManifest } | null = null;
    if (selected) {
      const current = await store.current();
      const manifest = current ? await store.readManifest(current) : null;
      if (!current || !manifest || manifest.dataDigest !== dataDigest) {
        throw new RecsysError('RECSYS_ERR_BUNDLE_MISSING', 'running single jobs needs a current bundle built from the same data; run `recsys train` (all jobs) first');
      }
      previous = { version: current, manifest };
    }
    for (const job of JOBS) {
      if (selected && !selected.has(job.name) && previous) {
        const details = previous.manifest.jobs[job.name];
        const produced = Object.keys(previous.manifest.artifacts).filter((name) => artifactOwner(previous.manifest, name) === job.name);
        for (const name of produced) await draft.writeArtifact(name, await store.readArtifact(previous.version, previous.manifest, name));
        draft.recordJob(job.name, { ...(typeof details === 'object' && details !== null ? details : {}), copiedFrom: previous.version });
        continue;
      }
      const started = performance.now();
      const output = await job.run({ data, config, progress: options.progress, validation: options.validation, draftBundle: () => loadDraftServingBundle(draft) });
      for (const artifact of output.artifacts) await draft.writeArtifact(artifact.name, artifact.bytes);
      const seconds = (performance.now() - started) / 1000;
      draft.recordJob(job.name, { ...output.details, artifacts: output.artifacts.map((artifact) => artifact.name), seconds });
      options.log?.(`job ${job.name}: ${output.artifacts.length} artifact(s) in ${seconds.toFixed(2)} s`);
    }
    return await draft.publish(options.metrics ?? {}, { makeCurrent: options.makeCurrent ?? true });
  } catch (error) {
    await draft.abandon();
    throw error;
  }
}

function artifactOwner(manifest: BundleManifest, artifact: string): string | undefined {
  for (const [job, details] of Object.entries(manifest.jobs)) {
    if (typeof details === 'object' && details !== null && 'artifacts' in details && Array.isArray(details.artifacts) && details.artifacts.includes(artifact)) return job;
  }
  return undefined;
}
