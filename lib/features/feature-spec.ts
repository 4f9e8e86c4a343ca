/**
 * The ranker's feature spec (`feature-spec.json` in the bundle): vocabularies, bucket
 * boundaries and dense-column normalisation, computed offline from the training view and
 * read by the trainer and the server alike, so both assemble exactly the same tensors.
 */
import { z } from 'zod';
import { RecsysError } from '../domain/errors.js';

export const FEATURE_SPEC_FORMAT = 2;

/**
 * Categorical fields, in tensor order. `deep` fields get a dim-16 embedding; all get a wide
 * weight. (A wide-only user id was tried on ml-1m-half: same validation AUC, final NDCG@10
 * .294 instead of .301.) `user` fields are the same for every candidate of a request: the assembler fills
 * them per row (the trainer mixes users in a batch), the ONNX graphs take them once ([1]).
 */
export const CATEGORICAL_FIELDS = [
  { name: 'user', deep: true, user: true },
  { name: 'item', deep: true, user: false },
  { name: 'gender', deep: true, user: true },
  { name: 'age', deep: true, user: true },
  { name: 'occupation', deep: true, user: true },
  { name: 'year', deep: true, user: false },
  { name: 'popularity', deep: true, user: false },
  { name: 'activity', deep: true, user: true },
  { name: 'gender-x-genre', deep: false, user: false },
  { name: 'age-x-genre', deep: false, user: false },
  { name: 'occupation-x-genre', deep: false, user: false },
  { name: 'activity-x-popularity', deep: false, user: false },
] as const;

export type CategoricalName = (typeof CATEGORICAL_FIELDS)[number]['name'];

/** Dense fields, in tensor order; widths that depend on data (genres, sources) come from the spec. */
export const DENSE_FIELDS = ['item-genres', 'user-genres', 'item-stats', 'user-stats', 'match', 'candidate', 'affinity'] as const;
export type DenseName = (typeof DENSE_FIELDS)[number];
/** Dense fields that depend on the user only (see CATEGORICAL_FIELDS). */
export const USER_DENSE_FIELDS: ReadonlySet<string> = new Set<DenseName>(['user-genres', 'user-stats']);
export const USER_CATEGORICAL_FIELDS: ReadonlySet<string> = new Set(CATEGORICAL_FIELDS.filter((field) => field.user).map((field) => field.name));

/** Columns per recall source in the `candidate` field: present, sign(score)·log1p(|score|), log1p(rank among candidates). */
export const PER_SOURCE_COLUMNS = 3;
/** Columns after the per-source ones: log1p(merge position), merged score, number of sources. */
export const MERGE_COLUMNS = 3;
/** The `affinity` field: the implicit-ALS score of the candidate for the request's history folded in. */
export const AFFINITY_COLUMNS = 1;

const denseSchema = z.object({ name: z.enum(DENSE_FIELDS), width: z.number().int().positive(), mean: z.array(z.number()), std: z.array(z.number().positive()) });

const specSchema = z.object({
  format: z.literal(FEATURE_SPEC_FORMAT),
  users: z.number().int().nonnegative(),
  items: z.number().int().nonnegative(),
  genres: z.array(z.string()),
  genders: z.array(z.string()),
  ages: z.array(z.number()),
  occupations: z.array(z.string()),
  /** Ascending boundaries: bucket = 1 + number of boundaries <= value (0 = unknown). */
  yearBoundaries: z.array(z.number()),
  popularityBoundaries: z.array(z.number()),
  activityBoundaries: z.array(z.number()),
  /** Recall sources whose scores are features, in column order. */
  sources: z.array(z.string()),
  globalMeanRating: z.number(),
  /** Implicit ALS behind the `affinity` field (lib/features/implicit-als.ts); factors 0 = none (the column is 0). */
  als: z.object({ factors: z.number().int().nonnegative(), alpha: z.number().nonnegative(), lambda: z.number().positive() }),
  categorical: z.array(z.object({ name: z.string(), size: z.number().int().positive(), deep: z.boolean() })),
  dense: z.array(denseSchema),
});

export type FeatureSpec = z.infer<typeof specSchema>;
export type DenseFieldSpec = z.infer<typeof denseSchema>;

/** Vocabulary size of each categorical field, in CATEGORICAL_FIELDS order (0 is always "unknown"). */
export function categoricalSizes(spec: Omit<FeatureSpec, 'categorical' | 'dense'>): Record<CategoricalName, number> {
  const genres = spec.genres.length + 1;
  const years = spec.yearBoundaries.length + 2;
  const popularity = spec.popularityBoundaries.length + 2;
  const activity = spec.activityBoundaries.length + 2;
  return {
    user: spec.users + 1,
    item: spec.items + 1,
    gender: spec.genders.length + 1,
    age: spec.ages.length + 1,
    occupation: spec.occupations.length + 1,
    year: years,
    popularity,
    activity,
    'gender-x-genre': (spec.genders.length + 1) * genres,
    'age-x-genre': (spec.ages.length + 1) * genres,
    'occupation-x-genre': (spec.occupations.length + 1) * genres,
    'activity-x-popularity': activity * popularity,
  };
}

/** Width of each dense field for this spec's genres and sources. */
export function denseWidths(genres: number, sources: number): Record<DenseName, number> {
  return {
    'item-genres': genres,
    'user-genres': genres,
    'item-stats': 3,
    'user-stats': 2,
    match: 2,
    candidate: sources * PER_SOURCE_COLUMNS + MERGE_COLUMNS,
    affinity: AFFINITY_COLUMNS,
  };
}

/** Total input width of the deep part: embeddings of deep fields plus every dense column. */
export function deepInputWidth(spec: FeatureSpec, embeddingDim: number): number {
  return spec.categorical.filter((field) => field.deep).length * embeddingDim + spec.dense.reduce((sum, field) => sum + field.width, 0);
}

export function encodeFeatureSpec(spec: FeatureSpec): string {
  return `${JSON.stringify(spec)}\n`;
}

export function decodeFeatureSpec(bytes: Buffer | string, origin = 'feature-spec.json'): FeatureSpec {
  let document: unknown;
  try {
    document = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch {
    throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${origin}: not JSON`);
  }
  const parsed = specSchema.safeParse(document);
  if (!parsed.success) throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${origin}: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const spec = parsed.data;
  const names = spec.categorical.map((field) => field.name).join(',');
  if (names !== CATEGORICAL_FIELDS.map((field) => field.name).join(',')) throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${origin}: categorical fields ${names} differ from this build's`);
  const widths = denseWidths(spec.genres.length, spec.sources.length);
  if (spec.dense.map((field) => field.name).join(',') !== DENSE_FIELDS.join(',')) throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${origin}: dense fields differ from this build's`);
  for (const field of spec.dense) {
    if (field.width !== widths[field.name] || field.mean.length !== field.width || field.std.length !== field.width) {
      throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${origin}: dense field ${field.name} has inconsistent widths`);
    }
  }
  return spec;
}

/** 1 + number of boundaries <= value (boundaries ascending); 0 is left for "unknown". */
export function bucketOf(boundaries: readonly number[], value: number): number {
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (boundaries[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo + 1;
}
