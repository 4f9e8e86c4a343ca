import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FileHistoryStore } from '../../lib/stores/features/file-history-store.js';
import { historyStoreContract } from './history-store.contract.js';

historyStoreContract('embedded-log', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'recsys-feedback-contract-'));
  const store = await FileHistoryStore.open(join(dir, 'events.log'));
  return { store, cleanup: () => rm(dir, { recursive: true, force: true }) };
});

// The same contract on a store reopened from its log: replay must not change what a fresh store sees.
historyStoreContract('embedded-log (reopened, fsync always)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'recsys-feedback-contract-'));
  const path = join(dir, 'events.log');
  await (await FileHistoryStore.open(path, { fsync: 'always' })).close();
  const store = await FileHistoryStore.open(path, { fsync: 'always' });
  return { store, cleanup: () => rm(dir, { recursive: true, force: true }) };
});
