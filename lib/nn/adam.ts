import { clearSparseGrad, type DenseParameter, type SparseParameter } from './parameter.js';

export interface AdamOptions {
  readonly learningRate: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  /** Decoupled weight decay (AdamW), applied to dense parameters only; 0 = off. */
  readonly weightDecay?: number;
  /**
   * L2 penalty on embedding rows, applied to the rows a batch touched (their gradient gains
   * sparseL2 · w): rows seen often are held back as often as they are pushed; 0 = off.
   */
  readonly sparseL2?: number;
}

/**
 * Adam (Kingma & Ba 2015) over dense parameters, plus "lazy" Adam for embedding tables:
 * only the rows a batch touched get their moments and values updated (as TensorFlow's
 * LazyAdam / PyTorch SparseAdam), with the global step's bias correction. A step also
 * clears the gradients it consumed.
 */
export class Adam {
  learningRate: number;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly weightDecay: number;
  private readonly sparseL2: number;
  private readonly moments = new Map<Float32Array, { m: Float32Array; v: Float32Array }>();
  private t = 0;

  constructor(
    private readonly dense: readonly DenseParameter[],
    private readonly sparse: readonly SparseParameter[],
    options: AdamOptions,
  ) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.sparseL2 = options.sparseL2 ?? 0;
  }

  get steps(): number {
    return this.t;
  }

  private state(values: Float32Array): { m: Float32Array; v: Float32Array } {
    let s = this.moments.get(values);
    if (s === undefined) {
      s = { m: new Float32Array(values.length), v: new Float32Array(values.length) };
      this.moments.set(values, s);
    }
    return s;
  }

  /** One update from the accumulated gradients, which it then zeroes. */
  step(): void {
    this.t++;
    const { beta1, beta2, epsilon } = this;
    const lr = this.learningRate * Math.sqrt(1 - beta2 ** this.t) / (1 - beta1 ** this.t);
    const decay = this.learningRate * this.weightDecay;
    for (const p of this.dense) {
      const { m, v } = this.state(p.value);
      const w = p.value;
      const g = p.grad;
      for (let k = 0; k < w.length; k++) {
        const gk = g[k]!;
        const mk = beta1 * m[k]! + (1 - beta1) * gk;
        const vk = beta2 * v[k]! + (1 - beta2) * gk * gk;
        m[k] = mk;
        v[k] = vk;
        w[k] = w[k]! - lr * mk / (Math.sqrt(vk) + epsilon) - decay * w[k]!;
      }
      g.fill(0);
    }
    const l2 = this.sparseL2;
    for (const p of this.sparse) {
      const { m, v } = this.state(p.value);
      const { dim, value: w, grad: g } = p;
      for (let t = 0; t < p.touchedCount; t++) {
        const base = p.touched[t]! * dim;
        for (let k = base; k < base + dim; k++) {
          const gk = g[k]! + l2 * w[k]!;
          const mk = beta1 * m[k]! + (1 - beta1) * gk;
          const vk = beta2 * v[k]! + (1 - beta2) * gk * gk;
          m[k] = mk;
          v[k] = vk;
          w[k] = w[k]! - lr * mk / (Math.sqrt(vk) + epsilon);
        }
      }
      clearSparseGrad(p);
    }
  }
}
