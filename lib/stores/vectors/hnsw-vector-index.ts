/**
 * Approximate inner-product search with hnswlib-node, through the MIPS-to-L2 augmentation
 * (Bachrach et al. 2014): each item x becomes [x, sqrt(M^2 - |x|^2)] with M the largest item
 * norm, and a query q becomes [q, 0]; then |q' - x'|^2 = |q|^2 + M^2 - 2 q·x, so the L2 order
 * is the inner-product order. hnswlib's own 'ip' space reached only ~0.8 recall@100 at 60k items
 * (DESIGN.md section 6) because inner product is not a metric and the graph's greedy search
 * stalls at large-norm hubs; the augmented L2 graph measured in bench/ann.bench.ts is in the
 * README's vector store table.
 *
 * The graph only proposes candidates: their scores are recomputed exactly from the item
 * vectors (k dot products), so scores and tie order match the exact index wherever the
 * candidate sets agree. `blocked` is honoured by over-fetching and doubling until enough
 * unblocked items are found (hnswlib's filter callback crosses into JS for every visited node).
 * The index is persisted in the bundle as hnswlib's own file bytes, so loading never rebuilds.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import type { HierarchicalNSW } from 'hnswlib-node';
import { EMPTY_CANDIDATES, type CandidateList } from '../../domain/candidate.js';
import { RecsysError, errorMessage } from '../../domain/errors.js';
import { dotRow } from './exact-vector-index.js';
import type { HnswMeta } from './item-vectors-artifact.js';
import { TopKHeap } from './top-k-heap.js';
import { checkQuery, clampK, type BlockedItem, type VectorIndex } from './vector-index.js';

export interface HnswParams {
  readonly m: number;
  readonly efConstruction: number;
  readonly seed: number;
}

/** Largest L2 norm over the rows. */
function maxRowNorm(vectors: Float32Array, dim: number): number {
  let max = 0;
  for (let base = 0; base < vectors.length; base += dim) {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += vectors[base + j]! * vectors[base + j]!;
    if (norm > max) max = norm;
  }
  return Math.sqrt(max);
}

async function withTempFile<T>(body: (path: string) => Promise<T> | T): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'recsys-hnsw-'));
  try {
    return await body(join(dir, 'index.hnsw'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Builds the augmented HNSW graph (single-threaded, deterministic for a seed) and returns hnswlib's file bytes. */
export async function buildHnswIndex(vectors: Float32Array, dim: number, params: HnswParams): Promise<{ index: Buffer; meta: HnswMeta }> {
  const count = vectors.length / dim;
  const maxNorm = maxRowNorm(vectors, dim);
  const graph = new hnswlib.HierarchicalNSW('l2', dim + 1);
  graph.initIndex(Math.max(1, count), params.m, params.efConstruction, params.seed);
  const point = new Array<number>(dim + 1);
  const maxSquared = maxNorm * maxNorm;
  for (let item = 0; item < count; item++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      const value = vectors[item * dim + j]!;
      point[j] = value;
      norm += value * value;
    }
    point[dim] = Math.sqrt(Math.max(0, maxSquared - norm));
    graph.addPoint(point, item);
  }
  const index = await withTempFile(async (path) => {
    graph.writeIndexSync(path);
    return readFile(path);
  });
  return { index, meta: { dim, count, maxNorm, m: params.m, efConstruction: params.efConstruction, seed: params.seed } };
}

export class HnswVectorIndex implements VectorIndex {
  readonly kind = 'hnsw';
  readonly dim: number;
  readonly size: number;
  private graph: HierarchicalNSW | null;
  /** Scratch augmented query: [q, 0]. Reused: searches run one at a time on the event loop. */
  private readonly point: number[];

  private constructor(graph: HierarchicalNSW, readonly vectors: Float32Array, dim: number, readonly efSearch: number) {
    this.graph = graph;
    this.dim = dim;
    this.size = vectors.length / dim;
    this.point = new Array<number>(dim + 1).fill(0);
  }

  /**
   * Loads a persisted graph (hnswlib reads only from a path, so the bytes pass through a
   * temporary file that is removed at once) over `vectors` (catalogue order, the same rows
   * it was built from).
   */
  static async load(vectors: Float32Array, index: Uint8Array, meta: HnswMeta, efSearch: number): Promise<HnswVectorIndex> {
    if (vectors.length !== meta.count * meta.dim) {
      throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `HNSW index built for ${meta.count} x ${meta.dim} but the item vectors hold ${vectors.length} values`);
    }
    const graph = new hnswlib.HierarchicalNSW('l2', meta.dim + 1);
    await withTempFile(async (path) => {
      await writeFile(path, index);
      try {
        graph.readIndexSync(path);
      } catch (error) {
        throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `HNSW index unreadable: ${errorMessage(error)}`, { cause: error });
      }
    });
    if (graph.getCurrentCount() !== meta.count) {
      throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `HNSW index holds ${graph.getCurrentCount()} items, its meta says ${meta.count}`);
    }
    graph.setEf(efSearch);
    return new HnswVectorIndex(graph, vectors, meta.dim, efSearch);
  }

  /** Builds in memory (tests, benchmarks); serving loads the persisted bytes instead. */
  static async build(vectors: Float32Array, dim: number, params: HnswParams & { readonly efSearch: number }): Promise<HnswVectorIndex> {
    const { index, meta } = await buildHnswIndex(vectors, dim, params);
    return HnswVectorIndex.load(vectors, index, meta, params.efSearch);
  }

  readonly search = (query: Float32Array, k: number, blocked?: BlockedItem): Promise<CandidateList> => {
    checkQuery(query, this.dim, this.kind);
    return Promise.resolve(this.topK(query, k, blocked));
  };

  readonly searchMany = (queries: readonly Float32Array[], k: number, blocked?: readonly (BlockedItem | undefined)[]): Promise<CandidateList[]> => {
    for (const query of queries) checkQuery(query, this.dim, this.kind);
    return Promise.resolve(queries.map((query, q) => this.topK(query, k, blocked?.[q])));
  };

  readonly close = (): Promise<void> => {
    // hnswlib-node frees the native graph when the object is collected; dropping the reference is all there is.
    this.graph = null;
    return Promise.resolve();
  };

  topK(query: Float32Array, k: number, blocked?: BlockedItem): CandidateList {
    const graph = this.graph;
    if (graph === null) throw new RecsysError('RECSYS_ERR_STORE_UNAVAILABLE', 'HNSW vector index is closed');
    const limit = clampK(k, this.size);
    if (limit === 0) return EMPTY_CANDIDATES;
    const { dim, point, vectors } = this;
    for (let j = 0; j < dim; j++) point[j] = query[j]!;
    point[dim] = 0;
    // Without `blocked`, k neighbours suffice; with it, start a quarter higher and double as needed.
    let fetch = blocked === undefined ? limit : Math.min(this.size, limit + (limit >> 2) + 16);
    for (;;) {
      const found = graph.searchKnn(point, fetch).neighbors;
      const heap = new TopKHeap(limit);
      for (const item of found) {
        if (blocked !== undefined && blocked(item)) continue;
        heap.push(item, Math.fround(dotRow(query, vectors, item, dim)));
      }
      if (heap.full || fetch >= this.size) return heap.drain();
      fetch = Math.min(this.size, fetch * 2);
    }
  }
}
