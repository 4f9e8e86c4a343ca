import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import ort from 'onnxruntime-node';

import { RecsysError, type ErrorCode } from '../../../lib/domain/errors.js';
import { OnnxGraphBuilder } from '../../../lib/onnx/onnx-graph-builder.js';
import { createOrtSession } from '../../../lib/onnx/ort-session.js';
import { OrtWorkerPool, ortWorkerPoolOptionsFromConfig } from '../../../lib/onnx/ort-worker-pool.js';
import { parseConfig } from '../../../lib/config/load-config.js';
import { wideDeepSizedMlp, MLP_LAYERS } from '../../../bench/wide-deep-sized-mlp.js';
import { createPrng } from '../../../offline/data/prng.js';

const WIDTH = MLP_LAYERS[0];

function features(rows: number, seed = 3): Float32Array {
  const random = createPrng(seed);
  return Float32Array.from({ length: rows * WIDTH }, () => random.normal());
}

/** A chain of square MatMuls: long enough (~100+ ms) to see whether the main loop keeps ticking. */
function heavyModel(size = 1024, layers = 8): Uint8Array {
  const g = new OnnxGraphBuilder();
  let x = g.input('x', 'float', ['batch', size]);
  g.floatInitializer('w', new Float32Array(size * size).fill(1 / size), [size, size]);
  for (let l = 0; l < layers; l++) x = g.apply('MatMul', [x, 'w']);
  g.node('Identity', [x], ['y']);
  g.output('y', 'float', ['batch', size]);
  return g.toBytes();
}

const hasCode = (code: ErrorCode) => (error: unknown) => error instanceof RecsysError && error.code === code;

/** Largest gap between main-thread timer ticks while `work` runs, and how long it ran. */
async function loopGaps(work: () => Promise<unknown>): Promise<{ maxGapMs: number; ticks: number; durationMs: number }> {
  let last = performance.now();
  let maxGapMs = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    ticks++;
  }, 1);
  const started = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  const end = performance.now();
  return { maxGapMs: Math.max(maxGapMs, end - last), ticks, durationMs: end - started };
}

