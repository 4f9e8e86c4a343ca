import type { CandidateList } from '../../domain/candidate.js';
import { RecsysError } from '../../domain/errors.js';

/**
 * True for an item (catalogue index) that must not be returned (seen, excluded, unavailable).
 * A predicate made by `blockItems` also carries the list itself, which a server backend turns
 * into a filter expression (Milvus: `id not in [...]`) instead of over-fetching.
 */
export interface BlockedItem {
  (item: number): boolean;
  readonly items?: readonly number[];
}

/** A `blocked` predicate over a fixed list of catalogue indices (duplicates and negatives ignored). */
export function blockItems(items: Iterable<number>): BlockedItem {
  const set = new Set<number>();
  for (const item of items) if (Number.isInteger(item) && item >= 0) set.add(item);
  const list = [...set].sort((a, b) => a - b);
  return Object.assign((item: number) => set.has(item), { items: list });
}

/**
 * Item vectors of one bundle version, searchable by inner product. Items are catalogue indices
 * (the bundle's dense item order). Every backend (exact, HNSW, Milvus) honours the same contract
 * (test/contract/vector-index.contract.ts):
 * - results best first by inner product, ties by ascending item index;
 * - `scores` are the inner products (float32);
 * - `blocked` items are never returned, and the list has min(k, unblocked items) entries for an
 *   exact backend (an approximate one may return fewer only when its graph cannot reach more);
 * - a query whose length is not `dim` is RECSYS_ERR_VECTORS_DIM_MISMATCH; a backend that cannot be
 *   reached is RECSYS_ERR_STORE_UNAVAILABLE (the recall source fails open).
 */
export interface VectorIndex {
  readonly dim: number;
  /** Number of item vectors (the catalogue size). */
  readonly size: number;
  /** Backend and algorithm, for logs and metrics: "exact", "hnsw", "milvus". */
  readonly kind: string;
  readonly search: (query: Float32Array, k: number, blocked?: BlockedItem) => Promise<CandidateList>;
  /** Many queries in one call (one round trip for a server backend); results in query order. */
  readonly searchMany: (queries: readonly Float32Array[], k: number, blocked?: readonly (BlockedItem | undefined)[]) => Promise<CandidateList[]>;
  /** Releases native memory or connections; idempotent. */
  readonly close: () => Promise<void>;
}

/** Throws RECSYS_ERR_VECTORS_DIM_MISMATCH unless `query` has `dim` entries. */
export function checkQuery(query: Float32Array, dim: number, kind: string): void {
  if (query.length !== dim) throw new RecsysError('RECSYS_ERR_VECTORS_DIM_MISMATCH', `${kind} vector index: query has ${query.length} dimensions, the index ${dim}`);
}

/** k as a usable count: a non-negative integer no larger than `size`. */
export function clampK(k: number, size: number): number {
  if (!Number.isFinite(k) || k <= 0) return 0;
  return Math.min(Math.floor(k), size);
}
