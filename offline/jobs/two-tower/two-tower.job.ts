/**
 * Two-tower retrieval job: trains the towers on the training view (two-tower.trainer.ts),
 * exports the user tower to `user-tower.onnx` (+ `user-tower.json`) for the `two-tower`
 * recall source, and writes every item's vector with the vector store's codec (plus the
 * persisted HNSW graph for large catalogues). Served vectors are dim + 1 wide: the towers'
 * L2-normalised outputs plus a popularity-prior component whose weight is chosen on
 * validation (two-tower.trainer.ts evaluateTwoTower), so the index ranks by
 * cosine + β·temperature·log q(item).
 *
 * Training runs in TypeScript on lib/nn's hand-written kernels (see lib/nn/index.ts for the
 * measurement against TensorFlow.js) on one thread: with the machine's second core busy
 * serving other jobs, a data-parallel worker split measured no gain worth its
 * nondeterminism, so the job is single-threaded and bit-for-bit reproducible from its seed.
 */
import { itemVectorArtifacts } from '../../../lib/stores/vectors/item-vectors-artifact.js';
import { USER_TOWER_ARTIFACT, encodeUserTowerMeta } from '../../../lib/onnx/user-tower.js';
import type { Job, JobContext, JobOutput } from '../job.js';
import { buildTowerFeatures } from './two-tower.features.js';
import { servedItemVectors, trainTwoTower } from './two-tower.trainer.js';
import { exportUserTower } from './user-tower.export.js';

export const twoTowerJob: Job = {
  name: 'two-tower',
  async run(context: JobContext): Promise<JobOutput> {
    const { enabled, ...options } = context.config.jobs['two-tower'];
    if (!enabled) return { artifacts: [], details: { enabled: false } };
    const { data, validation } = context;
    const trained = await trainTwoTower(data, validation, buildTowerFeatures(data.dataset), options, context.progress, (line) => {
      process.stderr.write(`${line}\n`);
    });
    const { model } = trained;
    const vectors = servedItemVectors(model.allItemVectors(), options.dim, trained.priorColumn, trained.prior);
    const meta = { dim: options.dim + 1, users: data.users, items: data.items, maxHistory: options.maxHistory };
    const best = trained.epochs.find((epoch) => epoch.epoch === trained.bestEpoch);
    return {
      artifacts: [
        { name: USER_TOWER_ARTIFACT.model, bytes: Buffer.from(exportUserTower(model)) },
        { name: USER_TOWER_ARTIFACT.meta, bytes: encodeUserTowerMeta(meta) },
        ...(await itemVectorArtifacts(vectors, options.dim + 1, context.config)),
      ],
      details: {
        ...options,
        examples: trained.examples,
        bestEpoch: trained.bestEpoch,
        popularityPrior: trained.prior,
        validNdcg10: best?.ndcg10 ?? null,
        validRecall50: best?.recall50 ?? null,
        epochs: trained.epochs,
        seconds: Math.round(trained.seconds * 10) / 10,
      },
    };
  },
};
