import type { SimilarityStore } from '../../../lib/stores/similarity/similarity-store.js';
import { I2iSource, type I2iSourceOptions } from './i2i.source.js';

export type EaseSourceOptions = I2iSourceOptions;

/** EASE recall: sums the ease-target rows (top EASE weights per target) of the user's most recent items. */
export class EaseSource extends I2iSource {
  constructor(store: SimilarityStore, options: EaseSourceOptions, catalogueSize: number, id = 'ease') {
    super(id, store, options, catalogueSize);
  }
}
