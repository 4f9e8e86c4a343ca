import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ort from 'onnxruntime-node';

import { RecsysError } from '../../../lib/domain/errors.js';
import { OnnxGraphBuilder } from '../../../lib/onnx/onnx-graph-builder.js';
import { attr } from '../../../lib/onnx/onnx-attribute.js';
import { floatTensor } from '../../../lib/onnx/onnx-tensor.js';
import { modelProto } from '../../../lib/onnx/onnx-proto.js';
import { createOrtSession } from '../../../lib/onnx/ort-session.js';
import { createPrng } from '../../../offline/data/prng.js';

const TOLERANCE = 1e-5;

function randomFloats(seed: number, n: number, scale = 0.5): Float32Array {
  const random = createPrng(seed);
  return Float32Array.from({ length: n }, () => random.normal() * scale);
}

/** y[r, c] = sum_k x[r, k] * w[k, c] (+ b[c]), row-major, in float64. */
function matmul(x: ArrayLike<number>, rows: number, inner: number, w: ArrayLike<number>, cols: number, b?: ArrayLike<number>): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let sum = b === undefined ? 0 : b[c]!;
      for (let k = 0; k < inner; k++) sum += x[r * inner + k]! * w[k * cols + c]!;
      y[r * cols + c] = sum;
    }
  }
  return y;
}

const relu = (values: Float64Array): Float64Array => values.map((v) => Math.max(0, v));
const sigmoid = (values: Float64Array): Float64Array => values.map((v) => 1 / (1 + Math.exp(-v)));

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = TOLERANCE): void {
  assert.equal(actual.length, expected.length, 'length');
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  assert.ok(worst <= tolerance, `max abs diff ${worst} > ${tolerance}`);
}

