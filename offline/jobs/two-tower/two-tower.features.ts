import type { Dataset } from '../../data/dataset.js';

/**
 * The side features of the two towers, as dense indices:
 * - items: genres (a bag over the dataset's sorted genre vocabulary) and a release-year
 *   bucket (0 = unknown, then 5-year buckets from before 1930 to 2015+);
 * - users: gender, age and occupation (ml-1m, ml-100k demographics), each with index 0 for
 *   unknown, laid out in one shared table: field f's values start at `demographicOffsets[f]`.
 * Metadata (titles, genres, demographics) may be used whole under the evaluation protocol
 * (DESIGN.md 5); nothing here depends on interactions.
 */
export interface TowerFeatures {
  readonly genres: readonly string[];
  readonly itemGenreOffsets: Int32Array;
  readonly itemGenres: Int32Array;
  readonly itemYearBucket: Int32Array;
  readonly yearBuckets: number;
  /** users × DEMOGRAPHIC_FIELDS, already offset into the shared table; row `users` is the unknown user. */
  readonly userDemographics: Int32Array;
  readonly demographicRows: number;
  readonly demographicVocabularies: readonly (readonly string[])[];
}

export const DEMOGRAPHIC_FIELDS = 3;
const FIRST_BUCKET_YEAR = 1930;
const BUCKET_YEARS = 5;
const YEAR_BUCKETS = 19;

/** 0 unknown, 1 before 1930, then one bucket per 5 years, the last open-ended. */
export function yearBucket(year: number | null): number {
  if (year === null || !Number.isFinite(year)) return 0;
  const bucket = Math.floor((year - FIRST_BUCKET_YEAR) / BUCKET_YEARS) + 2;
  return Math.min(Math.max(bucket, 1), YEAR_BUCKETS);
}

function vocabulary(values: readonly (string | undefined)[]): string[] {
  const set = new Set<string>();
  for (const value of values) if (value !== undefined && value.length > 0) set.add(value);
  return [...set].sort();
}

export function buildTowerFeatures(dataset: Dataset): TowerFeatures {
  const items = dataset.itemIds.length;
  const users = dataset.userIds.length;
  const genres = vocabulary(dataset.itemMeta.flatMap((meta) => meta?.genres ?? []));
  const genreIndex = new Map(genres.map((genre, index) => [genre, index]));
  const itemGenreOffsets = new Int32Array(items + 1);
  const list: number[] = [];
  const itemYearBucket = new Int32Array(items);
  for (let i = 0; i < items; i++) {
    const meta = dataset.itemMeta[i];
    for (const genre of new Set(meta?.genres ?? [])) list.push(genreIndex.get(genre)!);
    itemGenreOffsets[i + 1] = list.length;
    itemYearBucket[i] = yearBucket(meta?.year ?? null);
  }
  const fields: ((u: number) => string | undefined)[] = [
    (u) => dataset.userMeta[u]?.gender,
    (u) => (dataset.userMeta[u]?.age === undefined ? undefined : String(dataset.userMeta[u].age)),
    (u) => dataset.userMeta[u]?.occupation,
  ];
  const vocabularies = fields.map((field) => vocabulary(Array.from({ length: users }, (_, u) => field(u))));
  const userDemographics = new Int32Array((users + 1) * DEMOGRAPHIC_FIELDS);
  let offset = 0;
  for (let f = 0; f < DEMOGRAPHIC_FIELDS; f++) {
    const index = new Map(vocabularies[f]!.map((value, k) => [value, k + 1]));
    for (let u = 0; u <= users; u++) {
      const value = u < users ? fields[f]!(u) : undefined;
      userDemographics[u * DEMOGRAPHIC_FIELDS + f] = offset + (value === undefined ? 0 : index.get(value) ?? 0);
    }
    offset += vocabularies[f]!.length + 1;
  }
  return {
    genres,
    itemGenreOffsets,
    itemGenres: Int32Array.from(list),
    itemYearBucket,
    yearBuckets: YEAR_BUCKETS + 1,
    userDemographics,
    demographicRows: offset,
    demographicVocabularies: vocabularies,
  };
}
