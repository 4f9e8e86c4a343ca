import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { RecsysError } from '../../../lib/domain/errors.js';
import type { ErrorCode } from '../../../lib/domain/errors.js';
import {
  MAX_CONTEXT_ENTRIES, MAX_EXCLUDED_ITEMS, requireContext, requireCount, requireId, requireIdList, requireScene,
} from '../../../services/recommend/request-validation.js';

/** Matcher: a client RecsysError with `code` whose field is `field` and whose message starts with it. */
function rejects(field: string, code: ErrorCode = 'RECSYS_ERR_REQUEST_INVALID'): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof RecsysError, `expected RecsysError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.category, 'client');
    assert.equal(error.field, field);
    assert.ok(error.message.startsWith(`${field}: `), error.message);
    return true;
  };
}

void describe('requireId', () => {
  void it('accepts a printable id up to 128 characters', () => {
    assert.equal(requireId('user_id', 'u1'), 'u1');
    assert.equal(requireId('user_id', 'x'.repeat(128)), 'x'.repeat(128));
    assert.equal(requireId('user_id', 'ünï cødé 用户'), 'ünï cødé 用户');
  });

  void it('rejects empty, non-string, oversized and control-character ids naming the field', () => {
    assert.throws(() => requireId('user_id', ''), rejects('user_id'));
    assert.throws(() => requireId('user_id', undefined), rejects('user_id'));
    assert.throws(() => requireId('user_id', 42), rejects('user_id'));
    assert.throws(() => requireId('user_id', 'x'.repeat(129)), rejects('user_id'));
    for (const bad of ['a\u0000b', 'tab\there', 'line\n', '\u001f', 'del\u007f']) {
      assert.throws(() => requireId('item_id', bad), rejects('item_id'), JSON.stringify(bad));
    }
  });
});

void describe('requireCount', () => {
  void it('accepts integers in 1..max', () => {
    assert.equal(requireCount('count', 1, 1000), 1);
    assert.equal(requireCount('count', 1000, 1000), 1000);
  });

  void it('rejects 0, negatives, > max, fractions and non-numbers naming the field', () => {
    for (const bad of [0, -1, 1001, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10', undefined, null]) {
      assert.throws(() => requireCount('count', bad, 1000), rejects('count'), String(bad));
    }
  });

  void it('uses the fallback only for 0 or absent', () => {
    assert.equal(requireCount('count', 0, 1000, 10), 10);
    assert.equal(requireCount('count', undefined, 1000, 10), 10);
    assert.equal(requireCount('count', 7, 1000, 10), 7);
    assert.throws(() => requireCount('count', -1, 1000, 10), rejects('count'));
    assert.throws(() => requireCount('count', 1001, 1000, 10), rejects('count'));
  });
});

void describe('requireScene', () => {
  const scenes = ['default', 'home'];

  void it('defaults an empty or absent scene to the first one', () => {
    assert.equal(requireScene('scene', '', scenes), 'default');
    assert.equal(requireScene('scene', undefined, scenes), 'default');
    assert.equal(requireScene('scene', 'home', scenes), 'home');
  });

  void it('rejects an unknown scene with RECSYS_ERR_REQUEST_UNKNOWN_SCENE', () => {
    assert.throws(() => requireScene('scene', 'nope', scenes), rejects('scene', 'RECSYS_ERR_REQUEST_UNKNOWN_SCENE'));
    assert.throws(() => requireScene('scene', 5, scenes), rejects('scene', 'RECSYS_ERR_REQUEST_UNKNOWN_SCENE'));
  });

  void it('caps the echoed scene name', () => {
    assert.throws(
      () => requireScene('scene', 'y'.repeat(10_000), scenes),
      (error: unknown) => error instanceof RecsysError && !error.message.includes('y'.repeat(129)) && error.message.includes('y'.repeat(128)),
    );
  });
});

void describe('requireIdList', () => {
  void it('accepts absent, empty and up to max ids', () => {
    assert.deepEqual(requireIdList('exclude_item_ids', undefined, 3), []);
    assert.deepEqual(requireIdList('exclude_item_ids', [], 3), []);
    assert.deepEqual(requireIdList('exclude_item_ids', ['a', 'b', 'c'], 3), ['a', 'b', 'c']);
    assert.equal(requireIdList('exclude_item_ids', Array.from({ length: MAX_EXCLUDED_ITEMS }, (_, i) => String(i)), MAX_EXCLUDED_ITEMS).length, MAX_EXCLUDED_ITEMS);
  });

  void it('rejects too many ids and non-lists naming the field', () => {
    assert.equal(MAX_EXCLUDED_ITEMS, 10_000);
    const tooMany = Array.from({ length: MAX_EXCLUDED_ITEMS + 1 }, (_, i) => String(i));
    assert.throws(() => requireIdList('exclude_item_ids', tooMany, MAX_EXCLUDED_ITEMS), rejects('exclude_item_ids'));
    assert.throws(() => requireIdList('exclude_item_ids', 'a,b', 3), rejects('exclude_item_ids'));
  });

  void it('names the index of a bad element', () => {
    assert.throws(() => requireIdList('exclude_item_ids', ['ok', ''], 3), rejects('exclude_item_ids[1]'));
    assert.throws(() => requireIdList('exclude_item_ids', ['a\u0000'], 3), rejects('exclude_item_ids[0]'));
  });
});

void describe('requireContext', () => {
  void it('accepts absent, empty and small string maps', () => {
    requireContext('context', undefined);
    requireContext('context', {});
    requireContext('context', { device: 'ios', page: 'home' });
  });

  void it('rejects non-maps, too many entries and oversized entries naming the field', () => {
    assert.throws(() => {
      requireContext('context', null);
    }, rejects('context'));
    assert.throws(() => {
      requireContext('context', 'x');
    }, rejects('context'));
    const many = Object.fromEntries(Array.from({ length: MAX_CONTEXT_ENTRIES + 1 }, (_, i) => [`k${i}`, 'v']));
    assert.throws(() => {
      requireContext('context', many);
    }, rejects('context'));
    assert.throws(() => {
      requireContext('context', { device: 'x'.repeat(1025) });
    }, rejects('context.device'));
    assert.throws(() => {
      requireContext('context', { device: 3 });
    }, rejects('context.device'));
  });
});
