import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { logLoss, rocAuc } from '../../../offline/rank/binary-metrics.js';

void describe('ranker metrics', () => {
  void it('AUC: perfect, reversed, ties and a hand-counted case', () => {
    const labels = Float32Array.from([0, 0, 1, 1]);
    assert.equal(rocAuc(Float32Array.from([0.1, 0.2, 0.8, 0.9]), labels), 1);
    assert.equal(rocAuc(Float32Array.from([0.9, 0.8, 0.2, 0.1]), labels), 0);
    assert.equal(rocAuc(Float32Array.from([0.5, 0.5, 0.5, 0.5]), labels), 0.5);
    // Pairs (pos, neg): (0.3 vs 0.1, 0.4) -> 1 + 0; (0.6 vs 0.1, 0.4) -> 1 + 1 => 3 / 4.
    assert.equal(rocAuc(Float32Array.from([0.1, 0.4, 0.3, 0.6]), labels), 0.75);
    assert.ok(Number.isNaN(rocAuc(Float32Array.from([0.1]), Float32Array.from([1]))));
  });

  void it('logloss of probabilities', () => {
    const loss = logLoss(Float32Array.from([0.8, 0.3]), Float32Array.from([1, 0]));
    assert.ok(Math.abs(loss - (-Math.log(0.8) - Math.log(0.7)) / 2) < 1e-6);
  });
});
