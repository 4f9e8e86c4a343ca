/**
 * ItemCF on binary interactions: cosine similarity c(i,j) / sqrt(n(i) n(j)), where c is the
 * number of users who interacted with both. Writes two tables:
 *  - `item-cf`: each item's own top-K neighbours (SimilarItems, "history" convention);
 *  - `item-cf-target`: the transpose, row i lists every j that has i among ITS top-K, so
 *    summing rows over a user's history scores j only by history items among j's own
 *    neighbours (the "target" convention of RecBole's ItemKNN, measurably better).
 * Cost: sum over users of |I_u|^2 accumulations, one dense scratch row per item.
 */
import { SimilarityTable } from '../../../lib/stores/similarity/similarity-table.js';
import { ARTIFACT } from '../../../lib/stores/bundle/artifacts.js';
import type { Job, JobContext, JobOutput } from '../job.js';
import type { TrainingData } from '../training-data.js';

export interface ItemCfOptions {
  readonly neighbours: number;
  readonly minCooccurrence: number;
}

/** Per item, the top-K most similar other items (score desc, item index asc). */
export function cosineNeighbours(data: TrainingData, options: ItemCfOptions, tick: (n: number) => void = () => undefined): SimilarityTable {
  const { items, itemOffsets, itemUsers, userOffsets, userItems } = data;
  const k = options.neighbours;
  const counts = new Float32Array(items);
  const touched = new Int32Array(items);
  const candScores = new Float32Array(items);
  const candItems = new Int32Array(items);
  const order = new Int32Array(items);
  const offsets = new Int32Array(items + 1);
  const rowsItems: Int32Array[] = [];
  const rowsScores: Float32Array[] = [];
  let total = 0;
  for (let i = 0; i < items; i++) {
    let nTouched = 0;
    for (let p = itemOffsets[i]!; p < itemOffsets[i + 1]!; p++) {
      const u = itemUsers[p]!;
      for (let q = userOffsets[u]!; q < userOffsets[u + 1]!; q++) {
        const j = userItems[q]!;
        if (counts[j] === 0) touched[nTouched++] = j;
        counts[j]!++;
      }
    }
    const ni = itemOffsets[i + 1]! - itemOffsets[i]!;
    let nCand = 0;
    for (let t = 0; t < nTouched; t++) {
      const j = touched[t]!;
      const c = counts[j]!;
      counts[j] = 0;
      if (j === i || c < options.minCooccurrence) continue;
      const nj = itemOffsets[j + 1]! - itemOffsets[j]!;
      candItems[nCand] = j;
      candScores[nCand] = c / Math.sqrt(ni * nj);
      order[nCand] = nCand;
      nCand++;
    }
    const sel = order.subarray(0, nCand).sort((a, b) => candScores[b]! - candScores[a]! || candItems[a]! - candItems[b]!);
    const keep = Math.min(k, nCand);
    const rowItems = new Int32Array(keep);
    const rowScores = new Float32Array(keep);
    for (let r = 0; r < keep; r++) {
      rowItems[r] = candItems[sel[r]!]!;
      rowScores[r] = candScores[sel[r]!]!;
    }
    rowsItems.push(rowItems);
    rowsScores.push(rowScores);
    total += keep;
    offsets[i + 1] = total;
    tick(1);
  }
  const flatItems = new Int32Array(total);
  const flatScores = new Float32Array(total);
  for (let i = 0; i < items; i++) {
    flatItems.set(rowsItems[i]!, offsets[i]);
    flatScores.set(rowsScores[i]!, offsets[i]);
  }
  return new SimilarityTable(offsets, flatItems, flatScores);
}

/** Row i of the result lists each j whose row in `table` contains i, with the same score. */
export function transposeTable(table: SimilarityTable): SimilarityTable {
  const n = table.rows;
  const offsets = new Int32Array(n + 1);
  for (const i of table.items) offsets[i + 1]!++;
  for (let i = 0; i < n; i++) offsets[i + 1]! += offsets[i]!;
  const fill = offsets.slice(0, n);
  const items = new Int32Array(table.items.length);
  const scores = new Float32Array(table.items.length);
  for (let j = 0; j < n; j++) {
    for (let p = table.offsets[j]!; p < table.offsets[j + 1]!; p++) {
      const i = table.items[p]!;
      const at = fill[i]!++;
      items[at] = j;
      scores[at] = table.scores[p]!;
    }
  }
  const order = new Int32Array(items.length);
  for (let i = 0; i < n; i++) {
    const start = offsets[i]!;
    const end = offsets[i + 1]!;
    for (let p = start; p < end; p++) order[p] = p;
    order.subarray(start, end).sort((a, b) => scores[b]! - scores[a]! || items[a]! - items[b]!);
  }
  return new SimilarityTable(offsets, Int32Array.from(order, (p) => items[p]!), Float32Array.from(order, (p) => scores[p]!));
}

export const itemCfJob: Job = {
  name: 'item-cf',
  run({ data, config, progress }: JobContext): Promise<JobOutput> {
    const options = config.jobs['item-cf'];
    const bar = progress('item-cf', data.items);
    const started = performance.now();
    const neighbours = cosineNeighbours(data, options, (n) => { bar.tick(n); });
    bar.done();
    const target = transposeTable(neighbours);
    return Promise.resolve({
      artifacts: [
        { name: ARTIFACT.similarity('item-cf'), bytes: neighbours.encode({ neighbours: options.neighbours, convention: 'history' }) },
        { name: ARTIFACT.similarity('item-cf-target'), bytes: target.encode({ neighbours: options.neighbours, convention: 'target' }) },
      ],
      details: { neighbours: options.neighbours, entries: neighbours.items.length, seconds: (performance.now() - started) / 1000 },
    });
  },
};
