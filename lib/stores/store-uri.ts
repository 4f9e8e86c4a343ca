/**
 * Store URIs: which backend a store port uses, chosen by scheme.
 *   embedded://                          in-process (the default; also for an empty value); for
 *                                        histories durable when a feedback log path is given
 *   mongodb://host[:port][,...]/<db>?... MongoDB via the official driver
 *   mongodb+srv://cluster/<db>?...       MongoDB, SRV seed list
 * The database is the URI's path, default `recsys`; driver options stay in the query string.
 */
import { MongoClient, type Db } from 'mongodb';
import { RecsysError } from '../domain/errors.js';
import type { HistoryStore } from './features/history-store.js';
import { EmbeddedHistoryStore } from './features/embedded-history-store.js';
import { FileHistoryStore, type FsyncPolicy } from './features/file-history-store.js';
import { MongoHistoryStore } from './features/mongodb-history-store.js';
import type { SimilarityStore } from './similarity/similarity-store.js';
import { MongoSimilarityStore, mongoStoreError } from './similarity/mongodb-similarity-store.js';

export const DEFAULT_MONGODB_DATABASE = 'recsys';
/** Applied unless the URI sets serverSelectionTimeoutMS itself: fail fast instead of the driver's 30 s. */
export const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 5000;

export type StoreLocation =
  | { readonly backend: 'embedded' }
  | { readonly backend: 'mongodb'; readonly uri: string; readonly database: string };

/** The URI with any user:password replaced, safe for logs and error messages. */
export function redactUri(uri: string): string {
  return uri.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?]*@/i, '$1***@');
}

/** Parses a store URI; `key` names the config key in errors (e.g. "stores.history"). */
export function parseStoreUri(uri: string, key = 'stores'): StoreLocation {
  const value = uri.trim();
  const invalid = (why: string): RecsysError =>
    new RecsysError('RECSYS_ERR_CONFIG_INVALID', `${key}: ${why} (got "${redactUri(value)}")`, { field: key });
  const scheme = /^([a-z][a-z0-9+.-]*):(\/\/)?/i.exec(value);
  if (value === '') return { backend: 'embedded' };
  if (!scheme) throw invalid('expected embedded:// or mongodb://... / mongodb+srv://...');
  const name = scheme[1]!.toLowerCase();
  if (name === 'embedded') {
    if (value.length > scheme[0].length) throw invalid('embedded:// takes no host or path');
    return { backend: 'embedded' };
  }
  if (name !== 'mongodb' && name !== 'mongodb+srv') throw invalid(`unsupported scheme "${name}:", expected embedded:// or mongodb://... / mongodb+srv://...`);
  if (scheme[2] === undefined) throw invalid(`${name}: needs "//" and a host`);
  const rest = value.slice(scheme[0].length);
  const query = rest.indexOf('?');
  const beforeQuery = query < 0 ? rest : rest.slice(0, query);
  const slash = beforeQuery.indexOf('/');
  const authority = slash < 0 ? beforeQuery : beforeQuery.slice(0, slash);
  const hosts = authority.slice(authority.lastIndexOf('@') + 1);
  if (hosts === '' || hosts.split(',').some((host) => host === '')) throw invalid('missing host');
  let database = DEFAULT_MONGODB_DATABASE;
  const path = slash < 0 ? '' : beforeQuery.slice(slash + 1);
  if (path !== '') {
    try {
      database = decodeURIComponent(path);
    } catch {
      throw invalid('database name is not valid percent-encoding');
    }
    if (/[/\\. "$*<>:|?\0]/.test(database) || Buffer.byteLength(database) >= 64) throw invalid(`"${database}" is not a valid MongoDB database name`);
  }
  return { backend: 'mongodb', uri: value, database };
}

/** A connected client and its database. Connection failures become RECSYS_ERR_STORE_UNAVAILABLE. */
export async function connectMongo(location: { uri: string; database: string }): Promise<{ client: MongoClient; db: Db }> {
  const options = /[?&]serverSelectionTimeoutMS=/i.test(location.uri) ? {} : { serverSelectionTimeoutMS: DEFAULT_SERVER_SELECTION_TIMEOUT_MS };
  let client: MongoClient;
  try {
    client = new MongoClient(location.uri, options);
  } catch (error) {
    // MongoParseError and friends: a bad URI is a config problem, not an outage.
    throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', `invalid mongodb URI "${redactUri(location.uri)}": ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  try {
    await client.connect();
  } catch (error) {
    await client.close().catch(() => undefined);
    throw mongoStoreError(error, `connecting to ${redactUri(location.uri)}`);
  }
  return { client, db: client.db(location.database) };
}

export interface OpenHistoryStoreOptions {
  /** Config key named in errors. */
  key?: string;
  maxPerUser?: number;
  /**
   * embedded:// only (config `stores.feedbackLog`): the append-only feedback log replayed at
   * open (FileHistoryStore). Omitted or '' = in memory only (EmbeddedHistoryStore).
   */
  feedbackLog?: string;
  /** Config `stores.feedbackFsync` (default `interval`). */
  fsync?: FsyncPolicy;
  /** Config `stores.feedbackFsyncMs` (default 100). */
  fsyncIntervalMs?: number;
}

/** Opens the feedback/history store the URI names (config key `stores.history`). */
export async function openHistoryStore(uri: string, options: OpenHistoryStoreOptions = {}): Promise<HistoryStore> {
  const location = parseStoreUri(uri, options.key ?? 'stores.history');
  if (location.backend === 'embedded') {
    if (options.feedbackLog === undefined || options.feedbackLog === '') return new EmbeddedHistoryStore(options.maxPerUser);
    return FileHistoryStore.open(options.feedbackLog, {
      ...(options.maxPerUser === undefined ? {} : { maxPerUser: options.maxPerUser }),
      ...(options.fsync === undefined ? {} : { fsync: options.fsync }),
      ...(options.fsyncIntervalMs === undefined ? {} : { fsyncIntervalMs: options.fsyncIntervalMs }),
    });
  }
  const { client, db } = await connectMongo(location);
  try {
    return await MongoHistoryStore.open(db, { ...(options.maxPerUser === undefined ? {} : { maxPerUser: options.maxPerUser }), onClose: () => client.close() });
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}

export interface OpenSimilarityStoreOptions {
  /** Config key named in errors. */
  key?: string;
  /** Version to read; pass the serving bundle's version so rows and catalogue match. Default: the alias. */
  version?: string;
  cacheRows?: number;
}

/**
 * Opens the similarity store the URI names (config key `stores.similarity`): for embedded://
 * the bundle's in-memory store (`embedded`) is returned as is.
 */
export async function openSimilarityStore(uri: string, embedded: SimilarityStore, options: OpenSimilarityStoreOptions = {}): Promise<SimilarityStore> {
  const location = parseStoreUri(uri, options.key ?? 'stores.similarity');
  if (location.backend === 'embedded') return embedded;
  const { client, db } = await connectMongo(location);
  try {
    return await MongoSimilarityStore.open(db, {
      ...(options.version === undefined ? {} : { version: options.version }),
      ...(options.cacheRows === undefined ? {} : { cacheRows: options.cacheRows }),
      onClose: () => client.close(),
    });
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}
