import type { RecsysConfig } from '../lib/config/schema.js';
import type { ColumnMapping } from './data/loaders/generic-csv.loader.js';
import { loadDataset, writeSyntheticDataset, type LoadedDataset, type LoadReport } from './data/index.js';

export interface ResolveDatasetOptions {
  /** Ratings file or dataset folder; undefined = config.data.path, empty = synthetic. */
  readonly path?: string | undefined;
  readonly format?: RecsysConfig['data']['format'] | undefined;
  /** Column mapping of a generic CSV log. */
  readonly columns?: ColumnMapping | undefined;
  readonly onProgress?: (rows: number) => void;
  readonly log?: (line: string) => void;
}

/** Loads the configured dataset, generating the seeded synthetic one when no path is given. */
export async function resolveDataset(config: Readonly<RecsysConfig>, options: ResolveDatasetOptions = {}): Promise<LoadedDataset> {
  let path = options.path ?? config.data.path;
  if (path === '') {
    const synthetic = config.data.synthetic;
    const written = await writeSyntheticDataset(synthetic.dir, synthetic);
    options.log?.(`generated synthetic dataset: ${written.interactions} interactions in ${synthetic.dir} (seed ${synthetic.seed})`);
    path = synthetic.dir;
  }
  const loaded = await loadDataset(path, {
    format: options.format ?? config.data.format,
    maxBadFraction: config.data.maxBadFraction,
    ...(options.columns ? { columns: options.columns } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  options.log?.(describeLoadReport(loaded.report));
  return loaded;
}

export function describeLoadReport(report: LoadReport): string {
  const rejected = Object.entries(report.rejected)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${reason} ${count}`)
    .join(', ');
  return `loaded ${report.source} (${report.format}): ${report.rows} rows, ${report.accepted} accepted, ${report.rows - report.accepted} rejected${rejected ? ` (${rejected})` : ''}`;
}
