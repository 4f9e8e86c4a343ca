import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RankInput, RankOutput, RankPort } from '../../../services/recommend/rank-port.js';
import { RankStage, type RankStageOptions } from '../../../services/recommend/rank-stage.js';

const user = { userId: 'u', known: true, recent: new Int32Array(0), recentRatings: new Float32Array(0) };
const candidates = {
  items: Int32Array.from([10, 11, 12, 13]),
  scores: Float32Array.from([0.4, 0.3, 0.2, 0.1]),
  sourceScores: new Map([['item-cf', Float32Array.from([4, 3, 2, 1])]]),
};
const options: RankStageOptions = { preRank: 500, timeoutMs: 50, model: 'wide-deep', retrievalPower: 0, rankPower: 1 };

function port(score: (input: RankInput) => Float32Array | Promise<Float32Array>): RankPort & { calls: RankInput[] } {
  const calls: RankInput[] = [];
  return {
    calls,
    rank: async (input: RankInput): Promise<RankOutput> => {
      calls.push(input);
      return { scores: await score(input), model: input.model, provider: 'cpu' };
    },
  };
}

void describe('RankStage', () => {
  void it('sorts the candidates by the ranker scores, carrying the source scores along', async () => {
    const outcome = await new RankStage(port(() => Float32Array.from([0.1, 0.9, 0.5, 0.2])), options).rank(user, candidates);
    assert.ok(outcome.status === 'ok');
    assert.deepEqual(Array.from(outcome.candidates.items), [11, 12, 13, 10]);
    assert.deepEqual(Array.from(outcome.candidates.sourceScores.get('item-cf')!), [3, 2, 1, 4]);
    assert.equal(outcome.provider, 'cpu');
  });

  void it('ranks only the first preRank candidates; the rest follow in recall order', async () => {
    const ranker = port((input) => Float32Array.from(input.candidates.items, (item) => item / 100));
    const outcome = await new RankStage(ranker, { ...options, preRank: 2 }).rank(user, candidates);
    assert.equal(ranker.calls[0]!.candidates.items.length, 2);
    assert.ok(outcome.status === 'ok');
    assert.deepEqual(Array.from(outcome.candidates.items), [11, 10, 12, 13]);
  });

  void it('fuses retrieval and rank scores: retrieval^a * rank^b', async () => {
    // Ranker prefers 13 a little; with retrieval weight 1 the merged score dominates.
    const scores = Float32Array.from([0.5, 0.5, 0.5, 0.6]);
    const plain = await new RankStage(port(() => scores), options).rank(user, candidates);
    const fused = await new RankStage(port(() => scores), { ...options, retrievalPower: 1 }).rank(user, candidates);
    assert.ok(plain.status === 'ok' && fused.status === 'ok');
    assert.equal(plain.candidates.items[0], 13);
    assert.equal(fused.candidates.items[0], 10);
    assert.ok(Math.abs(fused.candidates.scores[0]! - 0.4 * 0.5) < 1e-6);
  });

  void it('fails open: a ranker error, a wrong score count or a timeout give an error outcome', async () => {
    const failing = await new RankStage(port(() => { throw new Error('boom'); }), options).rank(user, candidates);
    assert.deepEqual(failing, { status: 'error', error: 'boom' });
    const short = await new RankStage(port(() => new Float32Array(3)), options).rank(user, candidates);
    assert.ok(short.status === 'error' && short.error.includes('3 scores for 4 candidates'));
  });
});
