import { Adam, gemmABt, softmaxCrossEntropy, transpose } from '../../../lib/nn/index.js';
import { createPrng, shuffledIndices } from '../../data/prng.js';
import { RankingMetricsAccumulator } from '../../eval/metrics.js';
import type { Progress } from '../../progress.js';
import type { TrainingData } from '../training-data.js';
import { isHeldOut, type ValidationSet } from '../validation-set.js';
import type { TowerFeatures } from './two-tower.features.js';
import { TwoTowerModel, type TwoTowerShape, type UserBatch } from './two-tower.model.js';

export interface TwoTowerTrainOptions extends Omit<TwoTowerShape, 'users' | 'items'> {
  readonly maxHistory: number;
  readonly batchSize: number;
  readonly epochs: number;
  /** Epochs without a better validation NDCG@10 before stopping. */
  readonly patience: number;
  readonly learningRate: number;
  /** Learning rate multiplier applied after each epoch (1 = constant). */
  readonly learningRateDecay: number;
  readonly temperature: number;
  /** Weight of the logQ correction: logit − w·log q(item); 0 = off, 1 = Yi et al. */
  readonly logQ: number;
  /** Share of examples whose user-id is replaced by the out-of-vocabulary row (trains it for unknown users). */
  readonly userIdDropout: number;
  /** Validation users scored per evaluation (exact search over every item). */
  readonly evalUsers: number;
  /**
   * Candidate weights β of the popularity prior served with the vectors: score = cosine +
   * β·temperature·log q(item), the logit the softmax saw before its logQ correction, scaled
   * back by β. Each evaluation scores every candidate and keeps the best by
   * NDCG@10 + priorRecallWeight·recall@50 on validation.
   */
  readonly popularityPriors: readonly number[];
  /**
   * Weight of validation recall@50 beside NDCG@10 when choosing β (0 = NDCG@10 alone). The
   * source feeds a merge that looks 50+ deep, so the prior that ranks the top 10 best is not
   * always the one that covers the held-out items best. Early stopping stays on NDCG@10.
   */
  readonly priorRecallWeight: number;
  readonly seed: number;
}

export interface EpochReport {
  readonly epoch: number;
  readonly loss: number;
  readonly ndcg10: number;
  readonly recall50: number;
  /** The popularity-prior weight β these metrics were measured with (the epoch's choice). */
  readonly prior: number;
  /** The epoch's best validation NDCG@10 over all β: the early-stopping signal. */
  readonly bestNdcg10: number;
  readonly seconds: number;
}

/** Validation metrics of one popularity-prior weight β. */
export interface PriorMetrics {
  readonly prior: number;
  readonly ndcg10: number;
  readonly recall50: number;
}

/** The scored β candidates, the chosen one and the best NDCG@10 among them. */
export interface TwoTowerValidation extends PriorMetrics {
  readonly bestNdcg10: number;
  readonly candidates: readonly PriorMetrics[];
}

export interface TrainedTwoTower {
  readonly model: TwoTowerModel;
  /** Per item: temperature · log q(item), q the smoothed share of training examples. */
  readonly priorColumn: Float32Array;
  /** The chosen prior weight β (of the best epoch). */
  readonly prior: number;
  readonly epochs: readonly EpochReport[];
  readonly bestEpoch: number;
  readonly examples: number;
  readonly seconds: number;
}

/** Each user's usable training items (most recent first), held-out rows removed. */
export interface TrainHistories {
  readonly offsets: Int32Array;
  readonly items: Int32Array;
}

export function trainHistories(data: TrainingData, validation: ValidationSet): TrainHistories {
  const offsets = new Int32Array(data.users + 1);
  const items: number[] = [];
  for (let u = 0; u < data.users; u++) {
    for (let k = data.userOffsets[u]!; k < data.userOffsets[u + 1]!; k++) {
      const item = data.userItems[k]!;
      if (validation.overlapsTraining && u < validation.users && isHeldOut(validation, u, item)) continue;
      items.push(item);
    }
    offsets[u + 1] = items.length;
  }
  return { offsets, items: Int32Array.from(items) };
}

/**
 * Inference batch for users whose history is their whole usable training list (what
 * serving sees: history = every known item, most recent first, truncated to maxHistory).
 */
