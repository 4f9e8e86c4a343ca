/**
 * Swing (Yang et al. 2020, "Large Scale Product Graph Construction for Recommendation in
 * E-commerce"): two items are similar when pairs of users who share few other items both
 * chose them ("swing" structures in the user-item graph).
 *
 *   s(i,j) = Σ over user pairs u<v in U(i) ∩ U(j) of w_u · w_v / (alpha + |I_u ∩ I_v|),
 *   w_u = (|I_u| + alpha1)^(-beta)
 *
 * U(i) is capped, deterministically, to the `maxUsersPerItem` users who interacted with i
 * most recently (timestamp desc, user index asc); |I_u| and the intersections use the
 * user's whole training history. Each row keeps its top `neighbours` (score desc, item index
 * asc). Writes the tables `swing` (each item's own neighbours) and `swing-target` (its
 * transpose, as item-cf-target); with `normalise` each served row is divided by its maximum
 * (see i2iTables).
 *
 * Item-centric evaluation, no user-pair intersections computed by scanning: for row i with
 * capped users a = 0..m-1, every item j they touched gets the list L_j of the local users
 * that have j; |I_a ∩ I_b| is then the number of lists containing both a and b, and
 * s(i,j) sums the pair coefficients over the pairs of L_j. Per item the cost is
 *   O(Σ_{u ∈ U(i)} |I_u|  +  Σ_j |L_j|²  +  m²)
 * where Σ_j |L_j|² = Σ over capped pairs of |I_u ∩ I_v|, the size of the swing structures
 * themselves; so overall O(Σ_i Σ_{u,v ∈ U(i)} |I_u ∩ I_v|) ≤ O(items · cap² · d) with d the
 * mean pairwise overlap: quadratic in the cap, linear in the catalogue. Memory: O(cap²)
 * scratch for the pair matrices, O(items) dense scratch, O(interactions) for the capped
 * user lists and the output O(items · neighbours). Rows are sharded by item range over
 * `threads` worker threads (parallel/i2i-pool.ts; scratch per thread); the result depends
 * only on the data and the options, bit for bit, never on the number of threads.
 * Measured (cap 300, one thread): ml-latest-small train (80k interactions) 0.09 G pair
 * updates per pass, ~1.6 s; ml-1m-half train (389k) 2.0 G, ~9-12 s. On the ML-20M-shaped
 * synthetic log of bench/ (20 M interactions), 2 threads: ~7.5 min, ~0.7 GB peak RSS.
 */
import type { SimilarityTable } from '../../../lib/stores/similarity/similarity-table.js';
import type { Job, JobContext, JobOutput } from '../job.js';
import { computeRowsSharded, resolveThreads } from '../parallel/i2i-pool.js';
import { planChunks, runChunksInline } from '../parallel/row-chunks.js';
import { runI2iJob } from '../i2i-job.js';
import type { TrainingData } from '../training-data.js';
import { swingCost, swingInputs, swingKernel, type SwingKernelOptions } from './swing.kernel.js';

export { cappedItemUsers } from './swing.kernel.js';

export interface SwingOptions extends SwingKernelOptions {
  /** Users considered per item, most recent first. */
  readonly maxUsersPerItem: number;
}

function kernelOptions(options: SwingOptions): SwingKernelOptions {
  return { alpha: options.alpha, alpha1: options.alpha1, beta: options.beta, neighbours: options.neighbours };
}

/** Per item, the top-K Swing neighbours (score desc, item index asc), raw scores; one thread. */
export function swingNeighbours(data: TrainingData, options: SwingOptions, tick: (n: number) => void = () => undefined): SimilarityTable {
  const inputs = swingInputs(data, options.maxUsersPerItem);
  return runChunksInline(data.items, planChunks(swingCost(inputs), 1), swingKernel(inputs, kernelOptions(options)), tick);
}

/** swingNeighbours on `threads` worker threads (0 = one per core): the same table, bit for bit. */
export function swingNeighboursParallel(data: TrainingData, options: SwingOptions, threads: number, tick: (n: number) => void = () => undefined): Promise<SimilarityTable> {
  const inputs = swingInputs(data, options.maxUsersPerItem);
  return computeRowsSharded({ kernel: 'swing', rows: data.items, inputs, options: kernelOptions(options), cost: swingCost(inputs), threads: resolveThreads(threads), tick });
}

export const swingJob: Job = {
  name: 'swing',
  run(context: JobContext): Promise<JobOutput> {
    const { threads, ...options } = context.config.jobs.swing;
    return runI2iJob(context, {
      name: 'swing',
      threads,
      normalise: options.normalise,
      meta: { ...options },
      compute: (resolved, tick) => swingNeighboursParallel(context.data, options, resolved, tick),
    });
  },
};
