import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { RecsysError } from '../../../lib/domain/errors.js';
import type { FeedbackEvent } from '../../../lib/stores/features/history-store.js';
import { decodeFeedbackLine, encodeFeedbackLine, FileHistoryStore, type FsyncPolicy } from '../../../lib/stores/features/file-history-store.js';
import { EmbeddedHistoryStore } from '../../../lib/stores/features/embedded-history-store.js';
import { openHistoryStore } from '../../../lib/stores/store-uri.js';

const identity = (itemId: string): number => {
  const n = Number(itemId.slice(1));
  return itemId.startsWith('i') && Number.isInteger(n) ? n : -1;
};

function ev(userId: string, item: number, extra: Partial<FeedbackEvent> = {}): FeedbackEvent {
  return { userId, itemId: `i${item}`, event: 'click', timestamp: 1_700_000_000 + item, rating: 0, ...extra };
}

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'recsys-feedback-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function recent(store: { history: EmbeddedHistoryStore['history'] }, user: string, limit = 1000): Promise<number[]> {
  return Array.from((await store.history(user, identity, null, limit)).recent);
}

function isCode(code: string, field?: string): (error: unknown) => boolean {
  return (error: unknown) => error instanceof RecsysError && error.code === code && (field === undefined || error.message.includes(field) || JSON.stringify(error).includes(field));
}

