import { EMPTY_CANDIDATES, type CandidateList } from '../../../lib/domain/candidate.js';
import type { UserTower } from '../../../lib/onnx/user-tower.js';
import type { VectorIndex } from '../../../lib/stores/vectors/vector-index.js';
import type { RecallQuery, RecallSource } from '../recall-source.js';

export interface TwoTowerSourceOptions {
  /** Extra candidates asked of the index per blocked item it may have to skip (approximate backends). */
  readonly overFetch: number;
}

/**
 * Two-tower recall: the user vector from user-tower.onnx over the request's recent history
 * (so a Feedback event changes the next call's vector), then an inner-product search of the
 * bundle's item vectors. The index skips blocked items itself; it is asked for
 * `limit + overFetch` so that an approximate backend that loses some results to the block
 * list still fills `limit`. Unknown users are served through the out-of-vocabulary user row
 * once they have recent items (Feedback); before that the source returns nothing.
 */
export class TwoTowerSource implements RecallSource {
  readonly id = 'two-tower';

  constructor(
    private readonly tower: UserTower | null,
    private readonly index: VectorIndex | null,
    private readonly userRow: (userId: string) => number,
    private readonly options: TwoTowerSourceOptions,
  ) {}

  async recall(query: RecallQuery, limit: number): Promise<CandidateList> {
    // An unknown user with no recent items has nothing to personalise: cold start is popular's job.
    if (this.tower === null || this.index === null || limit <= 0 || (!query.known && query.recent.length === 0)) return EMPTY_CANDIDATES;
    const vector = await this.tower.vector(query.known ? this.userRow(query.userId) : -1, query.recent);
    const found = await this.index.search(vector, limit + this.options.overFetch, query.blocked);
    if (found.items.length <= limit) return found;
    return { items: found.items.subarray(0, limit), scores: found.scores.subarray(0, limit) };
  }
}
