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
 * Cost: sum over users of |I_u|^2 accumulations, one dense scratch row per item, a top-K
 * heap per row; memory O(items · K).
 */
import { ARTIFACT } from '../../../lib/stores/bundle/artifacts.js';
import type { SimilarityTable } from '../../../lib/stores/similarity/similarity-table.js';
import type { Job, JobContext, JobOutput } from '../job.js';
import { TopKRowsBuilder, i2iTables } from '../similarity-tables.js';
import type { TrainingData } from '../training-data.js';

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
}

/** Per item, the top-K most similar other items by cosine (score desc, item index asc). */
export function cosineNeighbours(data: TrainingData, options: ItemCfOptions, tick: (n: number) => void = () => undefined): SimilarityTable {
  return itemCfNeighbours(data, { neighbours: options.neighbours, minCooccurrence: options.minCooccurrence, iuf: false, alpha: 0.5 }, tick);
}

/** Per item, the top-K neighbours under the configured ItemCF variant (score desc, item index asc), raw scores. */
export function itemCfNeighbours(data: TrainingData, options: ItemCfVariantOptions, tick: (n: number) => void = () => undefined): SimilarityTable {
  const { items, users, itemOffsets, itemUsers, userOffsets, userItems } = data;
  const { alpha, iuf, minCooccurrence } = options;
  const counts = new Int32Array(items);
  const weighted = new Float64Array(items);
  const touched = new Int32Array(items);
  const userWeight = new Float64Array(users);
  for (let u = 0; u < users; u++) userWeight[u] = 1 / Math.log(1 + userOffsets[u + 1]! - userOffsets[u]!);
  const cosine = alpha === 0.5;
  // Denominator factors: rowPow[i] = |N(i)|^(1-alpha), colPow[j] = |N(j)|^alpha.
  const rowPow = new Float64Array(items);
  const colPow = new Float64Array(items);
  for (let i = 0; i < items; i++) {
    const n = itemOffsets[i + 1]! - itemOffsets[i]!;
    rowPow[i] = n ** (1 - alpha);
    colPow[i] = n ** alpha;
  }
  const rows = new TopKRowsBuilder(items, options.neighbours);
  for (let i = 0; i < items; i++) {
    let nTouched = 0;
    for (let p = itemOffsets[i]!; p < itemOffsets[i + 1]!; p++) {
      const u = itemUsers[p]!;
      const w = userWeight[u]!;
      for (let q = userOffsets[u]!; q < userOffsets[u + 1]!; q++) {
        const j = userItems[q]!;
        if (counts[j] === 0) touched[nTouched++] = j;
        counts[j]!++;
        if (iuf) weighted[j]! += w;
      }
    }
    const ni = itemOffsets[i + 1]! - itemOffsets[i]!;
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t]!;
      const c = counts[j]!;
      const numerator = iuf ? weighted[j]! : c;
      counts[j] = 0;
      weighted[j] = 0;
      if (j === i || c < minCooccurrence) continue;
      const nj = itemOffsets[j + 1]! - itemOffsets[j]!;
      rows.push(j, numerator / (cosine ? Math.sqrt(ni * nj) : rowPow[i]! * colPow[j]!));
    }
    rows.endRow();
    tick(1);
  }
  return rows.build();
}

export const itemCfJob: Job = {
  name: 'item-cf',
  run({ data, config, progress }: JobContext): Promise<JobOutput> {
    const options = config.jobs['item-cf'];
    const bar = progress('item-cf', data.items);
    const started = performance.now();
    const neighbours = itemCfNeighbours(data, options, (n) => { bar.tick(n); });
    bar.done();
    const { history, target } = i2iTables(neighbours, options.normalise);
    const meta = { neighbours: options.neighbours, iuf: options.iuf, alpha: options.alpha, normalise: options.normalise };
    return Promise.resolve({
      artifacts: [
        { name: ARTIFACT.similarity('item-cf'), bytes: history.encode({ ...meta, convention: 'history' }) },
        { name: ARTIFACT.similarity('item-cf-target'), bytes: target.encode({ ...meta, convention: 'target' }) },
      ],
      details: { ...meta, entries: neighbours.items.length, seconds: (performance.now() - started) / 1000 },
    });
  },
};
