/**
 * MongoDB backend for i2i tables (official `mongodb` driver).
 *
 * Layout, per database:
 *   i2i_<table>_<version>        one collection per bundle version and table (names sanitised),
 *                                documents { _id: itemIndex, items: number[], scores: number[] };
 *                                items with no neighbours have no document.
 *   recsys_similarity_versions   { _id: version, tables: { <table>: <collection> }, rows: { <table>: n }, complete, publishedAt }
 *   recsys_aliases               { _id: 'bundle', version } — flipped only after every table of a version is written.
 *
 * Item indices are the bundle catalogue's dense indices; a version's tables are only ever read
 * together with that version's catalogue, so versions never mix.
 */
import {
  MongoClientClosedError, MongoError, MongoNetworkError, MongoNotConnectedError, MongoOperationTimeoutError,
  MongoServerClosedError, MongoServerSelectionError, MongoTopologyClosedError,
  type AnyBulkWriteOperation, type Db,
} from 'mongodb';
import { EMPTY_CANDIDATES, type CandidateList } from '../../domain/candidate.js';
import { RecsysError, errorMessage } from '../../domain/errors.js';
import type { SimilarityStore } from './similarity-store.js';
import type { SimilarityTable } from './similarity-table.js';

export const ALIAS_COLLECTION = 'recsys_aliases';
export const VERSIONS_COLLECTION = 'recsys_similarity_versions';
export const BUNDLE_ALIAS = 'bundle';

/** One neighbour row as stored. */
export interface SimilarityRowDocument {
  _id: number;
  items: number[];
  scores: number[];
}

interface AliasDocument {
  _id: string;
  version: string;
}

interface VersionDocument {
  _id: string;
  tables: Record<string, string>;
  rows: Record<string, number>;
  /** False while the version's rows are being written; readers only open complete versions. */
  complete: boolean;
  publishedAt: Date;
}

/**
 * Maps a driver failure to the error catalogue: connection loss, server selection and
 * timeouts become RECSYS_ERR_STORE_UNAVAILABLE (category dependency, so recall fails open);
 * any other driver/server error too, since the store cannot answer; non-driver errors pass through.
 */
export function mongoStoreError(error: unknown, what: string): unknown {
  if (error instanceof RecsysError) return error;
  if (
    error instanceof MongoServerSelectionError || error instanceof MongoNetworkError
    || error instanceof MongoOperationTimeoutError || error instanceof MongoTopologyClosedError
    || error instanceof MongoNotConnectedError || error instanceof MongoClientClosedError
    || error instanceof MongoServerClosedError
  ) {
    return new RecsysError('RECSYS_ERR_STORE_UNAVAILABLE', `mongodb unreachable while ${what}: ${errorMessage(error)}`, { cause: error });
  }
  if (error instanceof MongoError) {
    return new RecsysError('RECSYS_ERR_STORE_UNAVAILABLE', `mongodb failed while ${what}: ${errorMessage(error)}`, { cause: error });
  }
  return error;
}

/** Runs a driver call, converting its failures with `mongoStoreError`. */
export async function guardMongo<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw mongoStoreError(error, what);
  }
}

/** Collection name for a table of a version: only [A-Za-z0-9_-], so it is always a legal name. */
export function similarityCollectionName(table: string, version: string): string {
  const clean = (part: string): string => part.replace(/[^A-Za-z0-9_-]/g, '_');
  return `i2i_${clean(table)}_${clean(version)}`;
}

/** The version the alias points at, or null before the first publish. */
export async function currentSimilarityVersion(db: Db): Promise<string | null> {
  const alias = await guardMongo('reading the bundle alias', () =>
    db.collection<AliasDocument>(ALIAS_COLLECTION).findOne({ _id: BUNDLE_ALIAS }));
  return typeof alias?.version === 'string' ? alias.version : null;
}

export interface PublishOptions {
  /** Rows per unordered bulkWrite. */
  batchSize?: number;
  /** Flip the alias to this version once every table is written (default true). */
  makeCurrent?: boolean;
}

/**
 * Writes every table of `version` into its own collections with unordered bulk upserts in
 * batches, records the version's table list, then flips the alias. Re-running a publish that
 * failed half-way starts the version over; the version the alias points at is never rewritten.
 */
