/**
 * Item vectors in the bundle: the artifact names and codecs shared by the job that writes them
 * (two-tower) and the server that reads them, so the two cannot disagree on a format.
 *
 *   item-vectors.arr   RSYSARR1 file, array `vectors` (f32, count x dim, catalogue order),
 *                      meta {dim, count, metric: 'ip', normalised}
 *   item-vectors.hnsw  RSYSARR1 file, array `index` (u8: hnswlib's own index file) with meta
 *                      {dim, count, maxNorm, m, efConstruction, seed}; present only for catalogues
 *                      of at least `stores.vectors.hnswAbove` items
 */
import { z } from 'zod';
import type { RecsysConfig } from '../../config/schema.js';
import { RecsysError } from '../../domain/errors.js';
import { decodeArrays, encodeArrays, requireArray } from '../bundle/typed-array-file.js';
import { buildHnswIndex } from './hnsw-vector-index.js';

export const ITEM_VECTORS_ARTIFACT = {
  vectors: 'item-vectors.arr',
  hnsw: 'item-vectors.hnsw',
} as const;

export type VectorsConfig = RecsysConfig['stores']['vectors'];

/** Structurally a JobArtifact (offline/jobs/job.ts); lib/stores may not import offline. */
export interface VectorArtifact {
  readonly name: string;
  readonly bytes: Buffer;
}

const vectorsMetaSchema = z.object({
  dim: z.number().int().positive(),
  count: z.number().int().nonnegative(),
  metric: z.literal('ip'),
  normalised: z.boolean(),
});

export type ItemVectorsMeta = z.infer<typeof vectorsMetaSchema>;

export interface ItemVectors {
  readonly vectors: Float32Array;
  readonly meta: ItemVectorsMeta;
}

function corrupt(origin: string, why: string): RecsysError {
  return new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${origin}: ${why}`);
}

/** True when every row has unit L2 norm (within float32 rounding of a normalised MLP output). */
export function isL2Normalised(vectors: Float32Array, dim: number): boolean {
  for (let base = 0; base < vectors.length; base += dim) {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += vectors[base + j]! * vectors[base + j]!;
    if (Math.abs(norm - 1) > 1e-4) return false;
  }
  return true;
}

/** Checks shape and finiteness; NaN or infinite entries would corrupt every ranking. */
export function checkItemVectors(vectors: Float32Array, dim: number, origin: string): number {
  if (!Number.isInteger(dim) || dim <= 0) throw new RecsysError('RECSYS_ERR_VECTORS_DIM_MISMATCH', `${origin}: dim must be a positive integer, got ${dim}`);
  if (vectors.length % dim !== 0) throw new RecsysError('RECSYS_ERR_VECTORS_DIM_MISMATCH', `${origin}: ${vectors.length} values are not rows of ${dim}`);
  for (let i = 0; i < vectors.length; i++) {
    if (!Number.isFinite(vectors[i]!)) throw new RecsysError('RECSYS_ERR_INTERNAL', `${origin}: item ${Math.floor(i / dim)} has a non-finite component`);
  }
  return vectors.length / dim;
}

export function encodeItemVectors(vectors: Float32Array, dim: number): Buffer {
  const count = checkItemVectors(vectors, dim, ITEM_VECTORS_ARTIFACT.vectors);
  const meta: ItemVectorsMeta = { dim, count, metric: 'ip', normalised: isL2Normalised(vectors, dim) };
  return encodeArrays({ vectors }, meta);
}

export function decodeItemVectors(bytes: Buffer, origin: string = ITEM_VECTORS_ARTIFACT.vectors): ItemVectors {
  const decoded = decodeArrays(bytes, origin);
  const parsed = vectorsMetaSchema.safeParse(decoded.meta);
  if (!parsed.success) throw corrupt(origin, `bad meta: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const vectors = requireArray(decoded, 'vectors', Float32Array, origin);
  if (vectors.length !== parsed.data.count * parsed.data.dim) throw corrupt(origin, `${vectors.length} values for ${parsed.data.count} x ${parsed.data.dim}`);
  return { vectors, meta: parsed.data };
}

const hnswMetaSchema = z.object({
  dim: z.number().int().positive(),
  count: z.number().int().nonnegative(),
  /** Largest item norm: the augmentation's constant (see hnsw-vector-index.ts). */
  maxNorm: z.number().nonnegative(),
  m: z.number().int().positive(),
  efConstruction: z.number().int().positive(),
  seed: z.number().int().nonnegative(),
});

export type HnswMeta = z.infer<typeof hnswMetaSchema>;

export function encodeHnswArtifact(index: Buffer, meta: HnswMeta): Buffer {
  return encodeArrays({ index: new Uint8Array(index.buffer, index.byteOffset, index.byteLength) }, meta);
}

export function decodeHnswArtifact(bytes: Buffer, origin: string = ITEM_VECTORS_ARTIFACT.hnsw): { index: Uint8Array; meta: HnswMeta } {
  const decoded = decodeArrays(bytes, origin);
  const parsed = hnswMetaSchema.safeParse(decoded.meta);
  if (!parsed.success) throw corrupt(origin, `bad meta: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return { index: requireArray(decoded, 'index', Uint8Array, origin), meta: parsed.data };
}

/**
 * The bundle artifacts a training job writes for its item vectors (catalogue order, `dim`
 * wide): the vectors, and for catalogues of at least `config.stores.vectors.hnswAbove` items
 * the persisted HNSW graph, so serving never rebuilds it.
 */
export async function itemVectorArtifacts(vectors: Float32Array, dim: number, config: Readonly<RecsysConfig>): Promise<VectorArtifact[]> {
  const settings = config.stores.vectors;
  const artifacts: VectorArtifact[] = [{ name: ITEM_VECTORS_ARTIFACT.vectors, bytes: encodeItemVectors(vectors, dim) }];
  if (vectors.length / dim >= settings.hnswAbove) {
    const { index, meta } = await buildHnswIndex(vectors, dim, settings);
    artifacts.push({ name: ITEM_VECTORS_ARTIFACT.hnsw, bytes: encodeHnswArtifact(index, meta) });
  }
  return artifacts;
}