void describe('FileHistoryStore', () => {
  void it('replays after close and reopen: same histories, ratings and counts', () => withDir(async (dir) => {
    const path = join(dir, 'nested', 'events.log');
    const store = await FileHistoryStore.open(path);
    assert.equal(store.backend, 'embedded-log');
    assert.equal(store.replay.events, 0);
    await store.append(ev('u1', 1, { rating: 4.5 }));
    await store.append(ev('u1', 2, { rating: Number.NaN }));
    await store.append(ev('u2', 3));
    await store.append(ev('u1', 1, { rating: 2, event: 'purchase' }));
    await store.close();

    const text = await readFile(path, 'utf8');
    assert.equal(text.split('\n').length, 5, 'one line per event plus the final newline');
    assert.deepEqual(JSON.parse(text.split('\n')[0]!), { u: 'u1', i: 'i1', e: 'click', t: 1_700_000_001, r: 4.5 });

    const reopened = await FileHistoryStore.open(path);
    try {
      assert.deepEqual(reopened.replay, { ...reopened.replay, events: 4, users: 2, badLines: 0, tornBytes: 0, bytes: Buffer.byteLength(text) });
      const history = await reopened.history('u1', identity, null, 10);
      assert.deepEqual(Array.from(history.recent), [1, 2]);
      assert.deepEqual(Array.from(history.recentRatings), [2, Number.NaN]);
      assert.deepEqual(await recent(reopened, 'u2'), [3]);
      assert.equal(await reopened.append(ev('u1', 5)), 4, 'counts continue from the replayed events');
    } finally {
      await reopened.close();
    }
    const again = await FileHistoryStore.open(path);
    assert.deepEqual(await recent(again, 'u1'), [5, 1, 2]);
    await again.close();
  }));

  void it('skips and truncates a torn last line; later appends start on a clean line', () => withDir(async (dir) => {
    const path = join(dir, 'events.log');
    const store = await FileHistoryStore.open(path);
    await store.append(ev('u1', 1));
    await store.append(ev('u1', 2));
    await store.close();
    const good = (await stat(path)).size;
    // A crash mid-write: half a line, no newline (even one that happens to be valid JSON is dropped).
    await appendFile(path, encodeFeedbackLine(ev('u1', 3)).slice(0, 17));

    const reopened = await FileHistoryStore.open(path);
    assert.equal(reopened.replay.tornBytes, 17);
    assert.equal(reopened.replay.events, 2);
    assert.equal(reopened.replay.badLines, 0);
    assert.equal((await stat(path)).size, good, 'torn tail truncated away on open');
    await reopened.append(ev('u1', 4));
    await reopened.close();

    const third = await FileHistoryStore.open(path);
    assert.equal(third.replay.tornBytes, 0);
    assert.equal(third.replay.badLines, 0);
    assert.equal(third.replay.events, 3);
    assert.deepEqual(await recent(third, 'u1'), [4, 2, 1]);
    await third.close();
  }));

  void it('counts and reports lines that fail validation, never crashes, keeps the good ones', () => withDir(async (dir) => {
    const path = join(dir, 'events.log');
    const lines = [
      encodeFeedbackLine(ev('u1', 1)),
      'not json at all\n',
      '[1,2,3]\n',
      '{"u":"","i":"i2","e":"click","t":1,"r":null}\n',
      '{"u":"u1","i":7,"e":"click","t":1,"r":null}\n',
      '{"u":"u1","i":"i2","e":"click","t":"yesterday","r":null}\n',
      '{"u":"u1","i":"i2","e":"click","t":1,"r":"five"}\n',
      '\n',
      '\u0000\u0000\u0000\n',
      encodeFeedbackLine(ev('u1', 2)),
    ];
    await writeFile(path, lines.join(''));
    const store = await FileHistoryStore.open(path);
    try {
      assert.equal(store.replay.events, 2);
      assert.equal(store.replay.badLines, 7);
      assert.equal(store.replay.tornBytes, 0);
      assert.deepEqual(store.replay.badLineSamples.map((b) => b.line), [2, 3, 4, 5, 6, 7, 9]);
      assert.equal(store.replay.badLineSamples[0]!.reason, 'not valid JSON');
      assert.match(store.replay.badLineSamples[2]!.reason, /user id/);
      assert.deepEqual(await recent(store, 'u1'), [2, 1]);
    } finally {
      await store.close();
    }
  }));

  void it('decodeFeedbackLine / encodeFeedbackLine round-trip and reject what replay would reject', () => {
    const event = ev('ü-ser "quoted"\n', 9, { rating: 3.5 });
    assert.deepEqual(decodeFeedbackLine(encodeFeedbackLine(event).trimEnd()), event);
    const unknown = decodeFeedbackLine(encodeFeedbackLine(ev('u', 1, { rating: Number.POSITIVE_INFINITY })).trimEnd());
    assert.ok(typeof unknown !== 'string' && Number.isNaN(unknown.rating));
    assert.throws(() => encodeFeedbackLine(ev('', 1)), isCode('RECSYS_ERR_REQUEST_INVALID'));
    assert.throws(() => encodeFeedbackLine(ev('u', 1, { timestamp: Number.NaN })), isCode('RECSYS_ERR_REQUEST_INVALID'));
  });

  void it('append rejects an invalid event without writing it', () => withDir(async (dir) => {
    const path = join(dir, 'events.log');
    const store = await FileHistoryStore.open(path);
    await assert.rejects(store.append(ev('u1', 1, { timestamp: Number.NaN })), isCode('RECSYS_ERR_REQUEST_INVALID'));
    assert.equal(await store.append(ev('u1', 2)), 1);
    await store.close();
    await assert.rejects(store.append(ev('u1', 3)), isCode('RECSYS_ERR_STORE_UNAVAILABLE'));
    assert.equal((await readFile(path, 'utf8')).split('\n').length, 2);
  }));

  void it('validates the fsync policy options', () => withDir(async (dir) => {
    const path = join(dir, 'events.log');
    await assert.rejects(FileHistoryStore.open(path, { fsync: 'sometimes' as FsyncPolicy }), isCode('RECSYS_ERR_CONFIG_INVALID', 'stores.feedbackFsync'));
    for (const fsyncIntervalMs of [0, -5, 1.5, Number.NaN]) {
      await assert.rejects(FileHistoryStore.open(path, { fsyncIntervalMs }), isCode('RECSYS_ERR_CONFIG_INVALID', 'stores.feedbackFsyncMs'), String(fsyncIntervalMs));
    }
    await assert.rejects(FileHistoryStore.open(path, { maxPerUser: 0 }), isCode('RECSYS_ERR_CONFIG_INVALID', 'maxPerUser'));
    await assert.rejects(FileHistoryStore.open(''), isCode('RECSYS_ERR_CONFIG_INVALID', 'stores.feedbackLog'));
    for (const fsync of ['always', 'interval', 'never'] as const) {
      const store = await FileHistoryStore.open(path, { fsync, fsyncIntervalMs: 5 });
      assert.equal(store.fsyncPolicy, fsync);
      await store.append(ev('u1', 1));
      if (fsync === 'interval') await new Promise((resolve) => setTimeout(resolve, 20));
      await store.close();
    }
    const check = await FileHistoryStore.open(path);
    assert.equal(check.replay.events, 3);
    await check.close();
  }));

  void it('bounds each user to maxPerUser on replay, keeping the newest', () => withDir(async (dir) => {
    const path = join(dir, 'events.log');
    const store = await FileHistoryStore.open(path, { maxPerUser: 1000 });
    for (let i = 0; i < 50; i++) await store.append(ev('u1', i));
    await store.append(ev('u2', 7));
    await store.close();
    const bounded = await FileHistoryStore.open(path, { maxPerUser: 5 });
    try {
      assert.equal(bounded.replay.events, 51);
      assert.deepEqual(await recent(bounded, 'u1'), [49, 48, 47, 46, 45]);
      assert.deepEqual((await bounded.history('u1', identity, null, 100)).seen.size, 5);
      assert.equal(await bounded.append(ev('u1', 50)), 5);
      assert.deepEqual(await recent(bounded, 'u1'), [50, 49, 48, 47, 46]);
      assert.deepEqual(await recent(bounded, 'u2'), [7]);
    } finally {
      await bounded.close();
    }
  }));

  void it('concurrent appends keep call order in memory and in the log', () => withDir(async (dir) => {
    const path = join(dir, 'events.log');
    for (const fsync of ['always', 'interval', 'never'] as const) {
      await rm(path, { force: true });
      const store = await FileHistoryStore.open(path, { fsync, fsyncIntervalMs: 1 });
      const counts = await Promise.all(Array.from({ length: 500 }, (_, i) => store.append(ev(i % 2 === 0 ? 'even' : 'odd', i))));
      assert.deepEqual(counts, Array.from({ length: 500 }, (_, i) => Math.floor(i / 2) + 1), fsync);
      const expectEven = Array.from({ length: 250 }, (_, k) => 498 - 2 * k);
      assert.deepEqual(await recent(store, 'even'), expectEven);
      await store.close();
      const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
      assert.deepEqual(lines.map((line) => (JSON.parse(line) as { i: string }).i), Array.from({ length: 500 }, (_, i) => `i${i}`));
      const reopened = await FileHistoryStore.open(path);
      assert.deepEqual(await recent(reopened, 'even'), expectEven);
      await reopened.close();
    }
  }));

  void it('close waits for in-flight appends and is idempotent', () => withDir(async (dir) => {
    const path = join(dir, 'events.log');
    const store = await FileHistoryStore.open(path);
    const appends = Array.from({ length: 100 }, (_, i) => store.append(ev('u1', i)));
    await Promise.all([store.close(), store.close()]);
    assert.equal((await Promise.all(appends)).at(-1), 100);
    await store.close();
    const reopened = await FileHistoryStore.open(path);
    assert.equal(reopened.replay.events, 100);
    await reopened.close();
  }));

  void it('replays 100k events well under a second', () => withDir(async (dir) => {
    const path = join(dir, 'events.log');
    const lines: string[] = [];
    for (let n = 0; n < 100_000; n++) lines.push(encodeFeedbackLine(ev(`user-${n % 5000}`, n % 20_000, { rating: n % 5 })));
    await writeFile(path, lines.join(''));
    const store = await FileHistoryStore.open(path, { maxPerUser: 10 });
    try {
      assert.equal(store.replay.events, 100_000);
      assert.equal(store.replay.users, 5000);
      assert.ok(store.replay.millis < 1000, `replay took ${store.replay.millis.toFixed(0)} ms`);
      assert.equal(await store.append(ev('user-0', 1)), 10, 'each user bounded to maxPerUser');
      assert.deepEqual(await recent(store, 'user-1'), [15_001, 10_001, 5001, 1]);
    } finally {
      await store.close();
    }
  }));

  void it('openHistoryStore: embedded:// with a feedback log opens FileHistoryStore, without one EmbeddedHistoryStore', () => withDir(async (dir) => {
    const path = join(dir, 'events.log');
    const durable = await openHistoryStore('embedded://', { feedbackLog: path, fsync: 'always', fsyncIntervalMs: 50 });
    assert.ok(durable instanceof FileHistoryStore);
    assert.equal(durable.fsyncPolicy, 'always');
    await durable.append(ev('u1', 1));
    await durable.close();
    assert.equal((await openHistoryStore('embedded://', { feedbackLog: '' })).backend, 'embedded');
    const memory = await openHistoryStore('');
    assert.ok(memory instanceof EmbeddedHistoryStore);
    await memory.close();
    const reopened = await openHistoryStore('embedded://', { feedbackLog: path });
    assert.deepEqual(await recent(reopened, 'u1'), [1]);
    await reopened.close();
  }));
});