export async function publishSimilarityTables(
  db: Db,
  version: string,
  tables: ReadonlyMap<string, SimilarityTable>,
  options: PublishOptions = {},
): Promise<void> {
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', `batchSize must be a positive integer, got ${batchSize}`, { field: 'batchSize' });
  if (version.length === 0) throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', 'version must not be empty', { field: 'version' });
  if ((await currentSimilarityVersion(db)) === version) {
    throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', `similarity version ${version} is current; published versions are immutable`, { field: 'version' });
  }
  const names: Record<string, string> = {};
  const rows: Record<string, number> = {};
  const used = new Map<string, string>();
  for (const [table, data] of tables) {
    const collection = similarityCollectionName(table, version);
    const clash = used.get(collection);
    if (clash !== undefined) throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', `tables "${clash}" and "${table}" map to the same collection ${collection}`, { field: 'tables' });
    used.set(collection, table);
    names[table] = collection;
    rows[table] = data.rows;
  }
  await dropVersionCollections(db, version);
  const existing = new Set((await guardMongo('listing collections', () => db.listCollections({}, { nameOnly: true }).toArray())).map((c) => c.name));
  for (const collection of used.keys()) {
    if (existing.has(collection)) throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', `collection ${collection} already holds another version (version names that differ only in punctuation collide)`, { field: 'version' });
  }
  const versions = db.collection<VersionDocument>(VERSIONS_COLLECTION);
  // Recorded before any row is written, so a publish that dies half-way can be dropped or retried.
  const draft: VersionDocument = { _id: version, tables: names, rows, complete: false, publishedAt: new Date() };
  await guardMongo(`recording ${version}`, () => versions.replaceOne({ _id: version }, draft, { upsert: true }));
  for (const [table, data] of tables) {
    const collection = db.collection<SimilarityRowDocument>(names[table]!);
    let batch: AnyBulkWriteOperation<SimilarityRowDocument>[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const operations = batch;
      batch = [];
      await guardMongo(`writing ${table} of ${version}`, () => collection.bulkWrite(operations, { ordered: false }));
    };
    for (let item = 0; item < data.rows; item++) {
      const row = data.row(item);
      if (row.items.length === 0) continue;
      batch.push({
        replaceOne: {
          filter: { _id: item },
          replacement: { items: Array.from(row.items), scores: Array.from(row.scores) },
          upsert: true,
        },
      });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  }
  await guardMongo(`completing ${version}`, () =>
    versions.updateOne({ _id: version }, { $set: { complete: true, publishedAt: new Date() } }));
  if (options.makeCurrent ?? true) {
    await guardMongo(`flipping the alias to ${version}`, () =>
      db.collection<AliasDocument>(ALIAS_COLLECTION).replaceOne({ _id: BUNDLE_ALIAS }, { version }, { upsert: true }));
  }
}

/** Versions that have a complete table list, oldest publish first. */
export async function similarityVersions(db: Db): Promise<string[]> {
  const docs = await guardMongo('listing similarity versions', () =>
    db.collection<VersionDocument>(VERSIONS_COLLECTION).find({ complete: true }, { sort: { publishedAt: 1 } }).toArray());
  return docs.map((doc) => doc._id);
}

/** Drops a version's collections and record (pruning). Refuses the version the alias points at. */
export async function dropVersion(db: Db, version: string): Promise<void> {
  if ((await currentSimilarityVersion(db)) === version) {
    throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', `similarity version ${version} is current and cannot be dropped`, { field: 'version' });
  }
  await dropVersionCollections(db, version);
  await guardMongo(`dropping ${version}`, () => db.collection<VersionDocument>(VERSIONS_COLLECTION).deleteOne({ _id: version }));
}

async function dropVersionCollections(db: Db, version: string): Promise<void> {
  const record = await guardMongo(`reading ${version}`, () => db.collection<VersionDocument>(VERSIONS_COLLECTION).findOne({ _id: version }));
  if (!record) return;
  const present = new Set((await guardMongo('listing collections', () => db.listCollections({}, { nameOnly: true }).toArray())).map((c) => c.name));
  for (const name of Object.values(record.tables)) {
    if (present.has(name)) await guardMongo(`dropping ${name}`, () => db.collection(name).drop());
  }
}

export interface MongoSimilarityStoreOptions {
  /** Version to read; default: the one the alias points at. Pass the serving bundle's version when the catalogue comes from it. */
  version?: string;
  /** Hot rows kept in the LRU (0 disables it). Default 10,000. */
  cacheRows?: number;
  /** Called once by close(), e.g. to close the MongoClient this store owns. */
  onClose?: () => Promise<void>;
}

/** Reads one version's tables: one `find({_id: {$in}})` per call for the rows not in the LRU. */
export class MongoSimilarityStore implements SimilarityStore {
  readonly backend = 'mongodb';
  private readonly cache = new Map<string, CandidateList>();
  private closed: Promise<void> | null = null;

  private constructor(
    private readonly db: Db,
    readonly version: string,
    private readonly collections: ReadonlyMap<string, { name: string; rows: number }>,
    private readonly cacheRows: number,
    private readonly onClose: (() => Promise<void>) | undefined,
  ) {}

  /** Resolves the version (alias unless given) and its table list. */
  static async open(db: Db, options: MongoSimilarityStoreOptions = {}): Promise<MongoSimilarityStore> {
    const cacheRows = checkedCacheRows(options.cacheRows);
    const version = options.version ?? await currentSimilarityVersion(db);
    if (version === null) throw new RecsysError('RECSYS_ERR_BUNDLE_MISSING', `no similarity version published in mongodb database ${db.databaseName}`);
    const record = await guardMongo(`reading ${version}`, () => db.collection<VersionDocument>(VERSIONS_COLLECTION).findOne({ _id: version }));
    if (!record?.complete) throw new RecsysError('RECSYS_ERR_BUNDLE_MISSING', `similarity version ${version} is not (completely) published in mongodb database ${db.databaseName}`);
    const collections = new Map<string, { name: string; rows: number }>();
    for (const [table, name] of Object.entries(record.tables)) collections.set(table, { name, rows: record.rows[table] ?? Number.MAX_SAFE_INTEGER });
    return new MongoSimilarityStore(db, version, collections, cacheRows, options.onClose);
  }

  /**
   * A store over `version` whose tables and row counts the caller already knows (e.g. from the
   * serving bundle's manifest and catalogue): no round trip at start; the first read connects.
   */
  static attach(db: Db, version: string, tableRows: ReadonlyMap<string, number>, options: Omit<MongoSimilarityStoreOptions, 'version'> = {}): MongoSimilarityStore {
    const cacheRows = checkedCacheRows(options.cacheRows);
    const collections = new Map<string, { name: string; rows: number }>();
    for (const [table, rows] of tableRows) collections.set(table, { name: similarityCollectionName(table, version), rows });
    return new MongoSimilarityStore(db, version, collections, cacheRows, options.onClose);
  }

  tables(): readonly string[] {
    return [...this.collections.keys()];
  }

  async neighbours(table: string, items: ArrayLike<number>): Promise<CandidateList[]> {
    const out = new Array<CandidateList>(items.length).fill(EMPTY_CANDIDATES);
    const found = this.collections.get(table);
    if (!found) return out;
    if (this.closed !== null) throw new RecsysError('RECSYS_ERR_STORE_UNAVAILABLE', 'similarity store is closed');
    const missing = new Set<number>();
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (!Number.isInteger(item) || item < 0 || item >= found.rows) continue;
      const hit = this.cacheGet(table, item);
      if (hit) out[i] = hit;
      else missing.add(item);
    }
    if (missing.size === 0) return out;
    const ids = [...missing];
    const docs = await guardMongo(`reading ${table}`, () =>
      this.db.collection<SimilarityRowDocument>(found.name)
        .find({ _id: { $in: ids } }, { projection: { items: 1, scores: 1 } })
        .toArray());
    const rows = new Map<number, CandidateList>();
    for (const doc of docs) rows.set(doc._id, toCandidates(doc, found.name));
    for (const id of ids) this.cacheSet(table, id, rows.get(id) ?? EMPTY_CANDIDATES);
    for (let i = 0; i < items.length; i++) {
      const row = rows.get(items[i]!);
      if (row) out[i] = row;
    }
    return out;
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.cache.clear();
      if (this.onClose) await this.onClose();
    })();
    return this.closed;
  }

  private cacheGet(table: string, item: number): CandidateList | undefined {
    if (this.cacheRows === 0) return undefined;
    const key = `${table}\u0000${item}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
    }
    return hit;
  }

  private cacheSet(table: string, item: number, row: CandidateList): void {
    if (this.cacheRows === 0) return;
    const key = `${table}\u0000${item}`;
    this.cache.delete(key);
    this.cache.set(key, row);
    while (this.cache.size > this.cacheRows) {
      const oldest = this.cache.keys().next();
      if (oldest.done === true) break;
      this.cache.delete(oldest.value);
    }
  }
}

function toCandidates(doc: SimilarityRowDocument, origin: string): CandidateList {
  const { items, scores } = doc;
  if (!Array.isArray(items) || !Array.isArray(scores) || items.length !== scores.length) {
    throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${origin}: row ${doc._id} has mismatched items/scores`);
  }
  return { items: Int32Array.from(items), scores: Float32Array.from(scores) };
}

function checkedCacheRows(value: number | undefined): number {
  const cacheRows = value ?? 10_000;
  if (!Number.isInteger(cacheRows) || cacheRows < 0) throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', `cacheRows must be a non-negative integer, got ${cacheRows}`, { field: 'cacheRows' });
  return cacheRows;
}
