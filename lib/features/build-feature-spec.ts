/**
 * Builds the feature spec and tables from the training view (offline only). Dense
 * normalisation starts as identity; `withDenseNormalisation` sets it from assembled training
 * rows, so the server normalises with exactly the statistics the model was trained on.
 */
import {
  CATEGORICAL_FIELDS, DENSE_FIELDS, FEATURE_SPEC_FORMAT, categoricalSizes, denseWidths,
  type DenseFieldSpec, type FeatureSpec,
} from './feature-spec.js';
import type { FeatureTables } from './feature-tables.js';

/** Demographics as the data loaders expose them (ml-1m users.dat, ml-100k u.user). */
export interface UserDemographics {
  readonly gender?: string;
  readonly age?: number;
  readonly occupation?: string;
}

export interface FeatureSpecInput {
  readonly years: readonly (number | null)[];
  readonly genres: readonly (readonly string[])[];
  /** Per bundle user; undefined where the dataset has none. */
  readonly userMeta: readonly (UserDemographics | undefined)[];
  /** Per item: training interactions, sum of known ratings, number of known ratings. */
  readonly itemCount: Int32Array;
  readonly itemRatingSum: Float64Array;
  readonly itemRatingCount: Int32Array;
  /** Per user: history length as the server will see it (capped at the recent-history length). */
  readonly userActivity: Int32Array;
  readonly sources: readonly string[];
  /** Implicit ALS item factors (items × als.factors) behind the `affinity` field; factors 0 = none. */
  readonly als: { readonly factors: number; readonly alpha: number; readonly lambda: number };
  readonly alsItemFactors: Float32Array;
}

/** Prior strength of the shrunk item mean rating, in ratings. */
const RATING_PRIOR = 10;
const QUANTILE_BUCKETS = 10;

export function buildFeatureSpec(input: FeatureSpecInput): { spec: FeatureSpec; tables: FeatureTables } {
  // A catalogue without genres keeps one placeholder so every dense field has a width.
  const found = [...new Set(input.genres.flat())].sort();
  const genres = found.length > 0 ? found : ['(none)'];
  const genders = vocabulary(input.userMeta.map((meta) => meta?.gender));
  const ages = [...new Set(input.userMeta.map((meta) => meta?.age).filter((age): age is number => age !== undefined))].sort((a, b) => a - b);
  const occupations = vocabulary(input.userMeta.map((meta) => meta?.occupation));
  let ratingSum = 0;
  let ratingCount = 0;
  for (let i = 0; i < input.itemCount.length; i++) {
    ratingSum += input.itemRatingSum[i]!;
    ratingCount += input.itemRatingCount[i]!;
  }
  const globalMeanRating = ratingCount > 0 ? ratingSum / ratingCount : 0;
  const base = {
    format: FEATURE_SPEC_FORMAT as typeof FEATURE_SPEC_FORMAT,
    users: input.userMeta.length,
    items: input.itemCount.length,
    genres,
    genders,
    ages,
    occupations,
    yearBoundaries: quantileBoundaries(input.years.filter((year): year is number => year !== null)),
    popularityBoundaries: quantileBoundaries(Array.from(input.itemCount)),
    activityBoundaries: quantileBoundaries(Array.from(input.userActivity)),
    sources: [...input.sources],
    globalMeanRating,
    als: { ...input.als },
  };
  const sizes = categoricalSizes(base);
  const widths = denseWidths(genres.length, input.sources.length);
  const spec: FeatureSpec = {
    ...base,
    categorical: CATEGORICAL_FIELDS.map((field) => ({ name: field.name, size: sizes[field.name], deep: field.deep })),
    dense: DENSE_FIELDS.map((name) => ({ name, width: widths[name], mean: new Array<number>(widths[name]).fill(0), std: new Array<number>(widths[name]).fill(1) })),
  };
  const code = <T>(values: readonly T[], value: T | undefined): number => (value === undefined ? 0 : values.indexOf(value) + 1);
  const itemMeanRating = new Float32Array(input.itemCount.length);
  for (let i = 0; i < itemMeanRating.length; i++) {
    itemMeanRating[i] = (input.itemRatingSum[i]! + RATING_PRIOR * globalMeanRating) / (input.itemRatingCount[i]! + RATING_PRIOR);
  }
  const tables: FeatureTables = {
    userGender: Int32Array.from(input.userMeta, (meta) => code(genders, meta?.gender)),
    userAge: Int32Array.from(input.userMeta, (meta) => code(ages, meta?.age)),
    userOccupation: Int32Array.from(input.userMeta, (meta) => code(occupations, meta?.occupation)),
    itemCount: Int32Array.from(input.itemCount),
    itemMeanRating,
    alsItemFactors: input.alsItemFactors,
  };
  return { spec, tables };
}

/** Sets each dense column's mean and standard deviation from per-column sums over `rows` training rows. */
export function withDenseNormalisation(spec: FeatureSpec, sums: readonly { readonly sum: Float64Array; readonly sq: Float64Array }[], rows: number): FeatureSpec {
  if (rows === 0) return spec;
  const dense: DenseFieldSpec[] = spec.dense.map((field, f) => {
    const { sum, sq } = sums[f]!;
    const mean = Array.from(sum, (total) => total / rows);
    const std = mean.map((m, c) => {
      const variance = sq[c]! / rows - m * m;
      return variance > 1e-9 ? Math.sqrt(variance) : 1;
    });
    return { ...field, mean, std };
  });
  return { ...spec, dense };
}

function vocabulary(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((value): value is string => value !== undefined && value !== ''))].sort();
}

/** Distinct interior quantile boundaries (at most QUANTILE_BUCKETS - 1). */
function quantileBoundaries(values: readonly number[]): number[] {
  if (values.length === 0) return [];
  const sorted = Float64Array.from(values).sort();
  const out: number[] = [];
  for (let q = 1; q < QUANTILE_BUCKETS; q++) {
    const value = sorted[Math.min(sorted.length - 1, Math.floor((q * sorted.length) / QUANTILE_BUCKETS))]!;
    if (out.length === 0 || value > out[out.length - 1]!) out.push(value);
  }
  return out;
}