async function runModel(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, Float32Array>> {
  const { session, release } = await createOrtSession(bytes);
  try {
    const results = await session.run(feeds);
    const out: Record<string, Float32Array> = {};
    for (const [name, tensor] of Object.entries(results)) out[name] = tensor.data as Float32Array;
    return out;
  } finally {
    await release();
  }
}

void describe('OnnxGraphBuilder: MLP with embeddings (Gather, Concat, MatMul, Add, Relu, Gemm, Sigmoid)', () => {
  const vocab = 50;
  const dim = 4;
  const dense = 3;
  const hidden = 8;
  const table = randomFloats(1, vocab * dim);
  const w1 = randomFloats(2, (dim + dense) * hidden);
  const b1 = randomFloats(3, hidden, 0.1);
  const w2 = randomFloats(4, hidden);
  const b2 = Float32Array.of(-0.2);

  function build(): Uint8Array {
    const g = new OnnxGraphBuilder({ graphName: 'mlp' });
    g.input('ids', 'int64', ['batch']);
    g.input('dense', 'float', ['batch', dense]);
    g.floatInitializer('table', table, [vocab, dim]);
    g.floatInitializer('w1', w1, [dim + dense, hidden]);
    g.floatInitializer('b1', b1, [hidden]);
    g.floatInitializer('w2', w2, [hidden, 1]);
    g.floatInitializer('b2', b2, [1]);
    const emb = g.apply('Gather', ['table', 'ids'], { axis: attr.int(0) });
    const x = g.apply('Concat', [emb, 'dense'], { axis: attr.int(1) });
    const h = g.apply('Relu', [g.apply('Add', [g.apply('MatMul', [x, 'w1']), 'b1'])]);
    const logit = g.apply('Gemm', [h, 'w2', 'b2'], { alpha: attr.float(1), transB: attr.int(0) });
    g.node('Sigmoid', [logit], ['score']);
    g.output('score', 'float', ['batch', 1]);
    return g.toBytes();
  }

  function reference(ids: readonly number[], denseRows: Float32Array): Float64Array {
    const rows = ids.length;
    const x = new Float64Array(rows * (dim + dense));
    for (let r = 0; r < rows; r++) {
      for (let d = 0; d < dim; d++) x[r * (dim + dense) + d] = table[ids[r]! * dim + d]!;
      for (let d = 0; d < dense; d++) x[r * (dim + dense) + dim + d] = denseRows[r * dense + d]!;
    }
    const h = relu(matmul(x, rows, dim + dense, w1, hidden, b1));
    return sigmoid(matmul(h, rows, hidden, w2, 1, b2));
  }

  void it('onnxruntime-node matches plain JS to 1e-5 on a dynamic batch', async () => {
    const bytes = build();
    for (const rows of [1, 37]) {
      const random = createPrng(rows);
      const ids = Array.from({ length: rows }, () => random.int(vocab));
      const denseRows = randomFloats(100 + rows, rows * dense, 1);
      const out = await runModel(bytes, {
        ids: new ort.Tensor('int64', BigInt64Array.from(ids, (id) => BigInt(id)), [rows]),
        dense: new ort.Tensor('float32', denseRows, [rows, dense]),
      });
      assertClose(out['score']!, reference(ids, denseRows));
    }
  });

  void it('encodes initializers as little-endian raw_data and the batch dim as a dim_param', () => {
    const decoded = modelProto().toObject(modelProto().decode(build()), { longs: Number, bytes: Array }) as {
      ir_version: number;
      opset_import: { domain?: string; version: number }[];
      graph: { initializer: { name: string; dims: number[]; data_type: number; raw_data: number[] }[]; input: { type: { tensor_type: { shape: { dim: { dim_param?: string; dim_value?: number }[] } } } }[] };
    };
    assert.equal(decoded.ir_version, 8);
    assert.deepEqual(decoded.opset_import, [{ domain: '', version: 17 }]);
    const b2Proto = decoded.graph.initializer.find((tensor) => tensor.name === 'b2')!;
    assert.equal(b2Proto.data_type, 1);
    const expected = new Uint8Array(4);
    new DataView(expected.buffer).setFloat32(0, -0.2, true);
    assert.deepEqual(b2Proto.raw_data, [...expected]);
    assert.deepEqual(decoded.graph.input[1]!.type.tensor_type.shape.dim, [{ dim_param: 'batch' }, { dim_value: 3 }]);
  });
});

void describe('OnnxGraphBuilder: pooled and normalised tower', () => {
  const vocab = 30;
  const dim = 5;
  const out = 6;
  const length = 4;
  // Row 0 is the padding row: zero, so sums ignore it.
  const table = randomFloats(11, vocab * dim).fill(0, 0, dim);
  const w = randomFloats(12, dim * out);
  const b = randomFloats(13, out, 0.1);

  void it('ReduceMean + MatMul + Relu + LpNormalization, and ReduceSum / Div + ReduceL2, match plain JS to 1e-5', async () => {
    const g = new OnnxGraphBuilder({ graphName: 'tower' });
    g.input('history', 'int64', ['batch', length]);
    g.input('counts', 'float', ['batch', 1]);
    g.floatInitializer('table', table, [vocab, dim]);
    g.floatInitializer('w', w, [dim, out]);
    g.floatInitializer('b', b, [out]);
    g.int64Initializer('axis1', [1]);
    const emb = g.apply('Gather', ['table', 'history'], { axis: attr.int(0) });
    // (1) mean over all positions, dense layer, L2-normalised.
    const mean = g.apply('ReduceMean', [emb], { axes: attr.ints([1]), keepdims: attr.int(0) });
    const hidden = g.apply('Relu', [g.apply('Add', [g.apply('MatMul', [mean, 'w']), 'b'])]);
    g.node('LpNormalization', [hidden], ['user_lp'], { axis: attr.int(-1), p: attr.int(2) });
    // (2) sum over positions divided by the real count, normalised by its own L2 norm.
    const sum = g.apply('ReduceSum', [emb, 'axis1'], { keepdims: attr.int(0) });
    const pooled = g.apply('Div', [sum, 'counts']);
    const norm = g.apply('ReduceL2', [pooled], { axes: attr.ints([1]), keepdims: attr.int(1) });
    g.node('Div', [pooled, norm], ['user_l2']);
    g.output('user_lp', 'float', ['batch', out]);
    g.output('user_l2', 'float', ['batch', dim]);
    const bytes = g.toBytes();

    const rows = 9;
    const random = createPrng(5);
    const history = new BigInt64Array(rows * length);
    const counts = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const real = 1 + random.int(length);
      counts[r] = real;
      for (let p = 0; p < real; p++) history[r * length + p] = BigInt(1 + random.int(vocab - 1));
    }
    const result = await runModel(bytes, {
      history: new ort.Tensor('int64', history, [rows, length]),
      counts: new ort.Tensor('float32', counts, [rows, 1]),
    });

    const meanRef = new Float64Array(rows * dim);
    const pooledRef = new Float64Array(rows * dim);
    for (let r = 0; r < rows; r++) {
      for (let d = 0; d < dim; d++) {
        let s = 0;
        for (let p = 0; p < length; p++) s += table[Number(history[r * length + p]) * dim + d]!;
        meanRef[r * dim + d] = s / length;
        pooledRef[r * dim + d] = s / counts[r]!;
      }
    }
    const l2Rows = (values: Float64Array, width: number): Float64Array => {
      const normed = new Float64Array(values.length);
      for (let r = 0; r < values.length / width; r++) {
        let s = 0;
        for (let d = 0; d < width; d++) s += values[r * width + d]! ** 2;
        const n = Math.sqrt(s);
        for (let d = 0; d < width; d++) normed[r * width + d] = n === 0 ? 0 : values[r * width + d]! / n;
      }
      return normed;
    };
    assertClose(result['user_lp']!, l2Rows(relu(matmul(meanRef, rows, dim, w, out, b)), out));
    assertClose(result['user_l2']!, l2Rows(pooledRef, dim));
  });
});

