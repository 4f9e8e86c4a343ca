/**
 * ItemCF on binary interactions. The similarity of row item i to neighbour j is
 *
 *   s(i,j) = C(i,j) / (|N(i)|^(1-alpha) · |N(j)|^alpha)
 *
 * where N(x) are the users of x and C(i,j) counts the users of both; with `iuf` each such
 * user u adds 1/ln(1 + |I_u|) instead of 1 (heavy users say less about any one pair).
 * alpha = 0.5 is cosine; a larger alpha penalises popular neighbours j. Writes two tables
 * (with `normalise`, each served row divided by its maximum: see i2iTables):
 *  - `item-cf`: each item's own top-K neighbours (SimilarItems, "history" convention);
 *  - `item-cf-target`: the transpose, row i lists every j that has i among ITS top-K, so
 *    summing rows over a user's history scores j only by history items among j's own
 *    neighbours (the "target" convention of RecBole's ItemKNN, measurably better).
 * With `timeDecay` = h days (0 = off), each user's contribution to C(i,j) is multiplied by
 * exp(-ln2 · age / h), age = how much older than the newest timestamp in the data the
 * OLDER of the user's two interactions (with i and with j) is; the denominators keep the
 * plain counts.
 * Cost: sum over users of |I_u|^2 accumulations, one dense scratch row per item per
 * thread, a top-K heap per row; memory O(items · K) plus O(items) scratch per thread.
 * Parallel: rows are sharded by item range over `threads` worker threads (see
 * parallel/i2i-pool.ts); the table is bit-identical for any number of threads.
 */
import type { SimilarityTable } from '../../../lib/stores/similarity/similarity-table.js';
import type { Job, JobContext, JobOutput } from '../job.js';
import { computeRowsSharded, resolveThreads } from '../parallel/i2i-pool.js';
import { planChunks, runChunksInline } from '../parallel/row-chunks.js';
import { runI2iJob } from '../i2i-job.js';
import type { TrainingData } from '../training-data.js';
import { itemCfCost, itemCfInputs, itemCfKernel } from './item-cf.kernel.js';

export { transposeTable } from '../similarity-tables.js';

export interface ItemCfOptions {
  readonly neighbours: number;
  readonly minCooccurrence: number;
}

export interface ItemCfVariantOptions extends ItemCfOptions {
  /** Weight each co-occurrence by 1/ln(1 + |I_u|) (inverse user frequency). */
  readonly iuf: boolean;
  /** Denominator |N(i)|^(1-alpha) · |N(j)|^alpha; 0.5 = cosine. */
  readonly alpha: number;
  /** Half-life in days of the interaction time decay; 0 or absent = off. */
  readonly timeDecay?: number;
}

/** Per item, the top-K most similar other items by cosine (score desc, item index asc). */
export function cosineNeighbours(data: TrainingData, options: ItemCfOptions, tick: (n: number) => void = () => undefined): SimilarityTable {
  return itemCfNeighbours(data, { neighbours: options.neighbours, minCooccurrence: options.minCooccurrence, iuf: false, alpha: 0.5 }, tick);
}

function kernelOptions(options: ItemCfVariantOptions): Parameters<typeof itemCfKernel>[1] {
  return { neighbours: options.neighbours, minCooccurrence: options.minCooccurrence, iuf: options.iuf, alpha: options.alpha, timeDecay: options.timeDecay ?? 0 };
}

/** Per item, the top-K neighbours under the configured ItemCF variant (score desc, item index asc), raw scores; one thread. */
export function itemCfNeighbours(data: TrainingData, options: ItemCfVariantOptions, tick: (n: number) => void = () => undefined): SimilarityTable {
  const opts = kernelOptions(options);
  const inputs = itemCfInputs(data, opts.timeDecay);
  return runChunksInline(data.items, planChunks(itemCfCost(inputs), 1), itemCfKernel(inputs, opts), tick);
}

/** itemCfNeighbours on `threads` worker threads (0 = one per core): the same table, bit for bit. */
export function itemCfNeighboursParallel(data: TrainingData, options: ItemCfVariantOptions, threads: number, tick: (n: number) => void = () => undefined): Promise<SimilarityTable> {
  const opts = kernelOptions(options);
  const inputs = itemCfInputs(data, opts.timeDecay);
  return computeRowsSharded({ kernel: 'item-cf', rows: data.items, inputs, options: opts, cost: itemCfCost(inputs), threads: resolveThreads(threads), tick });
}

export const itemCfJob: Job = {
  name: 'item-cf',
  run(context: JobContext): Promise<JobOutput> {
    const options = context.config.jobs['item-cf'];
    return runI2iJob(context, {
      name: 'item-cf',
      threads: options.threads,
      normalise: options.normalise,
      meta: { neighbours: options.neighbours, iuf: options.iuf, alpha: options.alpha, timeDecay: options.timeDecay, normalise: options.normalise },
      compute: (threads, tick) => itemCfNeighboursParallel(context.data, options, threads, tick),
    });
  },
};
