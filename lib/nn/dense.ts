import { gemmABt, transpose } from './gemm.js';
import { heUniform, type RandomSource } from './init.js';
import { denseParameter, type DenseParameter } from './parameter.js';

/**
 * Fully connected layer y = x · Wᵀ + b over a batch (x: batch×inDim, y: batch×outDim, both
 * row-major). W is stored outDim×inDim so the forward product is gemmABt(x, W). Backward
 * sums into W.grad and b.grad (cleared by the optimiser) and, when asked, writes the input
 * gradient. Scratch buffers grow with the largest batch seen and are reused.
 */
export class DenseLayer {
  readonly weight: DenseParameter;
  readonly bias: DenseParameter;
  private scratchX = new Float32Array(0);
  private scratchG = new Float32Array(0);
  private readonly scratchW: Float32Array;

  constructor(
    readonly inDim: number,
    readonly outDim: number,
    random: RandomSource,
    name = 'dense',
  ) {
    this.weight = denseParameter(`${name}.weight`, inDim * outDim);
    this.bias = denseParameter(`${name}.bias`, outDim);
    heUniform(this.weight.value, inDim, random);
    this.scratchW = new Float32Array(inDim * outDim);
  }

  get parameters(): DenseParameter[] {
    return [this.weight, this.bias];
  }

  /** y (batch×outDim) = x (batch×inDim) · Wᵀ + b. */
  forward(x: Float32Array, batch: number, y: Float32Array): void {
    const { inDim, outDim } = this;
    gemmABt(x, this.weight.value, y, batch, outDim, inDim);
    const b = this.bias.value;
    for (let r = 0; r < batch; r++) {
      const base = r * outDim;
      for (let o = 0; o < outDim; o++) y[base + o]! += b[o]!;
    }
  }

  /**
   * Given x (the forward input) and gy = dL/dy: W.grad += gyᵀ·x, b.grad += Σ_rows gy, and,
   * when gx is given, gx (batch×inDim) = gy · W.
   */
  backward(x: Float32Array, gy: Float32Array, batch: number, gx: Float32Array | null): void {
    const { inDim, outDim } = this;
    if (this.scratchX.length < batch * inDim) this.scratchX = new Float32Array(batch * inDim);
    if (this.scratchG.length < batch * outDim) this.scratchG = new Float32Array(batch * outDim);
    const xT = this.scratchX;
    const gyT = this.scratchG;
    transpose(x, batch, inDim, xT);
    transpose(gy, batch, outDim, gyT);
    gemmABt(gyT, xT, this.weight.grad, outDim, inDim, batch, true);
    const gb = this.bias.grad;
    for (let o = 0; o < outDim; o++) {
      let s = 0;
      const base = o * batch;
      for (let r = 0; r < batch; r++) s += gyT[base + r]!;
      gb[o]! += s;
    }
    if (gx !== null) {
      transpose(this.weight.value, outDim, inDim, this.scratchW);
      gemmABt(gy, this.scratchW, gx, batch, inDim, outDim);
    }
  }
}
