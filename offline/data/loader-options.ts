import { basename, dirname, extname } from 'node:path';
import { DatasetBuilder } from './dataset-builder.js';

/** Options every loader takes. */
export interface LoaderOptions {
  /** Dataset name; derived from the path when absent. */
  readonly name?: string;
  /** Inclusive rating bounds; undefined takes the format's default, null accepts any number. */
  readonly ratingRange?: readonly [number, number] | null;
  /** Largest tolerated share of bad rows (default 0.5). */
  readonly maxBadFraction?: number;
  readonly onProgress?: (rowsRead: number) => void;
}

export const DEFAULT_MAX_BAD_FRACTION = 0.5;

interface FormatDefaults {
  readonly format: string;
  readonly numericIds: boolean;
  readonly ratingRange: readonly [number, number] | null;
}

export function createBuilder(source: string, defaults: FormatDefaults, options: LoaderOptions): DatasetBuilder {
  return new DatasetBuilder({
    name: options.name ?? datasetName(source),
    source,
    format: defaults.format,
    numericIds: defaults.numericIds,
    ratingRange: options.ratingRange === undefined ? defaults.ratingRange : options.ratingRange,
    maxBadFraction: options.maxBadFraction ?? DEFAULT_MAX_BAD_FRACTION,
    onProgress: options.onProgress,
  });
}

const GENERIC_STEMS = new Set(['ratings', 'u', 'data', 'interactions']);

/** `…/ml-latest-small/ratings.csv` → "ml-latest-small"; `…/clicks-2024.tsv` → "clicks-2024". */
export function datasetName(ratingsPath: string): string {
  const stem = basename(ratingsPath, extname(ratingsPath));
  if (!GENERIC_STEMS.has(stem.toLowerCase())) return stem;
  const folder = basename(dirname(ratingsPath));
  return folder.length > 0 && folder !== '.' ? folder : stem;
}
