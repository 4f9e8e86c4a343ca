import type { RecsysConfig } from '../../lib/config/schema.js';

export interface BenchConfigOptions {
  readonly candidates: number;
  readonly count: number;
  readonly bundleRoot: string;
}

/** Sets `path` in a config object only where it already exists (keys other branches add, e.g. rank.preRank). */
export function setIfPresent(config: object, path: readonly string[], value: unknown): boolean {
  let node: unknown = config;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null || !(key in node)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  const last = path[path.length - 1]!;
  if (typeof node !== 'object' || node === null || !(last in node)) return false;
  (node as Record<string, unknown>)[last] = value;
  return true;
}

/** Config keys that name how many candidates reach the ranker (read when the rank stage is merged). */
export const PRE_RANK_KEYS: readonly (readonly string[])[] = [['rank', 'preRank'], ['serving', 'rank', 'preRank']];

/**
 * The server config of a bench run, from the user's base config: every recall source on,
 * each limited to `candidates` results (so the merge yields at least that many, at most
 * a few times that, where the catalogue allows), the popular list long enough to top up, the pre-rank count set where
 * the config has one, an ephemeral loopback port, no metrics side port, no hot reload, no
 * feedback log. Returns a new object; the base is not touched.
 */
export function benchConfig(base: Readonly<RecsysConfig>, options: BenchConfigOptions): RecsysConfig {
  const config = structuredClone(base) as RecsysConfig;
  for (const block of Object.values(config.serving.sources)) {
    block.enabled = true;
    block.limit = options.candidates;
  }
  config.jobs.popular.limit = Math.max(config.jobs.popular.limit, options.candidates);
  config.serving.maxCount = Math.max(config.serving.maxCount, options.count);
  config.serving.host = '127.0.0.1';
  config.serving.port = 0;
  config.serving.reloadIntervalMs = 0;
  config.serving.metrics.enabled = false;
  config.stores.history = 'embedded://';
  config.stores.similarity = 'embedded://';
  config.stores.feedbackLog = '';
  config.bundle.root = options.bundleRoot;
  for (const path of PRE_RANK_KEYS) setIfPresent(config, path, options.candidates);
  return config;
}
