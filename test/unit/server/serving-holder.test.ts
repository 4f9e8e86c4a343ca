import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServingState } from '../../../services/recommend/recommend-service.js';
import { ServingHolder } from '../../../services/server/serving-holder.js';

const state = (name: string): ServingState => ({ bundle: { version: name }, pipeline: {} }) as unknown as ServingState;

void describe('ServingHolder', () => {
  void it('releases a replaced state only after its last in-flight call', () => {
    const released: string[] = [];
    const holder = new ServingHolder(state('v1'), (s) => released.push(s.bundle.version));
    const a = holder.acquire();
    const b = holder.acquire();
    holder.swap(state('v2'));
    assert.equal(holder.state.bundle.version, 'v2');
    assert.equal(a.state.bundle.version, 'v1', 'a call keeps the state it started with');
    a.release();
    assert.deepEqual(released, []);
    b.release();
    b.release();
    assert.deepEqual(released, ['v1'], 'released once, after the last call');
    const c = holder.acquire();
    assert.equal(c.state.bundle.version, 'v2');
  });

  void it('releases an idle state at once and never the current one', () => {
    const released: string[] = [];
    const holder = new ServingHolder(state('v1'), (s) => released.push(s.bundle.version));
    holder.swap(state('v2'));
    assert.deepEqual(released, ['v1']);
    const lease = holder.acquire();
    lease.release();
    assert.deepEqual(released, ['v1']);
  });
});
