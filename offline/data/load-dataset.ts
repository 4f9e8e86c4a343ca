import { RecsysError } from '../../lib/domain/errors.js';
import type { LoadedDataset } from './dataset.js';
import { detectLayout, type DatasetFormat } from './detect-format.js';
import { loadGenericCsv, type ColumnMapping } from './loaders/generic-csv.loader.js';
import { loadMl100k } from './loaders/ml-100k.loader.js';
import { loadMl1m } from './loaders/ml-1m.loader.js';
import { loadMlLatestSmall } from './loaders/ml-latest-small.loader.js';
import type { LoaderOptions } from './loader-options.js';

export interface LoadOptions {
  readonly format?: 'auto' | DatasetFormat;
  /** For a generic log: which columns hold user, item, rating and timestamp. */
  readonly columns?: ColumnMapping;
  readonly delimiter?: string;
  /** Inclusive; defaults to [0, 5] for ml-latest-small, [1, 5] for ml-1m and ml-100k, none for csv. */
  readonly ratingRange?: readonly [number, number];
  /** Largest tolerated share of bad rows (default 0.5). */
  readonly maxBadFraction?: number;
  readonly onProgress?: (rowsRead: number) => void;
}

/**
 * Loads a dataset folder (ml-1m, ml-latest-small or ml-100k layout) or a
 * ratings file (those formats, or any delimited user,item[,rating][,timestamp]
 * log), with the metadata files found beside it.
 */
export async function loadDataset(path: string, options: LoadOptions = {}): Promise<LoadedDataset> {
  validate(options);
  const layout = await detectLayout(path, options.format ?? 'auto');
  const common: LoaderOptions = {
    ...(layout.name === undefined ? {} : { name: layout.name }),
    ...(options.ratingRange === undefined ? {} : { ratingRange: options.ratingRange }),
    ...(options.maxBadFraction === undefined ? {} : { maxBadFraction: options.maxBadFraction }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  };
  switch (layout.format) {
    case 'ml-1m':
      return loadMl1m({ ratings: layout.ratings, movies: layout.items, users: layout.users }, common);
    case 'ml-latest-small':
      return loadMlLatestSmall({ ratings: layout.ratings, movies: layout.items }, common);
    case 'ml-100k':
      return loadMl100k(
        { ratings: layout.ratings, items: layout.items, users: layout.users, genres: layout.genres },
        common,
      );
    case 'csv':
      return loadGenericCsv(layout.ratings, { ...common, columns: options.columns, delimiter: options.delimiter });
  }
}

function validate(options: LoadOptions): void {
  const invalid = (field: string, message: string): RecsysError =>
    new RecsysError('RECSYS_ERR_CONFIG_INVALID', `${field}: ${message}`, { field });
  const { maxBadFraction, ratingRange, delimiter } = options;
  if (maxBadFraction !== undefined && !(maxBadFraction >= 0 && maxBadFraction <= 1)) {
    throw invalid('maxBadFraction', `must be between 0 and 1, got ${maxBadFraction}`);
  }
  if (ratingRange !== undefined && !(ratingRange[0] <= ratingRange[1])) {
    throw invalid('ratingRange', `lower bound ${ratingRange[0]} is above upper bound ${ratingRange[1]}`);
  }
  if (delimiter?.length === 0) throw invalid('delimiter', 'must not be empty');
}
