import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parseConfig } from '../../../lib/config/load-config.js';
import type { SourceOutcome } from '../../../lib/domain/candidate.js';
import { EmbeddedBundleStore } from '../../../lib/stores/bundle/embedded-bundle-store.js';
import { loadServingBundle } from '../../../lib/stores/bundle/serving-bundle.js';
import type { ServingBundle } from '../../../lib/stores/bundle/serving-bundle.js';
import { EmbeddedHistoryStore } from '../../../lib/stores/features/embedded-history-store.js';
import { datasetFromRows } from '../../../offline/data/dataset-builder.js';
import type { InteractionRow } from '../../../offline/data/dataset-builder.js';
import { buildTrainingData } from '../../../offline/jobs/training-data.js';
import { recentHoldout } from '../../../offline/jobs/validation-set.js';
import { buildBundle } from '../../../offline/build-bundle.js';
import { silentProgress } from '../../../offline/progress.js';
import { RecallEngine } from '../../../services/recall/recall-engine.js';
import { PopularSource } from '../../../services/recall/sources/popular.source.js';
import type { RecallSource } from '../../../services/recall/recall-source.js';
import { RecommendPipeline } from '../../../services/recommend/recommend-pipeline.js';
import type { PipelineOptions, PipelineResult, RecallPort } from '../../../services/recommend/recommend-pipeline.js';
import { createInProcessPipeline } from '../../../services/server/in-process-pipeline.js';

/*
 * Two clusters of items ("1".."6" -> indices 0..5):
 *   users a b c d watch cluster {1,2,3}; users e f g watch cluster {4,5,6}.
 *     a: 1 2 3   b: 1 2 3   c: 1 2   d: 1   e: 4 5 6   f: 4 5   g: 4
 *   counts: 1:4  2:3  3:2  4:3  5:2  6:1
 *   popular (count desc, index asc): 1(4) 2(3) 4(3) 3(2) 5(2) 6(1)
 * Item-cf: 5's neighbours are 4 (c=2, 2/sqrt(3*2)=.816) and 6 (c=1, 1/sqrt(2*1)=.707), none in {1,2,3}.
 */
const ROWS: InteractionRow[] = [
  ['a', '1', 10], ['a', '2', 20], ['a', '3', 30],
  ['b', '1', 10], ['b', '2', 20], ['b', '3', 30],
  ['c', '1', 10], ['c', '2', 20],
  ['d', '1', 10],
  ['e', '4', 10], ['e', '5', 20], ['e', '6', 30],
  ['f', '4', 10], ['f', '5', 20],
  ['g', '4', 10],
].map(([user, item, timestamp]) => ({ user: String(user), item: String(item), timestamp: Number(timestamp) }));
const POPULAR_ORDER = ['1', '2', '4', '3', '5', '6'];
const POPULAR_COUNTS = [4, 3, 3, 2, 2, 1];

/** These tests pin recall + merge order, so the ranking stage is off (rank-stage.test.ts and ranker tests cover it). */
const defaults = parseConfig({ rank: { enabled: false } });
/*
 * The hand-computed scores below assume exactly two sources, item-cf (weight 1) and popular
 * (weight .3), merged with k = 60: every other configured source is switched off.
 */
const config = parseConfig({
  rank: { enabled: false },
  serving: {
    merge: { rrfK: 60 },
    sources: {
      ...Object.fromEntries(Object.keys(defaults.serving.sources).map((id) => [id, { enabled: false }])),
      'item-cf': { enabled: true, weight: 1 },
      popular: { enabled: true, weight: 0.3 },
    },
  },
});
let root = '';
let bundle: ServingBundle;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'recsys-pipeline-'));
  const store = new EmbeddedBundleStore(root);
  const dataset = datasetFromRows(ROWS, 'two-clusters');
  const data = buildTrainingData(dataset);
  await buildBundle({ data, validation: recentHoldout(dataset), config: defaults, store, progress: silentProgress, version: 'v1' });
  const current = await store.current();
  assert.equal(current, 'v1');
  bundle = await loadServingBundle(store, current);
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

function ids(result: PipelineResult): string[] {
  return Array.from(result.items, (item) => bundle.catalogue.itemIds[item]!);
}

function pipeline(history = new EmbeddedHistoryStore()): RecommendPipeline {
  return createInProcessPipeline(bundle, config, history);
}

