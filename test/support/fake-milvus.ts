/**
 * An in-memory stand-in for the part of @zilliz/milvus2-sdk-node's MilvusClient that the vector
 * adapter uses, returning the SDK's response shapes as its sources define them (v3.0.6,
 * dist/milvus/grpc/Data.js `_search`: one query gives a flat hit list, several a list per
 * query, no hits at all an empty `results`; Int64 ids as strings; failures as a non-Success
 * status, not an exception). Search is brute force over the inserted rows with the IP metric and
 * understands exactly the filter the adapter writes (`id not in [..]`). It lets the adapter's
 * publishing, grouping, filtering and over-fetching run where no Milvus server can.
 */
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';

interface Collection {
  description: string;
  dim: number;
  rows: Map<number, number[]>;
  indexed: boolean;
  loaded: boolean;
}

const OK = { error_code: 'Success', reason: '', code: 0, retriable: false, detail: '', extra_info: {} };
const fail = (reason: string): typeof OK => ({ ...OK, error_code: 'UnexpectedError', reason });

export interface FakeMilvus {
  readonly client: MilvusClient;
  readonly collections: Map<string, Collection>;
  readonly aliases: Map<string, string>;
  /** Every search request's nq, limit and filter, in order. */
  readonly searches: { nq: number; limit: number; filter: string }[];
  /** When set, every call rejects with this error (a dead server). */
  failWith: Error | null;
}

export function fakeMilvus(): FakeMilvus {
  const collections = new Map<string, Collection>();
  const aliases = new Map<string, string>();
  const searches: FakeMilvus['searches'] = [];
  const state: FakeMilvus = { client: undefined as unknown as MilvusClient, collections, aliases, searches, failWith: null };
  const call = <T>(body: () => T): Promise<T> => (state.failWith ? Promise.reject(state.failWith) : Promise.resolve(body()));
  const resolve = (name: string): Collection | undefined => collections.get(aliases.get(name) ?? name);

  const api = {
    hasCollection: (req: { collection_name: string }) => call(() => ({ status: OK, value: collections.has(req.collection_name) })),
    createCollection: (req: { collection_name: string; description: string; fields: { name: string; dim?: number }[] }) => call(() => {
      if (collections.has(req.collection_name)) return fail('collection already exists');
      const dim = req.fields.find((f) => f.name === 'vector')?.dim ?? 0;
      collections.set(req.collection_name, { description: req.description, dim, rows: new Map(), indexed: false, loaded: false });
      return OK;
    }),
    dropCollection: (req: { collection_name: string }) => call(() => (collections.delete(req.collection_name) ? OK : fail(`collection not found[collection=${req.collection_name}]`))),
    releaseCollection: (req: { collection_name: string }) => call(() => {
      const c = collections.get(req.collection_name);
      if (c) c.loaded = false;
      return OK;
    }),
    insert: (req: { collection_name: string; data: { id: number; vector: number[] }[] }) => call(() => {
      const c = collections.get(req.collection_name);
      if (!c) return { status: fail('collection not found') };
      for (const row of req.data) {
        if (row.vector.length !== c.dim) return { status: fail(`dim mismatch: ${row.vector.length} vs ${c.dim}`) };
        c.rows.set(row.id, row.vector);
      }
      return { status: OK, insert_cnt: String(req.data.length) };
    }),
    flushSync: () => call(() => ({ status: OK })),
    createIndex: (req: { collection_name: string; metric_type: string }) => call(() => {
      const c = collections.get(req.collection_name);
      if (!c || req.metric_type !== 'IP') return fail('bad index request');
      c.indexed = true;
      return OK;
    }),
    loadCollectionSync: (req: { collection_name: string }) => call(() => {
      const c = collections.get(req.collection_name);
      if (!c?.indexed) return fail('index not found');
      c.loaded = true;
      return OK;
    }),
    getLoadState: (req: { collection_name: string }) => call(() => ({ status: OK, state: collections.get(req.collection_name)?.loaded ? 'LoadStateLoaded' : 'LoadStateNotLoad' })),
    describeAlias: (req: { alias: string }) => call(() => {
      const target = aliases.get(req.alias);
      return target === undefined ? { status: fail(`alias not found[database=default][alias=${req.alias}]`), alias: req.alias, collection: '' } : { status: OK, alias: req.alias, collection: target };
    }),
    createAlias: (req: { alias: string; collection_name: string }) => call(() => {
      if (aliases.has(req.alias)) return fail('alias exists');
      aliases.set(req.alias, req.collection_name);
      return OK;
    }),
    alterAlias: (req: { alias: string; collection_name: string }) => call(() => {
      if (!aliases.has(req.alias)) return fail('alias not found');
      aliases.set(req.alias, req.collection_name);
      return OK;
    }),
    dropAlias: (req: { alias: string }) => call(() => (aliases.delete(req.alias) ? OK : fail('alias not found'))),
    listCollections: () => call(() => ({ status: OK, data: [...collections.keys()].map((name) => ({ name, id: name, timestamp: '0', loadedPercentage: '100' })) })),
    describeCollection: (req: { collection_name: string }) => call(() => {
      const c = resolve(req.collection_name);
      if (!c) return { status: fail(`can't find collection[database=default][collection=${req.collection_name}]`), schema: { description: '', fields: [] } };
      return {
        status: OK,
        schema: {
          description: c.description,
          fields: [
            { name: 'id', dim: undefined, type_params: [] },
            { name: 'vector', dim: String(c.dim), type_params: [{ key: 'dim', value: String(c.dim) }] },
          ],
        },
      };
    }),
    search: (req: { collection_name: string; data: number[][]; limit: number; filter?: string; metric_type: string; output_fields: string[] }) => call(() => {
      const c = resolve(req.collection_name);
      if (!c?.loaded) return { status: fail('collection not loaded'), results: [] };
      const filter = req.filter ?? '';
      searches.push({ nq: req.data.length, limit: req.limit, filter });
      const excluded = new Set<number>();
      if (filter !== '') {
        const match = /^id not in \[([0-9,]*)\]$/.exec(filter);
        if (!match) return { status: fail(`cannot parse expression: ${filter}`), results: [] };
        for (const id of match[1]!.split(',')) if (id !== '') excluded.add(Number(id));
      }
      const perQuery = req.data.map((query) => {
        const scored: { id: string; score: number }[] = [];
        for (const [id, vector] of c.rows) {
          if (excluded.has(id)) continue;
          let score = 0;
          for (let j = 0; j < vector.length; j++) score += query[j]! * vector[j]!;
          scored.push({ id: String(id), score: Math.fround(score) });
        }
        // Milvus leaves the order of equal scores unspecified: put ties in descending id order to prove the adapter re-sorts.
        scored.sort((a, b) => b.score - a.score || Number(b.id) - Number(a.id));
        return scored.slice(0, req.limit);
      });
      if (perQuery.every((hits) => hits.length === 0)) return { status: OK, results: [] };
      return { status: OK, results: perQuery.length === 1 ? perQuery[0]! : perQuery };
    }),
    closeConnection: () => Promise.resolve('SHUTDOWN'),
  };
  return Object.assign(state, { client: api as unknown as MilvusClient });
}
