import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { RecsysError, errorMessage } from '../domain/errors.js';
import { configSchema, type RecsysConfig } from './schema.js';
import { applyEnvOverrides } from './env.js';

/** Package root (two levels above dist/lib/config or lib/config). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'configs'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

export function defaultConfigPath(): string {
  const local = resolve('configs/recsys.yaml');
  return existsSync(local) ? local : join(packageRoot(), 'configs', 'recsys.yaml');
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Validates a parsed document; messages name the offending key path. */
export function parseConfig(document: unknown, origin = 'config'): RecsysConfig {
  const result = configSchema.safeParse(document ?? {});
  if (!result.success) {
    const fieldOf = (issue: (typeof result.error.issues)[number]): string => {
      const path = issue.path.map(String);
      if ('keys' in issue && Array.isArray(issue.keys) && issue.keys.length > 0) path.push(issue.keys.map(String).join(','));
      return path.join('.');
    };
    const issues = result.error.issues.map((issue) => `${fieldOf(issue)}: ${issue.message}`);
    const first = result.error.issues[0];
    throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', `${origin}: ${issues.join('; ')}`, first ? { field: fieldOf(first) } : {});
  }
  return result.data;
}

export interface LoadConfigOptions {
  /** YAML file; default RECSYS_CONFIG, then ./configs/recsys.yaml, then the package's. */
  path?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Applied last, after env (command-line flags). */
  override?: (config: RecsysConfig) => void;
}

/** Loads, validates and freezes the configuration once at start. */
export function loadConfig(options: LoadConfigOptions = {}): Readonly<RecsysConfig> {
  const env = options.env ?? process.env;
  const path = options.path ?? env.RECSYS_CONFIG ?? defaultConfigPath();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', `cannot read config ${path}: ${errorMessage(error)}`, { cause: error });
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', `${path}: not valid YAML: ${errorMessage(error)}`, { cause: error });
  }
  const config = parseConfig(document, path);
  applyEnvOverrides(config, env);
  options.override?.(config);
  return deepFreeze(parseConfig(config, path));
}