export function servingUserBatch(users: Int32Array, histories: TrainHistories, maxHistory: number): UserBatch {
  const count = users.length;
  const historyOffsets = new Int32Array(count + 1);
  for (let b = 0; b < count; b++) {
    const u = users[b]!;
    historyOffsets[b + 1] = historyOffsets[b]! + Math.min(maxHistory, histories.offsets[u + 1]! - histories.offsets[u]!);
  }
  const historyItems = new Int32Array(historyOffsets[count]!);
  const historyWeights = new Float32Array(historyOffsets[count]!);
  for (let b = 0; b < count; b++) {
    const start = histories.offsets[users[b]!]!;
    const length = historyOffsets[b + 1]! - historyOffsets[b]!;
    historyItems.set(histories.items.subarray(start, start + length), historyOffsets[b]);
    historyWeights.fill(1 / length, historyOffsets[b], historyOffsets[b + 1]);
  }
  return { count, users, historyOffsets, historyItems, historyWeights };
}

/**
 * Validation NDCG@10 and recall@50 of the model for `users`, for each popularity-prior weight β
 * (score = cosine + β·priorColumn[item]): exact inner products with every item, the user's
 * training items masked, ties by ascending item index (the evaluator's conventions,
 * DESIGN.md 5). Chooses the β with the best NDCG@10 + recallWeight·recall@50 (ties: the
 * earlier candidate) and reports every candidate.
 */
export function evaluateTwoTower(
  model: TwoTowerModel, users: Int32Array, histories: TrainHistories, validation: ValidationSet, maxHistory: number,
  priorColumn: Float32Array = new Float32Array(model.shape.items), priors: readonly number[] = [0], recallWeight = 0,
): TwoTowerValidation {
  const { items, dim } = model.shape;
  const itemVectors = model.allItemVectors();
  const accumulators = priors.map(() => new RankingMetricsAccumulator(items));
  const chunk = 256;
  const scores = new Float32Array(chunk * items);
  const row = new Float32Array(items);
  const ranked = new Int32Array(50);
  const top = new Float32Array(50);
  for (let start = 0; start < users.length; start += chunk) {
    const slice = users.subarray(start, Math.min(users.length, start + chunk));
    const userVectors = model.forwardUsers(servingUserBatch(slice, histories, maxHistory));
    gemmABt(userVectors, itemVectors, scores, slice.length, items, dim);
    for (let b = 0; b < slice.length; b++) {
      const u = slice[b]!;
      const relevant = validation.items.subarray(validation.offsets[u], validation.offsets[u + 1]);
      priors.forEach((beta, p) => {
        for (let i = 0; i < items; i++) row[i] = scores[b * items + i]! + beta * priorColumn[i]!;
        for (let k = histories.offsets[u]!; k < histories.offsets[u + 1]!; k++) row[histories.items[k]!] = -Infinity;
        const n = topK(row, ranked, top);
        accumulators[p]!.add(ranked.subarray(0, n), relevant);
      });
    }
  }
  const candidates = priors.map((prior, p): PriorMetrics => {
    const values = accumulators[p]!.summary().values;
    return { prior, ndcg10: values['ndcg@10'], recall50: values['recall@50'] };
  });
  const criterion = (m: PriorMetrics): number => m.ndcg10 + recallWeight * m.recall50;
  const chosen = candidates.reduce((best, m) => (criterion(m) > criterion(best) ? m : best));
  return { ...chosen, bestNdcg10: Math.max(...candidates.map((m) => m.ndcg10)), candidates };
}

/**
 * The vectors served for search: each item's tower output with one more component,
 * prior·priorColumn[item]; the user tower's ONNX graph appends a constant 1, so the inner
 * product is cosine + prior·temperature·log q(item).
 */
export function servedItemVectors(itemVectors: Float32Array, dim: number, priorColumn: Float32Array, prior: number): Float32Array {
  const items = priorColumn.length;
  const out = new Float32Array(items * (dim + 1));
  for (let i = 0; i < items; i++) {
    out.set(itemVectors.subarray(i * dim, (i + 1) * dim), i * (dim + 1));
    out[i * (dim + 1) + dim] = prior * priorColumn[i]!;
  }
  return out;
}

