/**
 * Per-item feature columns, built once when a bundle loads, so assembling a request's batch
 * only copies rows out of them (no per-candidate objects, no string lookups).
 */
import { bucketOf, type FeatureSpec } from './feature-spec.js';
import type { FeatureTables } from './feature-tables.js';
import { factorGram } from './implicit-als.js';

export interface ItemTensors {
  readonly items: number;
  readonly genres: number;
  readonly yearBucket: Int32Array;
  readonly popularityBucket: Int32Array;
  /** 1-based index of the item's first genre in spec.genres, 0 = none. */
  readonly primaryGenre: Int32Array;
  /** items × genres multi-hot. */
  readonly genreHot: Float32Array;
  readonly genreCount: Float32Array;
  /** items × 3: log1p(interactions), shrunk mean rating minus the global mean, release year. */
  readonly stats: Float32Array;
  /** items × spec.als.factors implicit-ALS factors, and their YᵀY + lambda·I (float64, factors²) for the fold-in. */
  readonly alsFactors: Float32Array;
  readonly alsGram: Float64Array;
}

export const ITEM_STATS_WIDTH = 3;

export function buildItemTensors(spec: FeatureSpec, tables: FeatureTables, catalogue: { readonly years: readonly (number | null)[]; readonly genres: readonly (readonly string[])[] }): ItemTensors {
  const items = spec.items;
  const genreIndex = new Map(spec.genres.map((genre, index) => [genre, index]));
  const g = spec.genres.length;
  const yearBucket = new Int32Array(items);
  const popularityBucket = new Int32Array(items);
  const primaryGenre = new Int32Array(items);
  const genreHot = new Float32Array(items * g);
  const genreCount = new Float32Array(items);
  const stats = new Float32Array(items * ITEM_STATS_WIDTH);
  const years = spec.yearBoundaries;
  const typicalYear = years.length > 0 ? years[years.length >> 1]! : 0;
  for (let i = 0; i < items; i++) {
    const year = catalogue.years[i] ?? null;
    yearBucket[i] = year === null ? 0 : bucketOf(years, year);
    const count = tables.itemCount[i]!;
    popularityBucket[i] = bucketOf(spec.popularityBoundaries, count);
    let first = true;
    for (const genre of catalogue.genres[i] ?? []) {
      const at = genreIndex.get(genre);
      if (at === undefined) continue;
      if (first) primaryGenre[i] = at + 1;
      first = false;
      if (genreHot[i * g + at] === 0) genreCount[i]!++;
      genreHot[i * g + at] = 1;
    }
    stats[i * ITEM_STATS_WIDTH] = Math.log1p(count);
    stats[i * ITEM_STATS_WIDTH + 1] = tables.itemMeanRating[i]! - spec.globalMeanRating;
    stats[i * ITEM_STATS_WIDTH + 2] = year ?? typicalYear;
  }
  const { factors, lambda } = spec.als;
  const alsGram = factorGram(tables.alsItemFactors, items, factors, lambda);
  return { items, genres: g, yearBucket, popularityBucket, primaryGenre, genreHot, genreCount, stats, alsFactors: tables.alsItemFactors, alsGram };
}