/** Every returned item carries at least one non-NaN per-source score. */
function assertEverySourced(result: PipelineResult): void {
  for (let i = 0; i < result.items.length; i++) {
    const sourced = [...result.sourceScores.values()].some((column) => !Number.isNaN(column[i]));
    assert.ok(sourced, `item ${ids(result)[i]} has no source score`);
  }
  for (const column of result.sourceScores.values()) assert.equal(column.length, result.items.length);
}

void describe('RecommendPipeline (in process, real bundle)', () => {
  void it('loads the bundle the offline code wrote', () => {
    assert.equal(bundle.version, 'v1');
    assert.deepEqual(bundle.catalogue.itemIds, ['1', '2', '3', '4', '5', '6']);
    assert.ok(bundle.similarity.tables().includes('item-cf'));
    assert.ok(bundle.similarity.tables().includes('item-cf-target'));
    assert.deepEqual(Array.from(bundle.popular.overall.items, (item) => bundle.catalogue.itemIds[item]), POPULAR_ORDER);
  });

  void it('gives an unknown user the popular list in popularity order', async () => {
    const result = await pipeline().recommend({ userId: 'stranger', count: 10, excludeItemIds: [] });
    assert.equal(result.knownUser, false);
    assert.equal(result.bundleVersion, 'v1');
    assert.deepEqual(ids(result), POPULAR_ORDER);
    assert.deepEqual(Array.from(result.sourceScores.get('popular')!), POPULAR_COUNTS);
    assert.ok(Array.from(result.sourceScores.get('item-cf')!).every(Number.isNaN));
    // final scores are the merged RRF scores: 0.3 / (60 + rank)
    assert.deepEqual(Array.from(result.scores), POPULAR_ORDER.map((_, r) => Math.fround(0.3 / (61 + r))));
    assert.deepEqual(result.degradedSources, []);
    assertEverySourced(result);
  });

  void it('returns min(count, available) items', async () => {
    const p = pipeline();
    assert.deepEqual(ids(await p.recommend({ userId: 'stranger', count: 3, excludeItemIds: [] })), ['1', '2', '4']);
    assert.equal((await p.recommend({ userId: 'stranger', count: 1, excludeItemIds: [] })).items.length, 1);
    // c has seen 1 and 2: 4 of 6 items are left
    const known = await p.recommend({ userId: 'c', count: 10, excludeItemIds: [] });
    assert.equal(known.items.length, 4);
    assert.equal(known.scores.length, 4);
  });

  void it('never returns an item from a known user\'s history', async () => {
    const p = pipeline();
    const history: Record<string, string[]> = { a: ['1', '2', '3'], c: ['1', '2'], e: ['4', '5', '6'], g: ['4'] };
    for (const [user, seen] of Object.entries(history)) {
      const result = await p.recommend({ userId: user, count: 10, excludeItemIds: [] });
      assert.equal(result.knownUser, true);
      assert.deepEqual(ids(result).filter((id) => seen.includes(id)), [], `user ${user}`);
      assert.equal(result.items.length, 6 - seen.length, `user ${user}`);
      assertEverySourced(result);
    }
  });

  void it('ranks a known user\'s item-cf neighbours first', async () => {
    // c (1, 2) -> 3 is the only co-watched unseen item; g (4) -> 5 then 6
    assert.equal(ids(await pipeline().recommend({ userId: 'c', count: 1, excludeItemIds: [] }))[0], '3');
    assert.deepEqual(ids(await pipeline().recommend({ userId: 'g', count: 2, excludeItemIds: [] })), ['5', '6']);
  });

  void it('honours request exclusions and ignores unknown excluded ids', async () => {
    const result = await pipeline().recommend({ userId: 'c', count: 10, excludeItemIds: ['3', 'no-such-item', '5'] });
    assert.deepEqual(ids(result).sort(), ['4', '6']);
    assert.ok(result.removed.every((removed) => removed.filter !== 'catalogue'));
    const stranger = await pipeline().recommend({ userId: 'stranger', count: 10, excludeItemIds: ['1', 'zzz'] });
    assert.deepEqual(ids(stranger), ['2', '4', '3', '5', '6']);
  });

  void it('reflects feedback on the next call: the clicked item is filtered and its neighbours appear', async () => {
    const history = new EmbeddedHistoryStore();
    const p = pipeline(history);
    const before = await p.recommend({ userId: 'newcomer', count: 2, excludeItemIds: [] });
    assert.equal(before.knownUser, false);
    assert.deepEqual(ids(before), ['1', '2']);

    assert.equal(await history.append({ userId: 'newcomer', itemId: '5', event: 'click', timestamp: 100, rating: 0 }), 1);
    const after = await p.recommend({ userId: 'newcomer', count: 2, excludeItemIds: [] });
    /*
     * item-cf (weight 1) from trigger 5: 4 (.816), 6 (.707); popular (weight .3) without 5: 1 2 4 3 6
     *   4: 1/61 + .3/63 = .02115   6: 1/62 + .3/65 = .02074   1: .3/61 = .00492   2: .3/62 ...
     */
    assert.equal(after.knownUser, true);
    assert.deepEqual(ids(after), ['4', '6']);
    assert.deepEqual(Array.from(after.scores), [1 / 61 + 0.3 / 63, 1 / 62 + 0.3 / 65].map(Math.fround));
    const all = await p.recommend({ userId: 'newcomer', count: 10, excludeItemIds: [] });
    assert.ok(!ids(all).includes('5'));
    assert.equal(all.items.length, 5);
  });

  void it('feedback on a known user adds to the bundle history', async () => {
    const history = new EmbeddedHistoryStore();
    const p = pipeline(history);
    await history.append({ userId: 'c', itemId: '3', event: 'click', timestamp: 100, rating: 0 });
    const result = await p.recommend({ userId: 'c', count: 10, excludeItemIds: [] });
    assert.deepEqual(ids(result).sort(), ['4', '5', '6']);
  });

  void it('reports timings for every stage', async () => {
    const result = await pipeline().recommend({ userId: 'a', count: 3, excludeItemIds: [] });
    assert.deepEqual(result.timings.map((timing) => timing.stage), ['history', 'recall', 'merge', 'filter', 'rerank', 'select']);
    assert.deepEqual(result.outcomes.map((outcome) => [outcome.source, outcome.status]), [['item-cf', 'ok'], ['popular', 'ok']]);
  });
});