void describe('OrtWorkerPool', () => {
  const model = wideDeepSizedMlp();
  let pool: OrtWorkerPool;

  before(async () => {
    pool = await OrtWorkerPool.create(model, { workers: 2, timeoutMs: 5000 });
  });
  after(async () => {
    await pool.close();
  });

  void it('reports the CPU provider and the model inputs and outputs', () => {
    assert.equal(pool.provider, 'cpu');
    assert.equal(pool.workers, 2);
    assert.deepEqual(pool.inputNames, ['x']);
    assert.deepEqual(pool.outputNames, ['score']);
  });

  void it('scores exactly as a direct session does, for concurrent calls spread over the workers', async () => {
    const rows = 500;
    const x = features(rows);
    const direct = await createOrtSession(model);
    const expected = (await direct.session.run({ x: new ort.Tensor('float32', x, [rows, WIDTH]) }))['score']!.data as Float32Array;
    await direct.release();
    const outputs = await Promise.all(Array.from({ length: 6 }, () => pool.run({ x: { type: 'float32', data: x, dims: [rows, WIDTH] } }, { transfer: false })));
    for (const out of outputs) {
      const score = out['score']!;
      assert.deepEqual(score.dims, [rows, 1]);
      assert.ok(score.data instanceof Float32Array);
      let worst = 0;
      for (let i = 0; i < rows; i++) worst = Math.max(worst, Math.abs(score.data[i]! - expected[i]!));
      assert.ok(worst <= 1e-6, `max abs diff ${worst}`);
    }
  });

  void it('transfers feed buffers by default and copies them when asked not to', async () => {
    const transferred = features(4);
    await pool.run({ x: { type: 'float32', data: transferred, dims: [4, WIDTH] } });
    assert.equal(transferred.byteLength, 0, 'the transferred array is detached');
    const copied = features(4);
    await pool.run({ x: { type: 'float32', data: copied, dims: [4, WIDTH] } }, { transfer: false });
    assert.equal(copied.length, 4 * WIDTH);
  });

  void it('packed (copied) feeds: concurrent runs over views of one reused buffer each get their own rows back, in order', async () => {
    const rows = 37;
    const shared = new Float32Array(8 * rows * WIDTH + 7);
    const expected: Float32Array[] = [];
    const direct = await createOrtSession(model);
    const runs: Promise<Record<string, { data: unknown }>>[] = [];
    for (let k = 0; k < 8; k++) {
      // Each run's rows are a view at an odd offset into the same array, as the assembler's columns are.
      const x = shared.subarray(7 + k * rows * WIDTH, 7 + (k + 1) * rows * WIDTH);
      x.set(features(rows, 10 + k));
      expected.push((await direct.session.run({ x: new ort.Tensor('float32', x.slice(), [rows, WIDTH]) }))['score']!.data as Float32Array);
      runs.push(pool.run({ x: { type: 'float32', data: x, dims: [rows, WIDTH] } }, { transfer: false }));
    }
    await direct.release();
    const before = shared.slice();
    const outputs = await Promise.all(runs);
    assert.deepEqual(shared, before, 'the caller array is neither detached nor changed');
    outputs.forEach((out, k) => {
      const score = out['score']!.data as Float32Array;
      assert.equal(score.length, rows);
      for (let i = 0; i < rows; i++) assert.ok(Math.abs(score[i]! - expected[k]![i]!) <= 1e-6, `run ${k} row ${i}`);
    });
  });

  void it('a failed packed run is still RECSYS_ERR_ONNX_RUN_FAILED, and later packed runs succeed', async () => {
    await assert.rejects(pool.run({ x: { type: 'float32', data: new Float32Array(3 * 5), dims: [3, 5] } }, { transfer: false }), hasCode('RECSYS_ERR_ONNX_RUN_FAILED'));
    const out = await pool.run({ x: { type: 'float32', data: features(3), dims: [3, WIDTH] } }, { transfer: false });
    assert.equal((out['score']!.data as Float32Array).length, 3);
  });

  void it('a feed builder makes the feeds in the worker from the input a build run sends', async () => {
    const rows = 50;
    const x = features(rows, 9);
    const direct = await createOrtSession(model);
    const expected = (await direct.session.run({ x: new ort.Tensor('float32', Float32Array.from(x, (value) => value * 3), [rows, WIDTH]) }))['score']!.data as Float32Array;
    await direct.release();
    const module = new URL('../../support/scaled-feed-builder.js', import.meta.url).href;
    const built = await OrtWorkerPool.create(model, { feedBuilder: { module, data: { scale: 3 } } });
    try {
      const out = await built.run({ raw: { type: 'float32', data: x, dims: [rows, WIDTH] } }, { transfer: false, build: true });
      assert.deepEqual(Array.from(out['score']!.data as Float32Array), Array.from(expected));
      await assert.rejects(pool.run({ raw: { type: 'float32', data: x, dims: [rows, WIDTH] } }, { build: true }), (error: unknown) => hasCode('RECSYS_ERR_ONNX_RUN_FAILED')(error) && /no feed builder/.test((error as Error).message));
    } finally {
      await built.close();
    }
    const noBuilder = { module: new URL('../../support/tiny-bundle.js', import.meta.url).href, data: null };
    await assert.rejects(OrtWorkerPool.create(model, { feedBuilder: noBuilder }), (error: unknown) => hasCode('RECSYS_ERR_ONNX_SESSION_FAILED')(error) && /exports no createFeedBuilder/.test((error as Error).message));
  });

  void it('a failed run is RECSYS_ERR_ONNX_RUN_FAILED and the worker keeps serving', async () => {
    await assert.rejects(pool.run({ x: { type: 'float32', data: new Float32Array(3 * 5), dims: [3, 5] } }), hasCode('RECSYS_ERR_ONNX_RUN_FAILED'));
    await assert.rejects(pool.run({ wrong: { type: 'float32', data: features(1), dims: [1, WIDTH] } }), hasCode('RECSYS_ERR_ONNX_RUN_FAILED'));
    const out = await pool.run({ x: { type: 'float32', data: features(2), dims: [2, WIDTH] } });
    assert.equal(out['score']!.data.length, 2);
  });
});

