import type { MergedCandidates } from '../merge/rrf-merge.js';

export type DiversityParams =
  | { readonly strategy: 'none' }
  /** Greedy maximal marginal relevance: lambda · relevance − (1 − lambda) · max genre-Jaccard to the items already chosen. */
  | { readonly strategy: 'mmr'; readonly lambda: number; readonly window: number }
  /** At most `maxPerGenre` items per primary (first-listed) genre; items over the cap move behind the rest, in order. */
  | { readonly strategy: 'max-per-genre'; readonly maxPerGenre: number; readonly window: number };

/** Candidates reordered by `order` (positions into `list`). */
function reorder(list: MergedCandidates, order: Int32Array): MergedCandidates {
  const sourceScores = new Map<string, Float32Array>();
  for (const [source, column] of list.sourceScores) sourceScores.set(source, Float32Array.from(order, (p) => column[p]!));
  return { items: Int32Array.from(order, (p) => list.items[p]!), scores: Float32Array.from(order, (p) => list.scores[p]!), sourceScores };
}

function jaccard(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let shared = 0;
  for (const genre of a) if (b.includes(genre)) shared++;
  return shared / (a.length + b.length - shared);
}

/**
 * Greedy MMR over the first `window` candidates (the rest keep their order behind them): cost
 * O(window² · genres), so the window bounds it. Relevance is the candidate's score min-max
 * normalised over the window, so lambda means the same whatever the merge's score scale.
 */
function mmrOrder(list: MergedCandidates, genres: readonly (readonly string[])[], lambda: number, window: number): Int32Array {
  const n = list.items.length;
  const w = Math.min(n, window);
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (let p = 0; p < w; p++) {
    low = Math.min(low, list.scores[p]!);
    high = Math.max(high, list.scores[p]!);
  }
  const relevance = (p: number): number => (high > low ? (list.scores[p]! - low) / (high - low) : 1);
  const order = new Int32Array(n);
  const taken = new Uint8Array(w);
  const maxSimilarity = new Float64Array(w); // to the chosen set, updated incrementally
  for (let k = 0; k < w; k++) {
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let p = 0; p < w; p++) {
      if (taken[p] === 1) continue;
      const value = lambda * relevance(p) - (1 - lambda) * maxSimilarity[p]!;
      if (value > bestValue) {
        bestValue = value;
        best = p;
      }
    }
    taken[best] = 1;
    order[k] = best;
    const chosen = genres[list.items[best]!] ?? [];
    for (let p = 0; p < w; p++) if (taken[p] === 0) maxSimilarity[p] = Math.max(maxSimilarity[p]!, jaccard(chosen, genres[list.items[p]!] ?? []));
  }
  for (let p = w; p < n; p++) order[p] = p;
  return order;
}

function maxPerGenreOrder(list: MergedCandidates, genres: readonly (readonly string[])[], cap: number, window: number): Int32Array {
  const n = list.items.length;
  const w = Math.min(n, window);
  const counts = new Map<string, number>();
  const order = new Int32Array(n);
  const deferred: number[] = [];
  let k = 0;
  for (let p = 0; p < w; p++) {
    const primary = genres[list.items[p]!]?.[0];
    const count = primary === undefined ? 0 : (counts.get(primary) ?? 0);
    if (primary !== undefined && count >= cap) {
      deferred.push(p);
      continue;
    }
    if (primary !== undefined) counts.set(primary, count + 1);
    order[k++] = p;
  }
  for (const p of deferred) order[k++] = p;
  for (let p = w; p < n; p++) order[k++] = p;
  return order;
}

/** Genre-diversity re-rank of the filtered candidates (a new list; the input is left as is). */
export function diversify(list: MergedCandidates, genres: readonly (readonly string[])[], params: DiversityParams): MergedCandidates {
  if (params.strategy === 'none' || list.items.length < 2) return list;
  const order = params.strategy === 'mmr' ? mmrOrder(list, genres, params.lambda, params.window) : maxPerGenreOrder(list, genres, params.maxPerGenre, params.window);
  return reorder(list, order);
}
