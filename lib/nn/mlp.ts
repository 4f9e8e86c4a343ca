import { reluBackward, reluForward } from './activations.js';
import { DenseLayer } from './dense.js';
import type { RandomSource } from './init.js';
import type { DenseParameter } from './parameter.js';

/**
 * A stack of DenseLayers with ReLU between them and a linear last layer, e.g. widths
 * [inDim, 256, 128, 64, 1] for the deep part of wide&deep. Keeps every layer's output of the
 * last forward pass (`output` is the last one) for the backward pass; buffers grow with the
 * largest batch seen.
 */
export class Mlp {
  readonly layers: DenseLayer[] = [];
  private activations: Float32Array[] = [];
  private gradients: Float32Array[] = [];
  private capacity = 0;
  private lastBatch = 0;

  constructor(readonly widths: readonly number[], random: RandomSource, name = 'mlp') {
    if (widths.length < 2) throw new Error('Mlp needs at least an input and an output width');
    for (let l = 0; l + 1 < widths.length; l++) this.layers.push(new DenseLayer(widths[l]!, widths[l + 1]!, random, `${name}.${l}`));
  }

  get inDim(): number {
    return this.widths[0]!;
  }

  get outDim(): number {
    return this.widths[this.widths.length - 1]!;
  }

  get parameters(): DenseParameter[] {
    return this.layers.flatMap((layer) => layer.parameters);
  }

  private ensure(batch: number): void {
    if (batch <= this.capacity) return;
    this.capacity = batch;
    this.activations = this.layers.map((layer) => new Float32Array(batch * layer.outDim));
    this.gradients = this.layers.map((layer) => new Float32Array(batch * layer.outDim));
  }

  /** Forward over x (batch×inDim); returns the output (batch×outDim), valid until the next call. */
  forward(x: Float32Array, batch: number): Float32Array {
    this.ensure(batch);
    this.lastBatch = batch;
    let input = x;
    for (let l = 0; l < this.layers.length; l++) {
      const layer = this.layers[l]!;
      const out = this.activations[l]!;
      layer.forward(input, batch, out);
      if (l + 1 < this.layers.length) reluForward(out, batch * layer.outDim);
      input = out;
    }
    return this.activations[this.layers.length - 1]!;
  }

  /** Backward from gy = dL/d(output) for the input x of the last forward; writes gx when given. */
  backward(x: Float32Array, gy: Float32Array, gx: Float32Array | null): void {
    const batch = this.lastBatch;
    let grad = gy;
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l]!;
      const input = l === 0 ? x : this.activations[l - 1]!;
      const gIn = l === 0 ? gx : this.gradients[l - 1]!;
      layer.backward(input, grad, batch, gIn);
      if (l > 0) reluBackward(this.activations[l - 1]!, this.gradients[l - 1]!, batch * layer.inDim);
      grad = this.gradients[l - 1] ?? grad;
    }
  }
}
