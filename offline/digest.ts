import { createHash } from 'node:crypto';
import type { Dataset } from './data/dataset.js';

/** Digest of the interactions and ids a bundle was built from, so stale output is detectable. */
export function datasetDigest(dataset: Dataset): string {
  const hash = createHash('sha256');
  const { interactions } = dataset;
  for (const array of [interactions.user, interactions.item, interactions.rating, interactions.timestamp]) {
    hash.update(Buffer.from(array.buffer, array.byteOffset, array.byteLength));
  }
  hash.update(dataset.userIds.join('\n'));
  hash.update('\u0000');
  hash.update(dataset.itemIds.join('\n'));
  return hash.digest('hex');
}

export function valueDigest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

export function bytesDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
