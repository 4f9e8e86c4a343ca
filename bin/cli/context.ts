import { loadConfig } from '../../lib/config/load-config.js';
import type { RecsysConfig } from '../../lib/config/schema.js';
import { stringFlag, type ParsedArgs } from './args.js';

export const DATA_OPTIONS = {
  config: { type: 'string' },
  data: { type: 'string' },
  format: { type: 'string' },
} as const;

export function configFromArgs(args: ParsedArgs, override?: (config: RecsysConfig) => void): Readonly<RecsysConfig> {
  return loadConfig({ path: stringFlag(args, 'config'), ...(override ? { override } : {}) });
}

export const FORMATS = ['auto', 'ml-1m', 'ml-latest-small', 'ml-100k', 'csv'] as const;
