import { EmbeddedSimilarityStore } from '../../lib/stores/similarity/embedded-similarity-store.js';
import { similarityStoreContract } from './similarity-store.contract.js';

similarityStoreContract('embedded', (tables) =>
  Promise.resolve({ store: new EmbeddedSimilarityStore(tables), cleanup: () => Promise.resolve() }));
