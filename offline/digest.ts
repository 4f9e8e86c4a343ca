import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RecsysConfig } from '../lib/config/schema.js';
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

/**
 * The config the ranker's training pairs depend on (they come from the serving recall and
 * merge, whose sources are feature columns): part of every cached bundle's key while the
 * ranker is on, so a bundle whose ranker learned other candidates is never reused.
 */
export function rankerInputs(config: Readonly<RecsysConfig>): unknown[] {
  const { rank, serving } = config;
  return rank.enabled ? [rank.train, rank.gbdt, rank.als, rank.preRank, serving.sources, serving.merge, serving.recentHistory] : [];
}

export function bytesDigest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The compiled modules that decide what a bundle holds. */
const BUILD_CODE_DIRS = ['lib', 'offline'].map((dir) => fileURLToPath(new URL(`../${dir}/`, import.meta.url)));
let buildCode: string | undefined;

/**
 * Digest of the code that builds bundles (every compiled `.js` module under lib/ and offline/
 * by default): part of the cache keys of evaluate's and the benches' train-only bundles, so a
 * bundle built by other code (an upgrade, a local change to a job) is rebuilt, not reused.
 */
export function codeDigest(dirs: readonly string[] = BUILD_CODE_DIRS): string {
  if (dirs === BUILD_CODE_DIRS && buildCode !== undefined) return buildCode;
  const hash = createHash('sha256');
  for (const dir of dirs) {
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js')).sort();
    for (const file of files) {
      hash.update(`${file}\u0000`);
      hash.update(readFileSync(join(dir, file)));
    }
  }
  const digest = hash.digest('hex');
  if (dirs === BUILD_CODE_DIRS) buildCode = digest;
  return digest;
}
