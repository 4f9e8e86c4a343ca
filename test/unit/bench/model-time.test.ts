import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { OnnxGraphBuilder } from '../../../lib/onnx/onnx-graph-builder.js';
import { measureModelMs } from '../../../bench/serve/model-time.js';

/** A ranker-shaped model: float features [batch, 8] and an int64 id [batch] (looked up in a table) → one score per row. */
function rankerLikeModel(): Uint8Array {
  const g = new OnnxGraphBuilder();
  g.input('dense', 'float', ['batch', 8]);
  g.input('item', 'int64', ['batch']);
  g.floatInitializer('w', Float32Array.from({ length: 8 }, (_, i) => i / 8), [8, 1]);
  g.floatInitializer('bias', Float32Array.from({ length: 16 }, (_, i) => i), [16, 1]);
  const dot = g.apply('MatMul', ['dense', 'w']);
  const itemBias = g.apply('Gather', ['bias', 'item']);
  g.node('Add', [dot, itemBias], ['score']);
  g.output('score', 'float', ['batch', 1]);
  return g.toBytes();
}

void describe('measureModelMs', () => {
  void it('times a model with batch-sized feeds built from its input metadata', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'model-time-'));
    try {
      const path = join(dir, 'ranker.onnx');
      await writeFile(path, rankerLikeModel());
      const timing = await measureModelMs(path, 500, 20, 2);
      assert.ok(timing.ms !== null && timing.ms > 0, JSON.stringify(timing));
      assert.ok('inputs' in timing);
      assert.match(timing.inputs, /dense\[500x8\] float32/);
      assert.match(timing.inputs, /item\[500\] int64/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void it('is null with the reason when there is no ranker', async () => {
    const timing = await measureModelMs(null, 500);
    assert.equal(timing.ms, null);
    assert.ok('reason' in timing && /no ranker/.test(timing.reason));
  });
});
