import type { RecsysConfig } from '../../lib/config/schema.js';
import type { ServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import type { RankPort } from '../recommend/rank-port.js';
import { createBundleRanker } from '../rank/bundle-ranker.js';

/**
 * The bundle's in-process ranker (its ONNX models in worker threads), or null when ranking is
 * off (`rank.enabled`) or the bundle has no ranker: role all then serves recall order, and
 * role rank answers Rank with FAILED_PRECONDITION. The one place both roles obtain a RankPort.
 */
export type RankerFactory = (bundle: ServingBundle, config: Readonly<RecsysConfig>) => RankPort | null;

export const createInProcessRanker: RankerFactory = (bundle, config) => (config.rank.enabled ? createBundleRanker(bundle, config) : null);
