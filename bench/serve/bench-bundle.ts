import { join } from 'node:path';
import type { RecsysConfig } from '../../lib/config/schema.js';
import { EmbeddedBundleStore } from '../../lib/stores/bundle/embedded-bundle-store.js';
import { buildBundle } from '../../offline/build-bundle.js';
import { codeDigest, datasetDigest, rankerInputs, valueDigest } from '../../offline/digest.js';
import { buildTrainingData } from '../../offline/jobs/training-data.js';
import { recentHoldout } from '../../offline/jobs/validation-set.js';
import { terminalProgress } from '../../offline/progress.js';
import { resolveDataset } from '../../offline/resolve-dataset.js';

export interface BenchBundle {
  /** Bundle store root to serve from (its CURRENT is the bundle). */
  readonly root: string;
  readonly version: string;
  readonly reused: boolean;
  readonly dataset: string;
}

/**
 * The bundle a bench run serves: `<cache>/<dataset>-<digest>`, keyed by the dataset's
 * digest, the offline jobs' config digest (plus the ranker's and the recall sources' config,
 * which shape the ranker) and the digest of the code that builds bundles, built with every
 * job on first use and reused
 * after, so repeated runs measure serving only.
 */
export async function benchBundle(config: Readonly<RecsysConfig>, dataPath: string, cache: string, log: (line: string) => void): Promise<BenchBundle> {
  const { dataset } = await resolveDataset(config, { path: dataPath, log });
  const key = valueDigest({ data: datasetDigest(dataset), jobs: config.jobs, ranker: rankerInputs(config), code: codeDigest() }).slice(0, 16);
  const root = join(cache, `${dataset.name.replace(/[^\w.-]+/g, '_')}-${key}`);
  const store = new EmbeddedBundleStore(root);
  const current = await store.current();
  if (current !== null) {
    await store.verify(current);
    return { root, version: current, reused: true, dataset: dataset.name };
  }
  log(`building the bench bundle in ${root} (once per dataset and jobs config)`);
  const manifest = await buildBundle({ data: buildTrainingData(dataset), validation: recentHoldout(dataset), config: { ...config, bundle: { ...config.bundle, root } }, store, progress: terminalProgress, log });
  return { root, version: manifest.version, reused: false, dataset: dataset.name };
}
