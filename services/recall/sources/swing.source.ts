import type { SimilarityStore } from '../../../lib/stores/similarity/similarity-store.js';
import { I2iSource, type I2iSourceOptions } from './i2i.source.js';

export type SwingSourceOptions = I2iSourceOptions;

/** Swing recall: sums the swing-target (or swing) rows of the user's most recent items. */
export class SwingSource extends I2iSource {
  constructor(store: SimilarityStore, options: SwingSourceOptions, catalogueSize: number, id = 'swing') {
    super(id, store, options, catalogueSize);
  }
}
