/**
 * Trains a WideDeepModel on labelled pairs: shuffled minibatches, Adam, early stopping on
 * validation AUC (the best epoch's parameters, or with `weightAverage` their moving average, are
 * kept). Yields to the event loop after
 * every step (a step is ~0.1 s of CPU), so progress and servers in the same process go on.
 */
import { createPrng, shuffledIndices } from '../data/prng.js';
import type { ProgressFactory } from '../progress.js';
import { rocAuc } from './binary-metrics.js';
import { ParameterAverage } from '../../lib/nn/index.js';
import type { LabelledPairs } from './labelled-pairs.js';
import { WideDeepModel, type ModelBatch, type WideDeepShape } from './wide-deep-model.js';
import { WideDeepEnsemble } from './wide-deep-ensemble.js';
import type { FeatureSpec } from '../../lib/features/feature-spec.js';

export interface TrainSettings {
  readonly epochs: number;
  readonly patience: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** L2 penalty on the id weights and embeddings, per touched row (Adam's sparseL2). */
  readonly embeddingL2: number;
  /** Decay of the moving average of the parameters (ParameterAverage) that is validated and kept instead of the last step's; 0 = off. */
  readonly weightAverage?: number;
  readonly seed: number;
}

export interface TrainedModel {
  readonly model: WideDeepModel;
  readonly epochs: readonly { epoch: number; loss: number; validAuc: number; seconds: number }[];
  readonly bestEpoch: number;
}

/** Rows `rows[from..to)` of `pairs` gathered into a reusable batch. */
class BatchGatherer {
  readonly categorical: Int32Array[];
  readonly dense: Float32Array[];
  readonly labels: Float32Array;

  constructor(private readonly pairs: LabelledPairs, capacity: number) {
    this.categorical = pairs.categorical.map(() => new Int32Array(capacity));
    this.dense = pairs.widths.map((width) => new Float32Array(capacity * width));
    this.labels = new Float32Array(capacity);
  }

  gather(rows: Int32Array, from: number, to: number): ModelBatch {
    const n = to - from;
    const { pairs } = this;
    for (let f = 0; f < this.categorical.length; f++) {
      const source = pairs.categorical[f]!;
      const target = this.categorical[f]!;
      for (let k = 0; k < n; k++) target[k] = source[rows[from + k]!]!;
    }
    for (let f = 0; f < this.dense.length; f++) {
      const width = pairs.widths[f]!;
      const source = pairs.dense[f]!;
      const target = this.dense[f]!;
      for (let k = 0; k < n; k++) {
        const row = rows[from + k]!;
        target.set(source.subarray(row * width, row * width + width), k * width);
      }
    }
    for (let k = 0; k < n; k++) this.labels[k] = pairs.labels[rows[from + k]!]!;
    return { rows: n, categorical: this.categorical, dense: this.dense };
  }
}

/** The model's probabilities for every row of `pairs`, in order. */
export async function predictPairs(model: { predict(batch: ModelBatch): Float32Array }, pairs: LabelledPairs, batchSize = 2048): Promise<Float32Array> {
  const out = new Float32Array(pairs.rows);
  const gatherer = new BatchGatherer(pairs, batchSize);
  const rows = Int32Array.from({ length: pairs.rows }, (_, k) => k);
  for (let from = 0; from < pairs.rows; from += batchSize) {
    const to = Math.min(pairs.rows, from + batchSize);
    out.set(model.predict(gatherer.gather(rows, from, to)), from);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}

export async function trainWideDeep(spec: FeatureSpec, shape: WideDeepShape, train: LabelledPairs, valid: LabelledPairs, settings: TrainSettings, progress: ProgressFactory, label: string): Promise<TrainedModel> {
  const random = createPrng(settings.seed);
  const model = new WideDeepModel(spec, shape, random);
  const optimiser = model.createOptimiser(settings.learningRate, settings.embeddingL2);
  const gatherer = new BatchGatherer(train, settings.batchSize);
  const grad = new Float32Array(settings.batchSize);
  const epochs: { epoch: number; loss: number; validAuc: number; seconds: number }[] = [];
  let best = { auc: Number.NEGATIVE_INFINITY, epoch: 0, snapshot: model.snapshot() };
  const decay = settings.weightAverage ?? 0;
  const average = decay > 0 ? new ParameterAverage(model.parameterValues(), decay) : null;
  const steps = Math.ceil(train.rows / settings.batchSize);
  for (let epoch = 1; epoch <= settings.epochs; epoch++) {
    const started = performance.now();
    const order = shuffledIndices(random, train.rows);
    const bar = progress(`${label} epoch ${epoch}`, steps);
    let lossSum = 0;
    for (let from = 0; from < train.rows; from += settings.batchSize) {
      const to = Math.min(train.rows, from + settings.batchSize);
      const batch = gatherer.gather(order, from, to);
      lossSum += model.trainStep(batch, gatherer.labels, optimiser, grad) * (to - from);
      average?.update();
      bar.tick();
      // Yield between steps: a bundle built inside a serving process must not stall its event loop.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    bar.done();
    const current = average === null ? null : model.snapshot();
    if (average !== null) model.restore(average.values);
    const validAuc = rocAuc(await predictPairs(model, valid), valid.labels);
    if (current !== null) model.restore(current);
    epochs.push({ epoch, loss: lossSum / Math.max(1, train.rows), validAuc, seconds: (performance.now() - started) / 1000 });
    if (validAuc > best.auc) best = { auc: validAuc, epoch, snapshot: average === null ? model.snapshot() : average.values.map((values) => values.slice()) };
    else if (epoch - best.epoch >= settings.patience) break;
  }
  model.restore(best.snapshot);
  return { model, epochs, bestEpoch: best.epoch };
}

export interface TrainedEnsemble {
  readonly ensemble: WideDeepEnsemble;
  readonly members: readonly TrainedModel[];
  /** The ensemble's AUC on the validation pairs. */
  readonly validAuc: number;
}

/** `members` models of one shape, member k seeded `settings.seed + k`, each with its own early stopping. */
export async function trainWideDeepEnsemble(spec: FeatureSpec, shape: WideDeepShape, members: number, train: LabelledPairs, valid: LabelledPairs, settings: TrainSettings, progress: ProgressFactory, label: string): Promise<TrainedEnsemble> {
  const trained: TrainedModel[] = [];
  for (let k = 0; k < members; k++) {
    trained.push(await trainWideDeep(spec, shape, train, valid, { ...settings, seed: settings.seed + k }, progress, members === 1 ? label : `${label} ${k + 1}/${members}`));
  }
  const ensemble = new WideDeepEnsemble(trained.map((member) => member.model));
  return { ensemble, members: trained, validAuc: rocAuc(await predictPairs(ensemble, valid), valid.labels) };
}
