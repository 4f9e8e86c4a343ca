import type { RecsysConfig } from '../../lib/config/schema.js';
import type { ServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import type { RankPort } from '../recommend/rank-port.js';

/**
 * The bundle's in-process ranker, or null when there is none. This is the one place the
 * rank role (and role all) obtains a RankPort: the ranker implementation (services/rank) is
 * returned from here once it exists. Until then no bundle has a ranker: role all skips
 * ranking, and role rank answers Rank with FAILED_PRECONDITION.
 */
export type RankerFactory = (bundle: ServingBundle, config: Readonly<RecsysConfig>) => RankPort | null;

export const createInProcessRanker: RankerFactory = () => null;
