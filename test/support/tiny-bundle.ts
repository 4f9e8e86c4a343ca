import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../lib/config/load-config.js';
import type { RecsysConfig } from '../../lib/config/schema.js';
import { EmbeddedBundleStore } from '../../lib/stores/bundle/embedded-bundle-store.js';
import { loadDataset, writeSyntheticDataset } from '../../offline/data/index.js';
import { buildBundle } from '../../offline/build-bundle.js';
import { buildTrainingData } from '../../offline/jobs/training-data.js';
import { recentHoldout } from '../../offline/jobs/validation-set.js';
import { silentProgress } from '../../offline/progress.js';

export interface TinyBundle {
  readonly dir: string;
  readonly config: Readonly<RecsysConfig>;
  readonly store: EmbeddedBundleStore;
  readonly version: string;
  cleanup(): Promise<void>;
}

/** Generates a small synthetic dataset and publishes a bundle from it into a temp dir. */
export async function makeTinyBundle(options: { users?: number; items?: number; interactions?: number; twoTower?: boolean } = {}): Promise<TinyBundle> {
  const dir = await mkdtemp(join(tmpdir(), 'recsys-test-'));
  const config = parseConfig({
    bundle: { root: join(dir, 'bundles') },
    stores: { feedbackLog: join(dir, 'feedback.log') },
    serving: { metrics: { port: 0 } },
    evaluate: { bundleRoot: join(dir, 'eval-bundles') },
    // A small two-tower (one short epoch): tiny bundles still carry a user tower and item vectors.
    // twoTower false: a bundle without item vectors.
    jobs: { 'two-tower': { enabled: options.twoTower ?? true, dim: 16, userHidden: [32], batchSize: 128, epochs: 1, evalUsers: 100 } },
    data: { synthetic: { users: options.users ?? 150, items: options.items ?? 300, interactions: options.interactions ?? 6000, seed: 7, dir: join(dir, 'data') } },
  });
  const written = await writeSyntheticDataset(config.data.synthetic.dir, config.data.synthetic);
  if (written.interactions <= 0) throw new Error('synthetic generator wrote nothing');
  const { dataset } = await loadDataset(config.data.synthetic.dir);
  const store = new EmbeddedBundleStore(config.bundle.root);
  const manifest = await buildBundle({ data: buildTrainingData(dataset), validation: recentHoldout(dataset), config, store, progress: silentProgress });
  return { dir, config, store, version: manifest.version, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
