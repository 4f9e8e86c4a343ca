/**
 * Ranking training data: for a sample of training users, run the real recall + merge +
 * filters of the bundle being built (the in-process pipeline, through a capturing RankPort,
 * so the pairs are exactly what the ranker sees when serving) and label each candidate 1 if
 * it is among the user's validation items. Users are split into train / valid (early
 * stopping) / test (the report's AUC and logloss) parts; train keeps a sample of negatives.
 */
import type { RecsysConfig } from '../../lib/config/schema.js';
import { FeatureAssembler, type FeatureBatch } from '../../lib/features/feature-assembler.js';
import { buildItemTensors } from '../../lib/features/item-tensors.js';
import { withDenseNormalisation } from '../../lib/features/build-feature-spec.js';
import type { FeatureSpec } from '../../lib/features/feature-spec.js';
import type { FeatureTables } from '../../lib/features/feature-tables.js';
import type { ServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import { EmbeddedHistoryStore } from '../../lib/stores/features/embedded-history-store.js';
import type { RankInput } from '../../services/recommend/rank-port.js';
import { createInProcessPipeline } from '../../services/server/in-process-pipeline.js';
import { createPrng, shuffledIndices } from '../data/prng.js';
import type { ProgressFactory } from '../progress.js';
import type { TrainingData } from '../jobs/training-data.js';
import { isHeldOut, type ValidationSet } from '../jobs/validation-set.js';
import { CaptureRankPort } from './capture-rank-port.js';
import { HoldoutHistoryStore } from './holdout-history-store.js';
import { LabelledPairsBuilder, type LabelledPairs } from './labelled-pairs.js';

export interface RankPairs {
  /** The spec with dense normalisation set from the train part. */
  readonly spec: FeatureSpec;
  readonly train: LabelledPairs;
  readonly valid: LabelledPairs;
  readonly test: LabelledPairs;
  readonly users: { readonly train: number; readonly valid: number; readonly test: number };
  /** Share of validation items that made it into the pre-ranked candidates (the ranker's ceiling). */
  readonly candidateRecall: number;
}

export interface CollectOptions {
  readonly bundle: ServingBundle;
  readonly config: Readonly<RecsysConfig>;
  readonly data: TrainingData;
  readonly validation: ValidationSet;
  /** Spec with identity normalisation, and its tables (build-feature-spec.ts). */
  readonly spec: FeatureSpec;
  readonly tables: FeatureTables;
  readonly progress: ProgressFactory;
}

const PART_TRAIN = 0;
const PART_VALID = 1;
const PART_TEST = 2;

interface Captured {
  readonly user: number;
  readonly part: number;
  readonly input: RankInput;
}

export async function collectRankPairs(options: CollectOptions): Promise<RankPairs> {
  const { bundle, config, data, validation } = options;
  const settings = config.rank.train;
  const random = createPrng(settings.seed);

  // Users with held-out items and a history to recall from, in a seeded order.
  const eligible: number[] = [];
  for (let u = 0; u < validation.users; u++) {
    if (validation.offsets[u + 1]! > validation.offsets[u]! && data.userOffsets[u + 1]! > data.userOffsets[u]!) eligible.push(u);
  }
  const order = shuffledIndices(random, eligible.length);
  const count = settings.sampleUsers > 0 ? Math.min(settings.sampleUsers, eligible.length) : eligible.length;
  const testCount = Math.max(1, Math.round(count * settings.testFraction));
  const validCount = Math.max(1, Math.round(count * settings.validFraction));

  const capture = new CaptureRankPort();
  const history = validation.overlapsTraining
    ? new HoldoutHistoryStore(new EmbeddedHistoryStore(), (userId, item) => {
      const u = bundle.userIndex.get(userId);
      return u !== undefined && isHeldOut(validation, u, item);
    })
    : new EmbeddedHistoryStore();
  const pipeline = createInProcessPipeline(bundle, config, history, { deadlines: false, rankPort: capture });

  const captured: Captured[] = [];
  const bar = options.progress('rank pairs', count);
  let heldOut = 0;
  let found = 0;
  for (let k = 0; k < count; k++) {
    const user = eligible[order[k]!]!;
    const part = k < testCount ? PART_TEST : k < testCount + validCount ? PART_VALID : PART_TRAIN;
    capture.last = null;
    await pipeline.recommend({ userId: data.dataset.userIds[user]!, count: 1, excludeItemIds: [] });
    const input = capture.last as RankInput | null;
    heldOut += validation.offsets[user + 1]! - validation.offsets[user]!;
    if (input !== null) {
      captured.push({ user, part, input });
      for (const item of input.candidates.items) if (isHeldOut(validation, user, item)) found++;
    }
    bar.tick();
  }
  bar.done();

  // Pass 1: dense statistics over the train part's rows (all candidates); pass 2: normalised pairs.
  const items = buildItemTensors(options.spec, options.tables, bundle.catalogue);
  const raw = new FeatureAssembler(options.spec, items, options.tables);
  const sums = options.spec.dense.map((field) => ({ sum: new Float64Array(field.width), sq: new Float64Array(field.width) }));
  let statRows = 0;
  for (const entry of captured) {
    if (entry.part !== PART_TRAIN) continue;
    const batch = raw.assemble(contextOf(bundle, entry), entry.input.candidates);
    accumulate(batch, options.spec, sums);
    statRows += batch.rows;
  }
  const spec = withDenseNormalisation(options.spec, sums, statRows);
  const assembler = new FeatureAssembler(spec, items, options.tables);
  const widths = spec.dense.map((field) => field.width);
  const builders = [new LabelledPairsBuilder(widths), new LabelledPairsBuilder(widths), new LabelledPairsBuilder(widths)];
  const partUsers = [0, 0, 0];
  for (const entry of captured) {
    const batch = assembler.assemble(contextOf(bundle, entry), entry.input.candidates);
    const builder = builders[entry.part]!;
    partUsers[entry.part]!++;
    const candidates = entry.input.candidates.items;
    for (let r = 0; r < batch.rows; r++) {
      const label = isHeldOut(validation, entry.user, candidates[r]!) ? 1 : 0;
      if (entry.part === PART_TRAIN && label === 0 && random.next() >= settings.negativeRate) continue;
      builder.add(batch, r, label);
    }
  }
  return {
    spec,
    train: builders[PART_TRAIN]!.build(),
    valid: builders[PART_VALID]!.build(),
    test: builders[PART_TEST]!.build(),
    users: { train: partUsers[PART_TRAIN]!, valid: partUsers[PART_VALID]!, test: partUsers[PART_TEST]! },
    candidateRecall: heldOut > 0 ? found / heldOut : 0,
  };
}

function contextOf(bundle: ServingBundle, entry: Captured): { userIndex: number; recent: Int32Array; recentRatings: Float32Array } {
  return { userIndex: entry.input.known ? bundle.userIndex.get(entry.input.userId) ?? -1 : -1, recent: entry.input.recent, recentRatings: entry.input.recentRatings };
}

function accumulate(batch: FeatureBatch, spec: FeatureSpec, sums: { sum: Float64Array; sq: Float64Array }[]): void {
  spec.dense.forEach((field, f) => {
    const column = batch.dense[f]!;
    const { sum, sq } = sums[f]!;
    for (let r = 0; r < batch.rows; r++) {
      for (let c = 0; c < field.width; c++) {
        const x = column[r * field.width + c]!;
        sum[c]! += x;
        sq[c]! += x * x;
      }
    }
  });
}
