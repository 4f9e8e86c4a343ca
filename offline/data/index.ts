export type {
  BadRowReason,
  Dataset,
  Interactions,
  ItemMeta,
  LoadedDataset,
  LoadReport,
  UserMeta,
} from './dataset.js';
export { loadDataset, type LoadOptions } from './load-dataset.js';
export { detectLayout, type DatasetFormat, type DatasetLayout } from './detect-format.js';
export { loadMl1m, type Ml1mFiles } from './loaders/ml-1m.loader.js';
export { loadMlLatestSmall, type MlLatestSmallFiles } from './loaders/ml-latest-small.loader.js';
export { loadMl100k, type Ml100kFiles } from './loaders/ml-100k.loader.js';
export { loadGenericCsv, type ColumnMapping, type GenericCsvOptions } from './loaders/generic-csv.loader.js';
export type { LoaderOptions } from './loader-options.js';
export { DatasetBuilder, datasetFromRows, type InteractionRow } from './dataset-builder.js';
export { writeSyntheticDataset, type SyntheticOptions, type SyntheticResult } from './synthetic.js';
export {
  readSplitFile,
  splitCounts,
  splitRandom811,
  splitTemporal,
  TEMPORAL_MIN_INTERACTIONS,
  TEST,
  TRAIN,
  VALID,
  type Split,
  type SplitCounts,
  type SplitLabel,
} from './splits.js';
export { createPrng, hashString, type Prng } from './prng.js';
