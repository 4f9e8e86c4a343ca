/**
 * The bundle's artifact names and codecs, shared by the offline jobs that write them
 * and the servers that read them, so the two can never disagree on a format.
 */
import { z } from 'zod';
import { RecsysError } from '../../domain/errors.js';
import type { CandidateList } from '../../domain/candidate.js';
import { decodeArrays, encodeArrays, requireArray } from './typed-array-file.js';

export const ARTIFACT = {
  catalogue: 'catalogue.json',
  users: 'users.json',
  histories: 'histories.arr',
  popular: 'popular.json',
  similarity: (table: string) => `${table}.i2i`,
  featureSpec: 'feature-spec.json',
  featureTables: 'rank-features.arr',
  /** Ranker model name → ONNX artifact. */
  rankModels: { 'wide-deep': 'ranker.onnx', gbdt: 'gbdt.onnx', lr: 'lr.onnx' },
} as const;

export type RankModelName = keyof typeof ARTIFACT.rankModels;
export const RANK_MODEL_NAMES = Object.keys(ARTIFACT.rankModels) as RankModelName[];

/** Artifacts the ranking stage reads, kept as bytes on the serving bundle. */
export const RANKING_ARTIFACTS: readonly string[] = [ARTIFACT.featureSpec, ARTIFACT.featureTables, ...Object.values(ARTIFACT.rankModels)];

function parseJson<T>(bytes: Buffer, schema: z.ZodType<T>, origin: string): T {
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${origin}: not JSON`);
  }
  const result = schema.safeParse(document);
  if (!result.success) throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${origin}: ${result.error.issues[0]?.message ?? 'invalid'}`);
  return result.data;
}

const catalogueSchema = z.object({
  itemIds: z.array(z.string()),
  titles: z.array(z.string()),
  years: z.array(z.number().int().nullable()),
  genres: z.array(z.array(z.string())),
});

/** Every item of the bundle, index = dense item index. */
export type CatalogueDocument = z.infer<typeof catalogueSchema>;

export function decodeCatalogue(bytes: Buffer): CatalogueDocument {
  const doc = parseJson(bytes, catalogueSchema, ARTIFACT.catalogue);
  const n = doc.itemIds.length;
  if (doc.titles.length !== n || doc.years.length !== n || doc.genres.length !== n) {
    throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${ARTIFACT.catalogue}: column lengths differ`);
  }
  return doc;
}

const usersSchema = z.object({ userIds: z.array(z.string()) });

export function decodeUsers(bytes: Buffer): string[] {
  return parseJson(bytes, usersSchema, ARTIFACT.users).userIds;
}

/** Per-user histories in CSR form, each row most recent first. */
export interface HistoryTable {
  readonly offsets: Int32Array;
  readonly items: Int32Array;
  readonly timestamps: Float64Array;
  /** Aligned with items: the explicit rating, NaN where unknown (implicit logs, older bundles). */
  readonly ratings: Float32Array;
}

export function encodeHistories(table: HistoryTable): Buffer {
  return encodeArrays({ offsets: table.offsets, items: table.items, timestamps: table.timestamps, ratings: table.ratings });
}

export function decodeHistories(bytes: Buffer): HistoryTable {
  const decoded = decodeArrays(bytes, ARTIFACT.histories);
  const offsets = requireArray(decoded, 'offsets', Int32Array, ARTIFACT.histories);
  const items = requireArray(decoded, 'items', Int32Array, ARTIFACT.histories);
  const table: HistoryTable = {
    offsets,
    items,
    timestamps: requireArray(decoded, 'timestamps', Float64Array, ARTIFACT.histories),
    // Bundles written before ratings were kept have no `ratings` array: every rating unknown.
    ratings: decoded.arrays.has('ratings')
      ? requireArray(decoded, 'ratings', Float32Array, ARTIFACT.histories)
      : new Float32Array(items.length).fill(Number.NaN),
  };
  if (table.offsets[table.offsets.length - 1] !== table.items.length || table.items.length !== table.timestamps.length || table.items.length !== table.ratings.length) {
    throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${ARTIFACT.histories}: lengths disagree`);
  }
  return table;
}

const rankedSchema = z.object({ items: z.array(z.number().int().nonnegative()), scores: z.array(z.number()) });
const popularSchema = z.object({ overall: rankedSchema, byGenre: z.record(z.string(), rankedSchema) });

export interface PopularLists {
  readonly overall: CandidateList;
  readonly byGenre: ReadonlyMap<string, CandidateList>;
}

function toList(ranked: z.infer<typeof rankedSchema>): CandidateList {
  return { items: Int32Array.from(ranked.items), scores: Float32Array.from(ranked.scores) };
}

function fromList(list: CandidateList): z.infer<typeof rankedSchema> {
  return { items: Array.from(list.items), scores: Array.from(list.scores) };
}

export function encodePopular(lists: PopularLists): string {
  return JSON.stringify({
    overall: fromList(lists.overall),
    byGenre: Object.fromEntries([...lists.byGenre].map(([genre, list]) => [genre, fromList(list)])),
  });
}

export function decodePopular(bytes: Buffer): PopularLists {
  const doc = parseJson(bytes, popularSchema, ARTIFACT.popular);
  return { overall: toList(doc.overall), byGenre: new Map(Object.entries(doc.byGenre).map(([g, r]) => [g, toList(r)])) };
}
