/**
 * The VectorIndex contract against the Milvus adapter over an in-memory fake of the SDK
 * (test/support/fake-milvus.ts): runs everywhere and pins the adapter's own logic (publishing,
 * one request per predicate, `id not in` filters, over-fetching, re-sorting ties, result shapes).
 * The same suite runs against a real server in vector-index.milvus.test.ts.
 */
import { fakeMilvus } from '../support/fake-milvus.js';
import { vectorIndexContract } from './vector-index.contract.js';
import { openPublished } from './vector-index.milvus.contract.js';

vectorIndexContract('milvus adapter over the SDK fake', (vectors, dim) => openPublished(fakeMilvus().client, 'recsys_fake', vectors, dim), { kind: 'milvus' });
