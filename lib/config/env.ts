import { RecsysError } from '../domain/errors.js';
import type { RecsysConfig } from './schema.js';

/** The RECSYS_* environment table: variable → what it sets. */
export const ENV_TABLE = {
  RECSYS_CONFIG: 'path of the YAML config file',
  RECSYS_BUNDLE_ROOT: 'bundle.root',
  RECSYS_STORES_HISTORY: 'stores.history (embedded:// or mongodb://...)',
  RECSYS_STORES_SIMILARITY: 'stores.similarity (embedded:// or mongodb://...)',
  RECSYS_STORES_VECTORS: 'stores.vectors.uri (embedded:// or milvus://host:19530)',
  RECSYS_HOST: 'serving.host',
  RECSYS_PORT: 'serving.port',
  RECSYS_METRICS_PORT: 'serving.metrics.port (Prometheus side port; 0 = any free port)',
  RECSYS_LOG_LEVEL: 'log level (trace|debug|info|warn|error|silent), default info',
} as const;

function integer(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', `${name}: expected an integer, got "${raw}"`, { field: name });
  return value;
}

export function applyEnvOverrides(config: RecsysConfig, env: NodeJS.ProcessEnv): void {
  if (env.RECSYS_BUNDLE_ROOT) config.bundle.root = env.RECSYS_BUNDLE_ROOT;
  if (env.RECSYS_STORES_HISTORY) config.stores.history = env.RECSYS_STORES_HISTORY;
  if (env.RECSYS_STORES_SIMILARITY) config.stores.similarity = env.RECSYS_STORES_SIMILARITY;
  if (env.RECSYS_STORES_VECTORS) config.stores.vectors.uri = env.RECSYS_STORES_VECTORS;
  if (env.RECSYS_HOST) config.serving.host = env.RECSYS_HOST;
  if (env.RECSYS_PORT) config.serving.port = integer('RECSYS_PORT', env.RECSYS_PORT);
  if (env.RECSYS_METRICS_PORT) config.serving.metrics.port = integer('RECSYS_METRICS_PORT', env.RECSYS_METRICS_PORT);
}
