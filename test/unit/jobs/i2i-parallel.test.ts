import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { datasetFromRows, type InteractionRow } from '../../../offline/data/dataset-builder.js';
import { createPrng } from '../../../offline/data/prng.js';
import { buildTrainingData, type TrainingData } from '../../../offline/jobs/training-data.js';
import { recentHoldout } from '../../../offline/jobs/validation-set.js';
import { itemCfJob, itemCfNeighbours, itemCfNeighboursParallel, type ItemCfVariantOptions } from '../../../offline/jobs/item-cf/item-cf.job.js';
import { swingJob, swingNeighbours, swingNeighboursParallel, type SwingOptions } from '../../../offline/jobs/swing/swing.job.js';
import { assembleChunks, planChunks } from '../../../offline/jobs/parallel/row-chunks.js';
import { resolveThreads } from '../../../offline/jobs/parallel/i2i-pool.js';
import { parseConfig } from '../../../lib/config/load-config.js';
import { silentProgress } from '../../../offline/progress.js';
import type { SimilarityTable } from '../../../lib/stores/similarity/similarity-table.js';

/** 400 users, 300 items, Zipf-like popularity, heavy-tailed activity, distinct timestamps per user. */
function generated(): TrainingData {
  const random = createPrng(7);
  const rows: InteractionRow[] = [];
  for (let u = 0; u < 400; u++) {
    const n = Math.min(250, 3 + Math.floor(Math.exp(2.5 + 1.1 * random.normal())));
    const seen = new Set<number>();
    while (seen.size < n) seen.add(Math.min(299, Math.floor(300 * random.next() ** 2.5)));
    let t = 1_000_000 + random.int(10_000_000);
    for (const item of seen) {
      t += 1 + random.int(86_400 * 3);
      rows.push({ user: `u${u}`, item: `i${item}`, timestamp: t });
    }
  }
  return buildTrainingData(datasetFromRows(rows, 'generated'));
}

function assertSameTable(actual: SimilarityTable, expected: SimilarityTable, what: string): void {
  assert.deepEqual(Array.from(actual.offsets), Array.from(expected.offsets), `${what}: offsets`);
  assert.deepEqual(Array.from(actual.items), Array.from(expected.items), `${what}: items`);
  // Exact float32 bits, not closeness.
  assert.deepEqual(Array.from(new Uint32Array(actual.scores.slice().buffer)), Array.from(new Uint32Array(expected.scores.slice().buffer)), `${what}: score bits`);
}

void describe('i2i jobs on worker threads', () => {
  const data = generated();

  void it('item-cf: 1 and 2 threads build bit-identical tables', async () => {
    const variants: ItemCfVariantOptions[] = [
      { neighbours: 50, minCooccurrence: 1, iuf: true, alpha: 0.6 },
      { neighbours: 20, minCooccurrence: 2, iuf: false, alpha: 0.5 },
      { neighbours: 50, minCooccurrence: 1, iuf: true, alpha: 0.6, timeDecay: 30 },
    ];
    for (const options of variants) {
      const one = itemCfNeighbours(data, options);
      assert.ok(one.items.length > 1000, 'the generated data is not trivial');
      let ticks = 0;
      const two = await itemCfNeighboursParallel(data, options, 2, (n) => (ticks += n));
      assert.equal(ticks, data.items);
      assertSameTable(two, one, JSON.stringify(options));
      assertSameTable(await itemCfNeighboursParallel(data, options, 1), one, `${JSON.stringify(options)} threads 1`);
    }
  });

  void it('swing: 1 and 2 threads build bit-identical tables', async () => {
    const variants: SwingOptions[] = [
      { alpha: 1, alpha1: 5, beta: 0.35, maxUsersPerItem: 300, neighbours: 50 },
      { alpha: 0.5, alpha1: 1, beta: 0.5, maxUsersPerItem: 20, neighbours: 10 },
    ];
    for (const options of variants) {
      const one = swingNeighbours(data, options);
      assert.ok(one.items.length > 1000, 'the generated data is not trivial');
      let ticks = 0;
      const two = await swingNeighboursParallel(data, options, 2, (n) => (ticks += n));
      assert.equal(ticks, data.items);
      assertSameTable(two, one, JSON.stringify(options));
    }
  });

  void it('the jobs write the same artifact bytes with 1 and 2 threads, and report threads and peak RSS', async () => {
    for (const job of [itemCfJob, swingJob]) {
      const outputs = await Promise.all(
        [1, 2].map((threads) => job.run({ data, config: parseConfig({ jobs: { 'item-cf': { threads }, swing: { threads } } }), progress: silentProgress, validation: recentHoldout(data.dataset) })),
      );
      const [one, two] = outputs;
      assert.deepEqual(two!.artifacts.map((a) => a.name), one!.artifacts.map((a) => a.name));
      one!.artifacts.forEach((artifact, k) => {
        assert.ok(Buffer.from(artifact.bytes).equals(Buffer.from(two!.artifacts[k]!.bytes)), `${job.name}: ${artifact.name}`);
      });
      assert.equal(one!.details.threads, 1);
      assert.equal(two!.details.threads, 2);
      for (const output of outputs) {
        assert.ok(typeof output.details.peakRssMb === 'number' && output.details.peakRssMb > 0);
        assert.ok(typeof output.details.maxRssMb === 'number' && output.details.maxRssMb >= output.details.peakRssMb * 0.5);
      }
    }
  });
});

void describe('row chunks', () => {
  void it('plans contiguous ranges that tile every item, at most 1% of the items each', () => {
    const cost = Float64Array.from({ length: 1000 }, (_, i) => (i % 7 === 0 ? 100 : 1));
    for (const threads of [1, 2, 8]) {
      const chunks = planChunks(cost, threads);
      let at = 0;
      for (const chunk of chunks) {
        assert.equal(chunk.start, at);
        assert.ok(chunk.end > chunk.start && chunk.end - chunk.start <= 10);
        at = chunk.end;
      }
      assert.equal(at, 1000);
    }
  });

  void it('assembles chunks in item order and rejects gaps', () => {
    const table = assembleChunks(3, [
      { start: 0, end: 2, offsets: Int32Array.of(0, 1, 1), items: Int32Array.of(1), scores: Float32Array.of(0.5) },
      { start: 2, end: 3, offsets: Int32Array.of(0, 2), items: Int32Array.of(0, 1), scores: Float32Array.of(0.25, 0.125) },
    ]);
    assert.deepEqual(Array.from(table.offsets), [0, 1, 1, 3]);
    assert.deepEqual(Array.from(table.items), [1, 0, 1]);
    assert.throws(() => assembleChunks(3, [{ start: 1, end: 3, offsets: Int32Array.of(0, 0, 0), items: new Int32Array(0), scores: new Float32Array(0) }]));
  });

  void it('threads 0 means one per available core', () => {
    assert.ok(resolveThreads(0) >= 1);
    assert.equal(resolveThreads(3), 3);
  });
});
