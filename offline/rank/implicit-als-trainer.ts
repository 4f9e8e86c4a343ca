/**
 * Trains implicit ALS item factors on the training view (lib/features/implicit-als.ts has the
 * model). Each iteration solves every user given the items, then every item given the users;
 * only the item factors are kept: the ranker folds each request's history into a user vector.
 * Single-threaded: 12 iterations at 64 factors take ~40 s on ml-1m-half (3,615 items); it
 * yields to the event loop every YIELD_ROWS rows, as the wide & deep trainer does per step.
 */
import { ImplicitAlsSolver, factorGram, type ImplicitAlsParameters } from '../../lib/features/implicit-als.js';
import { createPrng } from '../data/prng.js';
import type { TrainingData } from '../jobs/training-data.js';
import type { ProgressFactory } from '../progress.js';

export interface ImplicitAlsSettings extends ImplicitAlsParameters {
  readonly iterations: number;
  readonly seed: number;
}

/** Item factors, items × factors, float32 (what the bundle stores and the server reads). */
export async function trainImplicitAls(data: TrainingData, settings: ImplicitAlsSettings, progress: ProgressFactory): Promise<Float32Array> {
  const k = settings.factors;
  const random = createPrng(settings.seed);
  const users = new Float64Array(data.users * k);
  const items = new Float64Array(data.items * k);
  for (let p = 0; p < items.length; p++) items[p] = random.normal() * 0.01;
  const bar = progress('implicit ALS', settings.iterations);
  for (let iteration = 0; iteration < settings.iterations; iteration++) {
    await solveSide(settings, items, data.items, users, data.users, data.userOffsets, data.userItems);
    await solveSide(settings, users, data.users, items, data.items, data.itemOffsets, data.itemUsers);
    bar.tick();
  }
  bar.done();
  return Float32Array.from(items);
}

/** Every row of `out` given the factors of the other side and the rows' CSR interactions. */
async function solveSide(settings: ImplicitAlsSettings, other: Float64Array, otherRows: number, out: Float64Array, rows: number, offsets: Int32Array, observed: Int32Array): Promise<void> {
  const solver = new ImplicitAlsSolver(settings, factorGram(other, otherRows, settings.factors, settings.lambda));
  for (let r = 0; r < rows; r++) {
    solver.solve(other, otherRows, observed, offsets[r]!, offsets[r + 1]!, out, r * settings.factors);
    if (r % YIELD_ROWS === YIELD_ROWS - 1) await new Promise((resolve) => setImmediate(resolve));
  }
}

const YIELD_ROWS = 256;
