import { OnnxGraphBuilder } from '../lib/onnx/onnx-graph-builder.js';
import { createPrng } from '../offline/data/prng.js';

/** Layer widths of a wide&deep-sized deep part: 76k multiply-adds per candidate (DESIGN.md section 6). */
export const MLP_LAYERS = [136, 256, 128, 64, 1] as const;

/** The benchmark MLP as ONNX bytes: MatMul + Add + Relu per hidden layer, Sigmoid at the end. */
export function wideDeepSizedMlp(layers: readonly number[] = MLP_LAYERS, seed = 7): Uint8Array {
  const random = createPrng(seed);
  const g = new OnnxGraphBuilder({ graphName: 'bench-mlp' });
  let x = g.input('x', 'float', ['batch', layers[0]!]);
  for (let l = 0; l + 1 < layers.length; l++) {
    const fanIn = layers[l]!;
    const fanOut = layers[l + 1]!;
    const scale = Math.sqrt(2 / fanIn);
    const w = g.floatInitializer(`w${l}`, Float32Array.from({ length: fanIn * fanOut }, () => random.normal() * scale), [fanIn, fanOut]);
    const b = g.floatInitializer(`b${l}`, new Float32Array(fanOut), [fanOut]);
    const z = g.apply('Add', [g.apply('MatMul', [x, w]), b]);
    x = l + 2 < layers.length ? g.apply('Relu', [z]) : z;
  }
  g.node('Sigmoid', [x], ['score']);
  g.output('score', 'float', ['batch', 1]);
  return g.toBytes();
}

export function macsPerRow(layers: readonly number[]): number {
  let macs = 0;
  for (let l = 0; l + 1 < layers.length; l++) macs += layers[l]! * layers[l + 1]!;
  return macs;
}

