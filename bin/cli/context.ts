import { loadConfig } from '../../lib/config/load-config.js';
import type { RecsysConfig } from '../../lib/config/schema.js';
import type { ColumnMapping } from '../../offline/data/loaders/generic-csv.loader.js';
import { UsageError, stringFlag, type ParsedArgs } from './args.js';

export const DATA_OPTIONS = {
  config: { type: 'string' },
  data: { type: 'string' },
  format: { type: 'string' },
  columns: { type: 'string' },
} as const;

export function configFromArgs(args: ParsedArgs, override?: (config: RecsysConfig) => void): Readonly<RecsysConfig> {
  return loadConfig({ path: stringFlag(args, 'config'), ...(override ? { override } : {}) });
}

export const FORMATS = ['auto', 'ml-1m', 'ml-latest-small', 'ml-100k', 'csv'] as const;

/** `--columns user=userId,item=movieId,rating=rating,timestamp=ts` → a generic-CSV column mapping. */
export function columnsFromArgs(args: ParsedArgs): ColumnMapping | undefined {
  const raw = stringFlag(args, 'columns');
  if (raw === undefined) return undefined;
  const mapping: Record<string, string> = {};
  for (const part of raw.split(',')) {
    const [key, value] = part.split('=');
    if (!key || !value || !['user', 'item', 'rating', 'timestamp'].includes(key.trim())) {
      throw new UsageError(`--columns: expected user=<col>,item=<col>[,rating=<col>][,timestamp=<col>], got "${raw}"`);
    }
    mapping[key.trim()] = value.trim();
  }
  if (mapping.user === undefined || mapping.item === undefined) throw new UsageError('--columns: user and item are required');
  return { user: mapping.user, item: mapping.item, rating: mapping.rating, timestamp: mapping.timestamp };
}
