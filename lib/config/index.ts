export { configSchema, type RecsysConfig, type SourcesConfig } from './schema.js';
export { loadConfig, parseConfig, defaultConfigPath, packageRoot, type LoadConfigOptions } from './load-config.js';
export { ENV_TABLE } from './env.js';