/** Top ranked.length finite scores, best first, ties by ascending index; returns the count. */
function topK(row: Float32Array, ranked: Int32Array, top: Float32Array): number {
  const k = ranked.length;
  let n = 0;
  for (let i = 0; i < row.length; i++) {
    const s = row[i]!;
    if (s === -Infinity || (n === k && s <= top[n - 1]!)) continue;
    let p = n < k ? n++ : k - 1;
    while (p > 0 && top[p - 1]! < s) {
      top[p] = top[p - 1]!;
      ranked[p] = ranked[p - 1]!;
      p--;
    }
    top[p] = s;
    ranked[p] = i;
  }
  return n;
}

/**
 * Trains the two towers with an in-batch sampled softmax (temperature, logQ correction) on
 * leave-one-out examples: each usable training interaction (u, i) is one example whose
 * target is i and whose history is u's other usable items, most recent first, truncated to
 * maxHistory, which is what serving feeds the user tower (every known item, predicting
 * unseen ones). Early stopping on validation NDCG@10; the best epoch's weights are kept.
 * Single-threaded and seeded: the same data and options give the same weights, bit for bit.
 * Yields to the event loop after every step, so an in-process server is not starved.
 */
export async function trainTwoTower(
  data: TrainingData,
  validation: ValidationSet,
  features: TowerFeatures,
  options: TwoTowerTrainOptions,
  progress: (label: string, total: number) => Progress,
  log: (line: string) => void = () => undefined,
): Promise<TrainedTwoTower> {
  const started = performance.now();
  const random = createPrng(options.seed);
  const model = new TwoTowerModel({ ...options, users: data.users, items: data.items }, features, random);
  const adam = new Adam(model.denseParameters, model.sparseParameters, { learningRate: options.learningRate });
  const histories = trainHistories(data, validation);
  const examples = histories.items.length;
  const exampleUser = new Int32Array(examples);
  for (let u = 0; u < data.users; u++) exampleUser.fill(u, histories.offsets[u], histories.offsets[u + 1]);
  // log q(item): add-one smoothed share of the training examples (items never seen get the lowest).
  const logQ = new Float32Array(data.items);
  const priorColumn = new Float32Array(data.items);
  {
    const counts = new Float64Array(data.items);
    for (let k = 0; k < examples; k++) counts[histories.items[k]!]!++;
    for (let i = 0; i < data.items; i++) {
      logQ[i] = Math.log((counts[i]! + 1) / (examples + data.items));
      priorColumn[i] = options.temperature * logQ[i]!;
    }
  }
  const evalUsers = sampleValidationUsers(validation, histories, options.evalUsers, options.seed);

  const B = options.batchSize;
  const L = options.maxHistory;
  const { dim } = options;
  const batchUsers = new Int32Array(B);
  const targets = new Int32Array(B);
  const historyOffsets = new Int32Array(B + 1);
  const historyItems = new Int32Array(B * L);
  const historyWeights = new Float32Array(B * L);
  const logits = new Float32Array(B * B);
  const logitsT = new Float32Array(B * B);
  const diagonal = Int32Array.from({ length: B }, (_, k) => k);
  const userT = new Float32Array(dim * B);
  const itemT = new Float32Array(dim * B);
  const gradUsers = new Float32Array(B * dim);
  const gradItems = new Float32Array(B * dim);
  const invT = 1 / options.temperature;

  const reports: EpochReport[] = [];
  let best = { ndcg10: -1, epoch: 0, prior: 0, weights: snapshot(model) };
  let stale = 0;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const epochStart = performance.now();
    adam.learningRate = options.learningRate * options.learningRateDecay ** (epoch - 1);
    const order = shuffledIndices(random, examples);
    const steps = Math.floor(examples / B);
    const bar = progress(`two-tower epoch ${epoch}`, steps);
    let lossSum = 0;
    for (let step = 0; step < steps; step++) {
      historyOffsets[0] = 0;
      for (let b = 0; b < B; b++) {
        const position = order[step * B + b]!;
        const u = exampleUser[position]!;
        targets[b] = histories.items[position]!;
        batchUsers[b] = random.next() < options.userIdDropout ? data.users : u;
        let fill = historyOffsets[b]!;
        const end = histories.offsets[u + 1]!;
        for (let k = histories.offsets[u]!; k < end && fill - historyOffsets[b]! < L; k++) {
          if (k !== position) historyItems[fill++] = histories.items[k]!;
        }
        historyOffsets[b + 1] = fill;
        const length = fill - historyOffsets[b]!;
        historyWeights.fill(1 / Math.max(1, length), historyOffsets[b], fill);
      }
      const userVectors = model.forwardUsers({ count: B, users: batchUsers, historyOffsets, historyItems, historyWeights });
      const itemVectors = model.forwardItems(targets, B);
      gemmABt(userVectors, itemVectors, logits, B, B, dim);
      for (let r = 0; r < B; r++) {
        const base = r * B;
        const target = targets[r]!;
        for (let c = 0; c < B; c++) {
          logits[base + c] = c !== r && targets[c] === target ? -Infinity : logits[base + c]! * invT - options.logQ * logQ[targets[c]!]!;
        }
      }
      lossSum += softmaxCrossEntropy(logits, B, B, diagonal, logits);
      for (let k = 0; k < B * B; k++) logits[k] = logits[k]! * invT;
      // dU = G·V and dV = Gᵀ·U, both in gemmABt's A·Bᵀ shape.
      transpose(itemVectors, B, dim, itemT);
      transpose(userVectors, B, dim, userT);
      gemmABt(logits, itemT, gradUsers, B, dim, B);
      transpose(logits, B, B, logitsT);
      gemmABt(logitsT, userT, gradItems, B, dim, B);
      model.backwardItems(gradItems);
      model.backwardUsers(gradUsers);
      adam.step();
      bar.tick();
      // Let the event loop run between steps (a server building a bundle in process keeps serving).
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (epoch === 1 && step === 19) {
        const msPerStep = (performance.now() - epochStart) / 20;
        log(`two-tower: ${msPerStep.toFixed(0)} ms/step at batch ${B}, ~${((msPerStep * steps) / 1000).toFixed(0)} s per epoch of ${steps} steps`);
      }
      if ((step & 15) === 15) bar.note?.(`loss ${(lossSum / (step + 1)).toFixed(3)}`);
    }
    bar.done();
    const scored = evaluateTwoTower(model, evalUsers, histories, validation, L, priorColumn, options.popularityPriors, options.priorRecallWeight);
    const { ndcg10, recall50, prior, bestNdcg10 } = scored;
    const report = { epoch, loss: lossSum / Math.max(1, steps), ndcg10, recall50, prior, bestNdcg10, seconds: (performance.now() - epochStart) / 1000 };
    reports.push(report);
    log(`two-tower epoch ${epoch}: loss ${report.loss.toFixed(4)} valid ndcg@10 ${ndcg10.toFixed(4)} recall@50 ${recall50.toFixed(4)} at prior ${prior} (${report.seconds.toFixed(1)} s)`);
    log(`two-tower epoch ${epoch} priors: ${scored.candidates.map((m) => `${m.prior}: ${m.ndcg10.toFixed(4)}/${m.recall50.toFixed(4)}`).join(', ')}`);
    if (bestNdcg10 > best.ndcg10) {
      best = { ndcg10: bestNdcg10, epoch, prior, weights: snapshot(model) };
      stale = 0;
    } else if (++stale >= options.patience) {
      break;
    }
  }
  restore(model, best.weights);
  return { model, priorColumn, prior: best.prior, epochs: reports, bestEpoch: best.epoch, examples, seconds: (performance.now() - started) / 1000 };
}

/** Up to `count` validation users with held-out items and some training history, in a seeded order. */
export function sampleValidationUsers(validation: ValidationSet, histories: TrainHistories, count: number, seed: number): Int32Array {
  const candidates: number[] = [];
  const users = Math.min(validation.users, histories.offsets.length - 1);
  for (let u = 0; u < users; u++) {
    if (validation.offsets[u + 1]! > validation.offsets[u]! && histories.offsets[u + 1]! > histories.offsets[u]!) candidates.push(u);
  }
  const order = shuffledIndices(createPrng(seed ^ 0x5eed), candidates.length);
  const picked = Array.from(order.subarray(0, Math.min(count, candidates.length)), (k) => candidates[k]!);
  return Int32Array.from(picked.sort((a, b) => a - b));
}

function snapshot(model: TwoTowerModel): Float32Array[] {
  return [...model.denseParameters, ...model.sparseParameters].map((p) => Float32Array.from(p.value));
}

function restore(model: TwoTowerModel, weights: Float32Array[]): void {
  [...model.denseParameters, ...model.sparseParameters].forEach((p, k) => { p.value.set(weights[k]!); });
}
