import type { RankInput, RankOutput, RankPort } from '../../services/recommend/rank-port.js';

/**
 * A RankPort that records what the pipeline would hand the ranker and scores nothing
 * (zeros). The ranker's training pairs are exactly the inputs it will see when serving:
 * same recall, merge, filters and pre-rank truncation.
 */
export class CaptureRankPort implements RankPort {
  last: RankInput | null = null;

  rank(input: RankInput): Promise<RankOutput> {
    this.last = input;
    return Promise.resolve({ scores: new Float32Array(input.candidates.items.length), model: 'capture', provider: 'none' });
  }
}
