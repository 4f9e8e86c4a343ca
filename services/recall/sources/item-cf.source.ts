import type { SimilarityStore } from '../../../lib/stores/similarity/similarity-store.js';
import { I2iSource, type I2iSourceOptions } from './i2i.source.js';

export type ItemCfSourceOptions = I2iSourceOptions;

/** ItemCF recall: sums the item-cf (or item-cf-target) rows of the user's most recent items. */
export class ItemCfSource extends I2iSource {
  constructor(store: SimilarityStore, options: ItemCfSourceOptions, catalogueSize: number, id = 'item-cf') {
    super(id, store, options, catalogueSize);
  }
}