void describe('OnnxGraphBuilder: attributes and domains', () => {
  void it('writes tensor, floats and ints attributes that onnxruntime reads (Constant, Reshape, Clip-free affine)', async () => {
    const g = new OnnxGraphBuilder();
    g.input('x', 'float', ['batch', 2, 3]);
    g.int64Initializer('flat', [-1, 6]);
    const shift = g.apply('Constant', [], { value: attr.tensor(floatTensor([1, 2, 3, 4, 5, 6], [1, 6])) });
    const flat = g.apply('Reshape', ['x', 'flat']);
    g.node('Add', [flat, shift], ['y']);
    g.output('y', 'float', ['batch', 6]);
    const x = Float32Array.from({ length: 12 }, (_, i) => i * 0.5);
    const result = await runModel(g.toBytes(), { x: new ort.Tensor('float32', x, [2, 2, 3]) });
    assertClose(result['y']!, Array.from(x, (v, i) => v + (i % 6) + 1));
  });

  void it('imports ai.onnx.ml only when a node uses it, and rejects an unknown domain', () => {
    const g = new OnnxGraphBuilder({ opsets: { '': 17 } });
    g.input('x', 'float', ['batch', 2]);
    g.node('Normalizer', ['x'], ['y'], { norm: attr.string('L2') }, { domain: 'ai.onnx.ml' });
    g.output('y', 'float', ['batch', 2]);
    const model = g.toModelProto() as { opset_import: unknown };
    assert.deepEqual(model.opset_import, [
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ]);
    const custom = new OnnxGraphBuilder();
    custom.input('x', 'float', [1]);
    custom.node('Foo', ['x'], ['y'], {}, { domain: 'com.example' });
    custom.output('y', 'float', [1]);
    assert.throws(() => custom.toBytes(), (error: unknown) => error instanceof RecsysError && error.message.includes('com.example'));
  });
});

void describe('OnnxGraphBuilder: validation', () => {
  const isGraphInvalid = (fragment: string) => (error: unknown) =>
    error instanceof RecsysError && error.code === 'RECSYS_ERR_ONNX_GRAPH_INVALID' && error.message.includes(fragment);

  void it('rejects an input used before it is defined', () => {
    const g = new OnnxGraphBuilder();
    g.input('x', 'float', ['batch', 2]);
    g.node('Add', ['x', 'later'], ['y']);
    g.node('Relu', ['x'], ['later']);
    g.output('y', 'float', ['batch', 2]);
    assert.throws(() => g.toBytes(), isGraphInvalid('input later is not defined'));
  });

  void it('rejects duplicate names, wrong element counts, wrong array types and missing outputs', () => {
    const g = new OnnxGraphBuilder();
    g.input('x', 'float', ['batch', 2]);
    assert.throws(() => g.floatInitializer('x', [1, 2]), isGraphInvalid('already defined'));
    assert.throws(() => g.floatInitializer('w', [1, 2, 3], [2, 2]), isGraphInvalid('hold 4 elements, data has 3'));
    assert.throws(() => g.initializer('v', 'int64', new Float32Array(2), [2]), isGraphInvalid('needs a BigInt64Array'));
    g.output('nowhere', 'float', ['batch']);
    assert.throws(() => g.toBytes(), isGraphInvalid('graph output nowhere'));
  });

  void it('gives fresh names that never collide with declared ones', () => {
    const g = new OnnxGraphBuilder();
    g.input('relu_out', 'float', [1]);
    const first = g.apply('Relu', ['relu_out']);
    const second = g.apply('Relu', [first]);
    assert.notEqual(first, 'relu_out');
    assert.notEqual(first, second);
  });
});
