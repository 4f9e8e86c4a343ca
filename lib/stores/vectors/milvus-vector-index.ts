/**
 * Item vectors in Milvus through the official SDK (@zilliz/milvus2-sdk-node).
 *
 * Layout: one collection per bundle version, `<alias>_<version>` (version characters outside
 * [A-Za-z0-9_] become `_`), fields `id` (Int64 primary key = catalogue index) and `vector`
 * (FloatVector, dim), an HNSW index with the IP metric; the collection description records
 * {version, dim, count}. Publishing inserts in batches, flushes, builds the index, loads the
 * collection and only then points the alias at it, so a reader of the alias never sees a
 * half-written version. Serving opens the collection of its own bundle version, so vectors and
 * catalogue always agree; the alias tells operators (and other consumers) which is current.
 *
 * Search: many queries go in one request (nq > 1) when they share a `blocked` predicate; a
 * predicate made by blockItems() becomes `id not in [...]`, evaluated by Milvus; a bare predicate
 * is applied here after over-fetching (doubling until enough unblocked items come back).
 * Hits are re-sorted by score then ascending id, so ties order as in the embedded backends.
 * Every transport failure, timeout or non-Success status is RECSYS_ERR_STORE_UNAVAILABLE
 * (dependency: the two-tower recall source fails open); a missing collection is
 * RECSYS_ERR_BUNDLE_MISSING.
 */
import { DataType, LoadState, MilvusClient, type ResStatus, type SearchResultData } from '@zilliz/milvus2-sdk-node';
import type { CandidateList } from '../../domain/candidate.js';
import { EMPTY_CANDIDATES } from '../../domain/candidate.js';
import { RecsysError, errorMessage, isRecsysError } from '../../domain/errors.js';
import { TopKHeap } from './top-k-heap.js';
import { checkQuery, clampK, type BlockedItem, type VectorIndex } from './vector-index.js';

const ID_FIELD = 'id';
const VECTOR_FIELD = 'vector';
/** Milvus caps topk (and HNSW ef) at 16,384. */
const MAX_TOPK = 16_384;
/** Longer exclusion lists are applied client-side: a filter of tens of thousands of ids costs more to parse than it saves. */
const MAX_FILTER_IDS = 10_000;
const INSERT_BATCH = 5_000;

export interface MilvusConnection {
  /** host:port */
  readonly address: string;
  readonly database?: string;
  /** Deadline of one call in ms. */
  readonly timeoutMs: number;
}

export function milvusError(error: unknown, doing: string): RecsysError {
  if (isRecsysError(error)) return error;
  return new RecsysError('RECSYS_ERR_STORE_UNAVAILABLE', `milvus: ${doing}: ${errorMessage(error)}`, { cause: error });
}

function ensureOk(status: ResStatus | undefined, doing: string): void {
  if (status === undefined) throw new RecsysError('RECSYS_ERR_STORE_UNAVAILABLE', `milvus: ${doing}: no status in the response`);
  if (status.error_code === 'Success' || status.error_code === 0) return;
  const reason = `${String(status.error_code)} ${status.reason}`.trim();
  if (/collection not found|can't find collection|CollectionNotExists|alias.*not (found|exist)/i.test(reason)) {
    throw new RecsysError('RECSYS_ERR_BUNDLE_MISSING', `milvus: ${doing}: ${reason}`);
  }
  throw new RecsysError('RECSYS_ERR_STORE_UNAVAILABLE', `milvus: ${doing}: ${reason}`);
}

/**
 * A connected client. The SDK starts connecting in its constructor and keeps the promise; a
 * dead server would reject it with no handler (an unhandled rejection ends the process), so it
 * is awaited here and turned into RECSYS_ERR_STORE_UNAVAILABLE.
 */