void describe('RecommendPipeline with the default config (every default source)', () => {
  const full = (history = new EmbeddedHistoryStore()): RecommendPipeline => createInProcessPipeline(bundle, defaults, history);

  void it('serves an unknown user the popular list in popularity order, nothing degraded', async () => {
    const result = await full().recommend({ userId: 'stranger', count: 10, excludeItemIds: [] });
    assert.deepEqual(ids(result), POPULAR_ORDER);
    assert.deepEqual(result.degradedSources, []);
    assert.ok(result.outcomes.every((outcome) => outcome.status === 'ok'));
    assertEverySourced(result);
  });

  void it('keeps history and exclusions out and returns min(count, available)', async () => {
    const p = full();
    for (const [user, seen] of Object.entries({ a: ['1', '2', '3'], c: ['1', '2'], e: ['4', '5', '6'] })) {
      const result = await p.recommend({ userId: user, count: 10, excludeItemIds: ['6', 'unknown'] });
      const returned = ids(result);
      assert.deepEqual(returned.filter((id) => seen.includes(id) || id === '6'), [], `user ${user}`);
      // 6 items minus the seen ones minus 6 (when not already seen)
      assert.equal(returned.length, 6 - seen.length - (seen.includes('6') ? 0 : 1), `user ${user}`);
      assertEverySourced(result);
    }
    assert.equal((await p.recommend({ userId: 'c', count: 2, excludeItemIds: [] })).items.length, 2);
  });

  void it('reflects feedback on the next call', async () => {
    const history = new EmbeddedHistoryStore();
    const p = full(history);
    await history.append({ userId: 'newcomer', itemId: '5', event: 'click', timestamp: 100, rating: 0 });
    const result = await p.recommend({ userId: 'newcomer', count: 2, excludeItemIds: [] });
    assert.deepEqual(ids(result), ['4', '6']);
  });
});

