import { EmbeddedHistoryStore } from '../../lib/stores/features/embedded-history-store.js';
import { historyStoreContract } from './history-store.contract.js';

historyStoreContract('embedded', () =>
  Promise.resolve({ store: new EmbeddedHistoryStore(), cleanup: () => Promise.resolve() }));
