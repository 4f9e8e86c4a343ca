import type { RecsysConfig } from '../lib/config/schema.js';
import { readSplitFile, splitRandom811, splitTemporal, type Dataset, type Split } from './data/index.js';

export type Protocol = RecsysConfig['split']['protocol'];

/** The evaluation split: a split file made elsewhere, or one of the two protocols. */
export async function makeSplit(dataset: Dataset, protocol: Protocol, seed: number, splitFile?: string): Promise<Split> {
  if (splitFile !== undefined) return readSplitFile(splitFile, dataset);
  return protocol === 'temporal' ? splitTemporal(dataset) : splitRandom811(dataset, seed);
}
