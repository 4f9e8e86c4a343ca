/**
 * The ranker phase of the offline DAG. Runs after the recall jobs, on the draft of the SAME
 * bundle version (its recall tables), so the ranker learns to order what recall really
 * returns: feature spec → labelled pairs (collect-rank-pairs.ts) → logistic regression,
 * wide & deep (and GBDT) → ONNX artifacts, each checked against the trainer in onnxruntime.
 */
import { ARTIFACT } from '../../../lib/stores/bundle/artifacts.js';
import { RecsysError } from '../../../lib/domain/errors.js';
import { buildFeatureSpec } from '../../../lib/features/build-feature-spec.js';
import { encodeFeatureSpec } from '../../../lib/features/feature-spec.js';
import { encodeFeatureTables } from '../../../lib/features/feature-tables.js';
import { collectRankPairs } from '../../rank/collect-rank-pairs.js';
import { trainImplicitAls } from '../../rank/implicit-als-trainer.js';
import { logLoss, rocAuc } from '../../rank/binary-metrics.js';
import { predictPairs, trainWideDeepEnsemble } from '../../rank/train-wide-deep.js';
import { onnxParity } from '../../rank/onnx-parity.js';
import { trainGbdt } from '../../rank/gbdt/index.js';
import { GBDT_INPUT, gbdtMatrix } from '../../../lib/features/gbdt-features.js';
import { SCORE_OUTPUT } from '../../../lib/features/model-inputs.js';
import type { Job, JobContext, JobOutput } from '../job.js';
import type { TrainingData } from '../training-data.js';

