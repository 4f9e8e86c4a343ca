import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatScore } from '../../../bin/cli/commands/demo.command.js';

void describe('demo output', () => {
  void it('prints scores with four decimals, and tiny ones in exponent form instead of 0.0000', () => {
    assert.equal(formatScore(0.14419), '0.1442');
    assert.equal(formatScore(0), '0.0000');
    assert.equal(formatScore(0.00001234), '1.23e-5');
    assert.equal(formatScore(277), '277.0000');
  });
});