void describe('RecommendPipeline degraded sources', () => {
  const options: PipelineOptions = {
    recentHistory: 500,
    sourceWeights: new Map([['item-cf', 1], ['popular', 0.3]]),
    rrfK: 60,
    sourceTimeoutMs: Number.POSITIVE_INFINITY,
  };

  function port(outcomes: SourceOutcome[]): RecallPort {
    return { sourceIds: outcomes.map((outcome) => outcome.source), recall: () => Promise.resolve(outcomes) };
  }

  void it('passes the history\'s ratings to recall, aligned with recent', async () => {
    const queries: { recent: number[]; ratings: number[] }[] = [];
    const capturing: RecallPort = {
      sourceIds: ['popular'],
      recall: ({ query }) => {
        queries.push({ recent: Array.from(query.recent), ratings: Array.from(query.recentRatings) });
        return Promise.resolve([{ status: 'ok', source: 'popular', candidates: bundle.popular.overall, millis: 1 }]);
      },
    };
    const history = new EmbeddedHistoryStore();
    await history.append({ userId: 'c', itemId: '5', event: 'rate', timestamp: 100, rating: 4 });
    await new RecommendPipeline(bundle, capturing, history, options).recommend({ userId: 'c', count: 3, excludeItemIds: [] });
    // Feedback 5 (rated 4) before c's bundle history 2, 1 (implicit rows: unknown).
    assert.deepEqual(queries, [{ recent: [4, 1, 0], ratings: [4, Number.NaN, Number.NaN] }]);
    assert.deepEqual(Array.from(bundle.userHistoryRatings('c')!), [Number.NaN, Number.NaN]);
    assert.equal(bundle.userHistoryRatings('stranger'), null);
  });

  void it('reports a failed source and still returns the others\' items', async () => {
    const outcomes: SourceOutcome[] = [
      { status: 'error', source: 'item-cf', error: 'similarity store down', millis: 1 },
      { status: 'ok', source: 'popular', candidates: { items: Int32Array.from([3, 4, 5]), scores: Float32Array.from([2, 2, 1]) }, millis: 1 },
    ];
    const p = new RecommendPipeline(bundle, port(outcomes), new EmbeddedHistoryStore(), options);
    const result = await p.recommend({ userId: 'stranger', count: 10, excludeItemIds: [] });
    assert.deepEqual(result.degradedSources, ['item-cf']);
    assert.deepEqual(ids(result), ['4', '5', '6']);
    assert.deepEqual([...result.sourceScores.keys()], ['popular']);
    assertEverySourced(result);
  });

  void it('a source that throws inside the recall engine is degraded, not fatal', async () => {
    const throwing: RecallSource = { id: 'item-cf', recall: () => Promise.reject(new Error('boom')) };
    const engine = new RecallEngine([
      { source: throwing, limit: 10, weight: 1 },
      { source: new PopularSource(bundle.popular.overall), limit: 10, weight: 0.3 },
    ]);
    const p = new RecommendPipeline(bundle, engine, new EmbeddedHistoryStore(), options);
    const result = await p.recommend({ userId: 'c', count: 10, excludeItemIds: [] });
    assert.deepEqual(result.degradedSources, ['item-cf']);
    const failed = result.outcomes.find((outcome) => outcome.source === 'item-cf');
    assert.ok(failed && failed.status === 'error' && failed.error === 'boom');
    // popular without c's seen 1, 2: 4 3 5 6
    assert.deepEqual(ids(result), ['4', '3', '5', '6']);
    assertEverySourced(result);
  });

  void it('falls back to the bundle\'s popular list, filtered, when every source fails', async () => {
    const outcomes: SourceOutcome[] = [
      { status: 'timeout', source: 'item-cf', error: 'late', millis: 30 },
      { status: 'error', source: 'popular', error: 'down', millis: 1 },
    ];
    const p = new RecommendPipeline(bundle, port(outcomes), new EmbeddedHistoryStore(), options);
    const result = await p.recommend({ userId: 'c', count: 3, excludeItemIds: ['4'] });
    assert.deepEqual(result.degradedSources, ['item-cf', 'popular']);
    // popular 1 2 4 3 5 6 minus seen 1, 2 and excluded 4
    assert.deepEqual(ids(result), ['3', '5', '6']);
    assertEverySourced(result);
  });

  void it('drops candidates outside the catalogue', async () => {
    const outcomes: SourceOutcome[] = [
      { status: 'ok', source: 'popular', candidates: { items: Int32Array.from([99, 0]), scores: Float32Array.from([1, 1]) }, millis: 1 },
    ];
    const p = new RecommendPipeline(bundle, port(outcomes), new EmbeddedHistoryStore(), options);
    const result = await p.recommend({ userId: 'stranger', count: 10, excludeItemIds: [] });
    assert.deepEqual(ids(result), ['1']);
    assert.deepEqual(result.removed, [{ item: 99, filter: 'catalogue' }]);
  });
});
