import { ExactVectorIndex } from '../../lib/stores/vectors/exact-vector-index.js';
import { vectorIndexContract } from './vector-index.contract.js';

vectorIndexContract('exact', (vectors, dim) => Promise.resolve({ index: new ExactVectorIndex(vectors, dim), cleanup: () => Promise.resolve() }), { kind: 'exact' });