export async function connectMilvus(connection: MilvusConnection): Promise<MilvusClient> {
  const client = new MilvusClient({
    address: connection.address,
    timeout: connection.timeoutMs,
    ...(connection.database === undefined ? {} : { database: connection.database }),
    logLevel: 'error',
  });
  const ready = client.connectPromise;
  ready.catch(() => undefined);
  try {
    await ready;
  } catch (error) {
    await client.closeConnection().catch(() => undefined);
    throw milvusError(error, `connecting to ${connection.address}`);
  }
  return client;
}

/** The collection that holds `version` under `alias`. */
export function versionCollection(alias: string, version: string): string {
  return `${alias}_${version.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

export interface PublishMilvusVectorsOptions {
  readonly alias: string;
  readonly version: string;
  readonly vectors: Float32Array;
  readonly dim: number;
  readonly m: number;
  readonly efConstruction: number;
  readonly timeoutMs: number;
  /** Point the alias at the new collection (default true). */
  readonly makeCurrent?: boolean;
  readonly batchSize?: number;
}

/** Writes, indexes and loads one version's collection, then flips the alias to it. Returns the collection name. */
export async function publishMilvusVectors(client: MilvusClient, options: PublishMilvusVectorsOptions): Promise<string> {
  const { alias, version, vectors, dim, timeoutMs } = options;
  const collection = versionCollection(alias, version);
  const count = vectors.length / dim;
  try {
    const exists = await client.hasCollection({ collection_name: collection, timeout: timeoutMs });
    ensureOk(exists.status, `checking ${collection}`);
    if (exists.value === true) {
      if ((await currentMilvusCollection(client, alias, timeoutMs)) === collection) {
        throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', `milvus: ${collection} is the current version behind alias ${alias}; refusing to overwrite it`);
      }
      // A half-finished earlier attempt at the same version: start again.
      ensureOk(await client.dropCollection({ collection_name: collection, timeout: timeoutMs }), `dropping stale ${collection}`);
    }
    ensureOk(await client.createCollection({
      collection_name: collection,
      description: JSON.stringify({ version, dim, count }),
      fields: [
        { name: ID_FIELD, data_type: DataType.Int64, is_primary_key: true, autoID: false },
        { name: VECTOR_FIELD, data_type: DataType.FloatVector, dim },
      ],
      timeout: timeoutMs,
    }), `creating ${collection}`);
    const batch = options.batchSize ?? INSERT_BATCH;
    for (let start = 0; start < count; start += batch) {
      const end = Math.min(count, start + batch);
      const rows = [];
      for (let item = start; item < end; item++) rows.push({ [ID_FIELD]: item, [VECTOR_FIELD]: Array.from(vectors.subarray(item * dim, item * dim + dim)) });
      const inserted = await client.insert({ collection_name: collection, data: rows, timeout: timeoutMs });
      ensureOk(inserted.status, `inserting items ${start}..${end - 1} into ${collection}`);
    }
    // Index builds and loads can take far longer than one query's deadline.
    ensureOk((await client.flushSync({ collection_names: [collection] })).status, `flushing ${collection}`);
    ensureOk(await client.createIndex({
      collection_name: collection,
      field_name: VECTOR_FIELD,
      index_name: `${VECTOR_FIELD}_hnsw`,
      index_type: 'HNSW',
      metric_type: 'IP',
      params: { M: options.m, efConstruction: options.efConstruction },
    }), `indexing ${collection}`);
    ensureOk(await client.loadCollectionSync({ collection_name: collection }), `loading ${collection}`);
    if (options.makeCurrent ?? true) await pointAlias(client, alias, collection, timeoutMs);
    return collection;
  } catch (error) {
    throw milvusError(error, `publishing ${collection}`);
  }
}

async function pointAlias(client: MilvusClient, alias: string, collection: string, timeoutMs: number): Promise<void> {
  const current = await currentMilvusCollection(client, alias, timeoutMs);
  if (current === null) ensureOk(await client.createAlias({ alias, collection_name: collection, timeout: timeoutMs }), `creating alias ${alias}`);
  else ensureOk(await client.alterAlias({ alias, collection_name: collection, timeout: timeoutMs }), `moving alias ${alias}`);
}

/** The collection the alias points at, or null when it does not exist yet. */
export async function currentMilvusCollection(client: MilvusClient, alias: string, timeoutMs: number): Promise<string | null> {
  // The request type asks for a collection name although the server ignores it for an alias lookup.
  const described = await client.describeAlias({ alias, collection_name: alias, timeout: timeoutMs });
  if (described.status.error_code !== 'Success' && described.status.error_code !== 0) return null;
  return described.collection === '' ? null : described.collection;
}

/** Collections of this alias's versions, oldest first (version names sort by time). */
export async function milvusVersionCollections(client: MilvusClient, alias: string, timeoutMs: number): Promise<string[]> {
  const listed = await client.listCollections({ timeout: timeoutMs });
  ensureOk(listed.status, 'listing collections');
  return listed.data.map((c) => c.name).filter((name) => name.startsWith(`${alias}_`)).sort();
}

/** Drops all but the newest `keep` version collections, never the alias's current one. Returns the dropped names. */
export async function pruneMilvusVersions(client: MilvusClient, alias: string, keep: number, timeoutMs: number): Promise<string[]> {
  const collections = await milvusVersionCollections(client, alias, timeoutMs);
  const current = await currentMilvusCollection(client, alias, timeoutMs);
  const dropped: string[] = [];
  for (const name of collections.slice(0, Math.max(0, collections.length - keep))) {
    if (name === current) continue;
    await client.releaseCollection({ collection_name: name, timeout: timeoutMs }).catch(() => undefined);
    ensureOk(await client.dropCollection({ collection_name: name, timeout: timeoutMs }), `dropping ${name}`);
    dropped.push(name);
  }
  return dropped;
}

export interface OpenMilvusIndexOptions {
  /** The collection to read (versionCollection(alias, version)). */
  readonly collection: string;
  readonly efSearch: number;
  readonly timeoutMs: number;
  /** Called once by close(), e.g. to close the client the opener created. */
  readonly onClose?: () => Promise<void>;
}

export class MilvusVectorIndex implements VectorIndex {
  readonly kind = 'milvus';
  private closed = false;

  private constructor(
    private readonly client: MilvusClient,
    readonly collection: string,
    readonly dim: number,
    readonly size: number,
    private readonly options: OpenMilvusIndexOptions,
  ) {}

  /** Opens a published collection (loading it if the server was restarted) and reads its dim and size. */
  static async open(client: MilvusClient, options: OpenMilvusIndexOptions): Promise<MilvusVectorIndex> {
    const { collection, timeoutMs } = options;
    try {
      const described = await client.describeCollection({ collection_name: collection, timeout: timeoutMs });
      ensureOk(described.status, `describing ${collection}`);
      const field = described.schema.fields.find((f) => f.name === VECTOR_FIELD);
      const dim = Number(field?.dim ?? field?.type_params.find((p) => p.key === 'dim')?.value);
      let count = Number.NaN;
      try {
        const parsed: unknown = JSON.parse(described.schema.description);
        if (typeof parsed === 'object' && parsed !== null && 'count' in parsed) count = Number(parsed.count);
      } catch {
        // handled below
      }
      if (!Number.isInteger(dim) || dim <= 0 || !Number.isInteger(count) || count < 0) {
        throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `milvus: ${collection} is not a recsys item-vector collection (dim ${dim}, count ${count})`);
      }
      const state = await client.getLoadState({ collection_name: collection, timeout: timeoutMs });
      ensureOk(state.status, `load state of ${collection}`);
      if (state.state !== LoadState.LoadStateLoaded) ensureOk(await client.loadCollectionSync({ collection_name: collection }), `loading ${collection}`);
      return new MilvusVectorIndex(client, collection, dim, count, options);
    } catch (error) {
      throw milvusError(error, `opening ${collection}`);
    }
  }

  readonly search = async (query: Float32Array, k: number, blocked?: BlockedItem): Promise<CandidateList> => {
    const [result] = await this.searchMany([query], k, [blocked]);
    return result ?? EMPTY_CANDIDATES;
  };

  readonly searchMany = async (queries: readonly Float32Array[], k: number, blocked?: readonly (BlockedItem | undefined)[]): Promise<CandidateList[]> => {
    for (const query of queries) checkQuery(query, this.dim, this.kind);
    if (this.closed) throw new RecsysError('RECSYS_ERR_STORE_UNAVAILABLE', `milvus: ${this.collection} index is closed`);
    const limit = clampK(k, this.size);
    const results = new Array<CandidateList>(queries.length).fill(EMPTY_CANDIDATES);
    if (limit === 0 || queries.length === 0) return results;
    // One request per distinct predicate (the filter expression is per request, not per query).
    const groups = new Map<BlockedItem | undefined, number[]>();
    queries.forEach((_, q) => {
      const key = blocked?.[q];
      const group = groups.get(key);
      if (group) group.push(q);
      else groups.set(key, [q]);
    });
    await Promise.all([...groups].map(async ([predicate, members]) => {
      const lists = await this.searchGroup(members.map((q) => queries[q]!), limit, predicate);
      members.forEach((q, i) => (results[q] = lists[i]!));
    }));
    return results;
  };

  readonly close = async (): Promise<void> => {
    if (this.closed) return;
    this.closed = true;
    await this.options.onClose?.();
  };

  private async searchGroup(queries: Float32Array[], limit: number, blocked: BlockedItem | undefined): Promise<CandidateList[]> {
    const listed = blocked?.items;
    const filter = listed !== undefined && listed.length > 0 && listed.length <= MAX_FILTER_IDS ? `${ID_FIELD} not in [${listed.join(',')}]` : '';
    // Filtered server-side (or nothing blocked): k hits suffice. A bare predicate: over-fetch, then double.
    const clientSide = blocked !== undefined && filter === '';
    let fetch = clientSide ? Math.min(this.size, limit + (limit >> 2) + 16) : limit;
    let pending = queries.map((_, i) => i);
    const out = new Array<CandidateList>(queries.length);
    for (;;) {
      const hits = await this.request(pending.map((i) => queries[i]!), Math.min(fetch, MAX_TOPK), filter);
      const short: number[] = [];
      pending.forEach((i, at) => {
        const heap = new TopKHeap(limit);
        for (const hit of hits[at] ?? []) {
          // Int64 ids arrive as strings or numbers depending on the SDK's long handling.
          const item = Number(hit.id);
          if (!Number.isInteger(item) || item < 0 || item >= this.size) continue;
          if (blocked !== undefined && blocked(item)) continue;
          heap.push(item, Math.fround(hit.score));
        }
        const fetchedAll = fetch >= this.size || fetch >= MAX_TOPK;
        if (!heap.full && clientSide && !fetchedAll) short.push(i);
        else out[i] = heap.drain();
      });
      if (short.length === 0) return out;
      pending = short;
      fetch = Math.min(this.size, fetch * 2);
    }
  }

  /** One Milvus search request; hits per query in query order. */
  private async request(queries: Float32Array[], topk: number, filter: string): Promise<SearchResultData[][]> {
    const { collection, options } = this;
    let response;
    try {
      response = await this.client.search({
        collection_name: collection,
        anns_field: VECTOR_FIELD,
        data: queries.map((query) => Array.from(query)),
        limit: topk,
        ...(filter === '' ? {} : { filter }),
        output_fields: [ID_FIELD],
        metric_type: 'IP',
        params: { ef: Math.min(MAX_TOPK, Math.max(options.efSearch, topk)) },
        timeout: options.timeoutMs,
      });
    } catch (error) {
      throw milvusError(error, `searching ${collection}`);
    }
    ensureOk(response.status, `searching ${collection}`);
    // The SDK returns a flat hit list for one query and a list per query for several.
    const results: unknown[] = response.results;
    if (queries.length === 1) return [results as SearchResultData[]];
    return queries.map((_, q) => (Array.isArray(results[q]) ? (results[q] as SearchResultData[]) : []));
  }
}