export const rankJob: Job = {
  name: 'rank',
  async run(context: JobContext): Promise<JobOutput> {
    const { config, data } = context;
    if (!config.rank.enabled) return { artifacts: [], details: { skipped: 'rank.enabled is false' } };
    if (!context.draftBundle) throw new RecsysError('RECSYS_ERR_INTERNAL', 'the rank job needs the draft bundle (run it through buildBundle)');
    const bundle = await context.draftBundle();
    const sources = Object.entries(config.serving.sources).filter(([, block]) => block.enabled).map(([id]) => id);
    const alsStarted = performance.now();
    const { enabled: alsEnabled, ...alsSettings } = config.rank.als;
    const als = alsEnabled ? { factors: alsSettings.factors, alpha: alsSettings.alpha, lambda: alsSettings.lambda } : { factors: 0, alpha: alsSettings.alpha, lambda: alsSettings.lambda };
    const alsItemFactors = alsEnabled ? await trainImplicitAls(data, alsSettings, context.progress) : new Float32Array(0);
    const alsSeconds = (performance.now() - alsStarted) / 1000;
    const { spec: baseSpec, tables } = buildFeatureSpec({
      ...itemStatistics(data), years: bundle.catalogue.years, genres: bundle.catalogue.genres, userMeta: data.dataset.userMeta,
      userActivity: userActivity(data, config.serving.recentHistory), sources, als, alsItemFactors,
    });

    const started = performance.now();
    const pairs = await collectRankPairs({ bundle, config, data, validation: context.validation, spec: baseSpec, tables, progress: context.progress });
    const { spec } = pairs;
    const pairSeconds = (performance.now() - started) / 1000;
    const counts = { train: positives(pairs.train.labels), valid: positives(pairs.valid.labels), test: positives(pairs.test.labels) };
    if (Object.values(counts).some((n) => n === 0)) {
      // Too little data to learn or check a ranker (tiny logs, no held-out items): serve recall order.
      return { artifacts: [], details: { skipped: `too few positive pairs (train ${counts.train}, valid ${counts.valid}, test ${counts.test})`, users: pairs.users } };
    }
    const settings = config.rank.train;
    const artifacts: { name: string; bytes: Buffer | string }[] = [
      { name: ARTIFACT.featureSpec, bytes: encodeFeatureSpec(spec) },
      { name: ARTIFACT.featureTables, bytes: encodeFeatureTables(tables) },
    ];
    const models: Record<string, Record<string, unknown>> = {};
    const shapes = [
      { name: 'lr', artifact: ARTIFACT.rankModels.lr, members: 1, shape: { deep: false, embeddingDim: settings.embeddingDim, hidden: settings.hidden } },
      { name: 'wide-deep', artifact: ARTIFACT.rankModels['wide-deep'], members: settings.members, shape: { deep: true, embeddingDim: settings.embeddingDim, hidden: settings.hidden } },
    ] as const;
    for (const { name, artifact, members, shape } of shapes) {
      const trainStarted = performance.now();
      const trained = await trainWideDeepEnsemble(spec, shape, members, pairs.train, pairs.valid, settings, context.progress, name);
      const probabilities = await predictPairs(trained.ensemble, pairs.test);
      const bytes = trained.ensemble.toOnnx({ model: name, bundle: bundle.version });
      const parity = await onnxParity(bytes, name, spec, pairs.test, probabilities, 1000);
      if (!(parity <= 1e-4)) throw new RecsysError('RECSYS_ERR_INTERNAL', `rank: ${name} ONNX export differs from the trainer by ${parity}`);
      artifacts.push({ name: artifact, bytes: Buffer.from(bytes) });
      models[name] = {
        auc: rocAuc(probabilities, pairs.test.labels),
        logloss: logLoss(probabilities, pairs.test.labels),
        validAuc: trained.validAuc,
        members: trained.members.length,
        bestEpoch: trained.members.map((member) => member.bestEpoch),
        epochs: trained.members.map((member) => member.epochs),
        onnxMaxAbsDiff: parity,
        seconds: (performance.now() - trainStarted) / 1000,
      };
    }
    {
      const trainStarted = performance.now();
      const gbdt = config.rank.gbdt;
      const model = trainGbdt(gbdtMatrix(spec, pairs.train), pairs.train.labels, {
        trees: gbdt.trees, learningRate: gbdt.learningRate, maxDepth: gbdt.maxDepth, maxRowsPerTree: gbdt.maxRowsPerTree, seed: settings.seed,
      }, { features: gbdtMatrix(spec, pairs.valid), labels: pairs.valid.labels });
      const probabilities = Float32Array.from(model.predict(gbdtMatrix(spec, pairs.test)));
      const bytes = model.toOnnx({ inputName: GBDT_INPUT, outputName: SCORE_OUTPUT, metadata: { model: 'gbdt', bundle: bundle.version } });
      const parity = await onnxParity(bytes, 'gbdt', spec, pairs.test, probabilities, 1000);
      if (!(parity <= 1e-4)) throw new RecsysError('RECSYS_ERR_INTERNAL', `rank: gbdt ONNX export differs from the trainer by ${parity}`);
      artifacts.push({ name: ARTIFACT.rankModels.gbdt, bytes: Buffer.from(bytes) });
      models.gbdt = {
        auc: rocAuc(probabilities, pairs.test.labels),
        logloss: logLoss(probabilities, pairs.test.labels),
        trees: model.trees.length,
        bestIteration: model.report.bestIteration,
        validLogloss: model.report.validationLogloss,
        onnxMaxAbsDiff: parity,
        seconds: (performance.now() - trainStarted) / 1000,
      };
    }
    return {
      artifacts,
      details: {
        pairs: {
          users: pairs.users,
          train: pairs.train.rows,
          valid: pairs.valid.rows,
          test: pairs.test.rows,
          positives: counts,
          candidateRecall: pairs.candidateRecall,
          seconds: pairSeconds,
        },
        models,
        als: { ...als, seconds: alsSeconds },
      },
    };
  },
};

function positives(labels: Float32Array): number {
  let n = 0;
  for (const label of labels) if (label > 0.5) n++;
  return n;
}

/** Per item: interactions, sum and count of known ratings (training view only). */
function itemStatistics(data: TrainingData): { itemCount: Int32Array; itemRatingSum: Float64Array; itemRatingCount: Int32Array } {
  const itemCount = new Int32Array(data.items);
  const itemRatingSum = new Float64Array(data.items);
  const itemRatingCount = new Int32Array(data.items);
  for (let k = 0; k < data.interactions; k++) {
    const item = data.userItems[k]!;
    itemCount[item]!++;
    const rating = data.userRatings[k]!;
    if (!Number.isNaN(rating)) {
      itemRatingSum[item]! += rating;
      itemRatingCount[item]!++;
    }
  }
  return { itemCount, itemRatingSum, itemRatingCount };
}

/** Per user: the history length the server sees (capped at the recent-history length). */
function userActivity(data: TrainingData, cap: number): Int32Array {
  return Int32Array.from({ length: data.users }, (_, u) => Math.min(cap, data.userOffsets[u + 1]! - data.userOffsets[u]!));
}
