import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';

import { RecsysError } from '../../../lib/domain/errors.js';
import { OnnxGraphBuilder } from '../../../lib/onnx/onnx-graph-builder.js';
import { createOrtSession, cudaFallbackReason, ortSessionOptionsFromConfig } from '../../../lib/onnx/ort-session.js';
import { parseConfig } from '../../../lib/config/load-config.js';

function reluModel(): Uint8Array {
  const g = new OnnxGraphBuilder();
  g.input('x', 'float', ['batch', 2]);
  g.node('Relu', ['x'], ['y']);
  g.output('y', 'float', ['batch', 2]);
  return g.toBytes();
}

/** Whether onnxruntime-node's CUDA provider library was installed (ONNXRUNTIME_NODE_INSTALL=cuda12). */
function cudaProviderInstalled(): boolean {
  const packageJson = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
  return existsSync(join(dirname(packageJson), 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so'));
}

void describe('createOrtSession', () => {
  void it('defaults to the CPU provider with one intra-op thread and runs the model', async () => {
    const handle = await createOrtSession(reluModel());
    try {
      assert.equal(handle.provider, 'cpu');
      assert.deepEqual(handle.inputNames, ['x']);
      assert.deepEqual(handle.outputNames, ['y']);
      const out = await handle.session.run({ x: new ort.Tensor('float32', Float32Array.of(-1, 2), [1, 2]) });
      assert.deepEqual([...(out['y']!.data as Float32Array)], [0, 2]);
    } finally {
      await handle.release();
    }
  });

  void it('asked for [cuda, cpu]: runs on CUDA when it initialises, otherwise falls back to CPU and warns once', async () => {
    const warnings: string[] = [];
    const logger = { warn: (_object: object, message: string): void => void warnings.push(message) };
    const options = { executionProviders: ['cuda', 'cpu'] as const, logger };
    const first = await createOrtSession(reluModel(), options);
    const second = await createOrtSession(reluModel(), options);
    try {
      assert.equal(first.provider, second.provider);
      if (first.provider === 'cpu') {
        assert.equal(warnings.length, 1, 'one warning for two sessions');
        assert.ok(cudaFallbackReason() !== undefined);
        if (!cudaProviderInstalled()) assert.match(cudaFallbackReason()!, /shared library|cannot open|not found/i);
      } else {
        assert.equal(warnings.length, 0);
      }
      const out = await second.session.run({ x: new ort.Tensor('float32', Float32Array.of(3, -4), [1, 2]) });
      assert.deepEqual([...(out['y']!.data as Float32Array)], [3, 0]);
    } finally {
      await first.release();
      await second.release();
    }
  });

  void it('a model onnxruntime cannot load is RECSYS_ERR_ONNX_SESSION_FAILED', async () => {
    await assert.rejects(createOrtSession(Uint8Array.of(1, 2, 3, 4)), (error: unknown) => error instanceof RecsysError && error.code === 'RECSYS_ERR_ONNX_SESSION_FAILED');
  });

  void it('takes providers and threads from the config onnx block', () => {
    const config = parseConfig({ onnx: { executionProviders: ['cuda', 'cpu'], intraOpNumThreads: 2 } });
    assert.deepEqual(ortSessionOptionsFromConfig(config.onnx), { executionProviders: ['cuda', 'cpu'], intraOpNumThreads: 2 });
    assert.deepEqual(parseConfig({}).onnx, { executionProviders: ['cpu'], intraOpNumThreads: 1, workers: 1, timeoutMs: 1000 });
  });
});