void describe('OrtWorkerPool and the event loop', () => {
  void it('the main loop keeps ticking while a worker computes; a direct session.run blocks it', async () => {
    const model = heavyModel();
    const rows = 512;
    const x = new Float32Array(rows * 1024).fill(1);
    const pool = await OrtWorkerPool.create(model, { timeoutMs: 30_000 });
    try {
      const viaPool = await loopGaps(() => pool.run({ x: { type: 'float32', data: x, dims: [rows, 1024] } }, { transfer: false }));
      const direct = await createOrtSession(model);
      const blocked = await loopGaps(() => direct.session.run({ x: new ort.Tensor('float32', x, [rows, 1024]) }));
      await direct.release();
      assert.ok(blocked.durationMs >= 40, `the model must take long enough to show anything (took ${blocked.durationMs.toFixed(1)} ms)`);
      assert.ok(blocked.maxGapMs >= 0.8 * blocked.durationMs, `direct run: max gap ${blocked.maxGapMs.toFixed(1)} ms of ${blocked.durationMs.toFixed(1)} ms`);
      assert.ok(viaPool.maxGapMs < 0.5 * viaPool.durationMs, `pool run: max gap ${viaPool.maxGapMs.toFixed(1)} ms of ${viaPool.durationMs.toFixed(1)} ms`);
      assert.ok(viaPool.ticks >= 5, `pool run: ${viaPool.ticks} ticks`);
    } finally {
      await pool.close();
    }
  });

  void it('a reply already posted when a late deadline timer fires is used, not timed out', async () => {
    const pool = await OrtWorkerPool.create(wideDeepSizedMlp(), { timeoutMs: 5000 });
    try {
      const run = pool.run({ x: { type: 'float32', data: features(8), dims: [8, WIDTH] } }, { timeoutMs: 20 });
      // This thread stays busy past the deadline while the worker answers: when the loop
      // turns, the due timer runs before the waiting reply would be delivered.
      const until = performance.now() + 300;
      while (performance.now() < until) { /* busy */ }
      assert.equal((await run)['score']!.data.length, 8);
    } finally {
      await pool.close();
    }
  });

  void it("a run's own timeoutMs shortens the pool's; none left fails at once", async () => {
    const pool = await OrtWorkerPool.create(heavyModel(), { timeoutMs: 30_000 });
    try {
      const feeds = { x: { type: 'float32', data: new Float32Array(512 * 1024), dims: [512, 1024] } } as const;
      await assert.rejects(pool.run(feeds, { transfer: false, timeoutMs: 2 }), (error: unknown) => hasCode('RECSYS_ERR_ONNX_TIMEOUT')(error) && /longer than 2 ms/.test((error as Error).message));
      await assert.rejects(pool.run(feeds, { transfer: false, timeoutMs: 0 }), hasCode('RECSYS_ERR_ONNX_TIMEOUT'));
    } finally {
      await pool.close();
    }
  });

  void it('a run past the timeout is RECSYS_ERR_ONNX_TIMEOUT', async () => {
    const pool = await OrtWorkerPool.create(heavyModel(), { timeoutMs: 2 });
    try {
      await assert.rejects(pool.run({ x: { type: 'float32', data: new Float32Array(512 * 1024), dims: [512, 1024] } }), hasCode('RECSYS_ERR_ONNX_TIMEOUT'));
    } finally {
      await pool.close();
    }
  });
});

void describe('OrtWorkerPool lifecycle', () => {
  void it('close() ends the workers, is idempotent, and later runs are RECSYS_ERR_ONNX_CLOSED', async () => {
    const pool = await OrtWorkerPool.create(wideDeepSizedMlp(), { workers: 2 });
    const inFlight = pool.run({ x: { type: 'float32', data: features(8), dims: [8, WIDTH] } });
    const closing = pool.close();
    assert.equal((await inFlight)['score']!.data.length, 8, 'a run in flight finishes');
    await closing;
    await pool.close();
    assert.equal(pool.workers, 0);
    await assert.rejects(pool.run({ x: { type: 'float32', data: features(1), dims: [1, WIDTH] } }), hasCode('RECSYS_ERR_ONNX_CLOSED'));
  });

  void it('a model that cannot load rejects create with RECSYS_ERR_ONNX_SESSION_FAILED', async () => {
    await assert.rejects(OrtWorkerPool.create(Uint8Array.of(8, 1, 2, 3), { workers: 2 }), hasCode('RECSYS_ERR_ONNX_SESSION_FAILED'));
  });

  void it('takes workers, providers, threads and timeout from the config onnx block', () => {
    assert.deepEqual(ortWorkerPoolOptionsFromConfig(parseConfig({ onnx: { workers: 2, timeoutMs: 50 } }).onnx), {
      workers: 2,
      executionProviders: ['cpu'],
      intraOpNumThreads: 1,
      timeoutMs: 50,
    });
  });
});
