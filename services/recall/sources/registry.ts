import type { SourcesConfig } from '../../../lib/config/schema.js';
import type { ServingBundle } from '../../../lib/stores/bundle/serving-bundle.js';
import type { RecallSource } from '../recall-source.js';
import { ItemCfSource } from './item-cf.source.js';
import { PopularSource } from './popular.source.js';
import { SwingSource } from './swing.source.js';
import { EaseSource } from './ease.source.js';
import { TwoTowerSource } from './two-tower.source.js';

export type SourceId = keyof SourcesConfig;

/** One line per recall source: how to build it from a bundle and its config block. */
const FACTORIES: { readonly [K in SourceId]: (bundle: ServingBundle, config: SourcesConfig[K]) => RecallSource } = {
  'item-cf': (bundle, config) => new ItemCfSource(bundle.similarity, config, bundle.catalogue.itemIds.length),
  swing: (bundle, config) => new SwingSource(bundle.similarity, config, bundle.catalogue.itemIds.length),
  ease: (bundle, config) => new EaseSource(bundle.similarity, config, bundle.catalogue.itemIds.length),
  popular: (bundle) => new PopularSource(bundle.popular.overall),
  'two-tower': (bundle, config) => new TwoTowerSource(bundle.userTower, bundle.vectors, (userId) => bundle.userIndex.get(userId) ?? -1, config),
};

export interface ConfiguredSource {
  readonly source: RecallSource;
  readonly limit: number;
  readonly weight: number;
  /** This source's own deadline in ms (absent: only the run's cap applies). */
  readonly timeoutMs?: number;
}

/** The enabled sources of the config, built for one bundle. */
export function createSources(bundle: ServingBundle, config: SourcesConfig): ConfiguredSource[] {
  const out: ConfiguredSource[] = [];
  for (const id of Object.keys(FACTORIES) as SourceId[]) {
    const block = config[id];
    if (!block.enabled) continue;
    const factory = FACTORIES[id] as (bundle: ServingBundle, config: SourcesConfig[SourceId]) => RecallSource;
    out.push({ source: factory(bundle, block), limit: block.limit, weight: block.weight, timeoutMs: block.timeoutMs });
  }
  return out;
}
