/**
 * Implicit-feedback ALS (Hu, Koren & Volinsky 2008) with binary preferences and confidence
 * 1 + alpha on observed items. One row's factors given the other side's factors Y solve
 *   (YᵀY + lambda·I + alpha · Σ_{h ∈ rows} y_h y_hᵀ) x = (1 + alpha) · Σ_{h ∈ rows} y_h,
 * by Cholesky in float64. The trainer (offline/rank/implicit-als-trainer.ts) runs it for
 * every user and item; the ranker's `affinity` feature runs it once per request on the user's
 * recent items (fold-in), so the offline pairs and the server compute the same value.
 */
import { RecsysError } from '../domain/errors.js';

export interface ImplicitAlsParameters {
  readonly factors: number;
  readonly alpha: number;
  readonly lambda: number;
}

/** YᵀY + lambda·I (k × k, float64) of `rows` factor rows of width k. */
export function factorGram(factors: Float32Array | Float64Array, rows: number, k: number, lambda: number): Float64Array {
  const gram = new Float64Array(k * k);
  for (let r = 0; r < rows; r++) {
    const at = r * k;
    for (let a = 0; a < k; a++) {
      const ya = factors[at + a]!;
      if (ya === 0) continue;
      const row = a * k;
      for (let b = a; b < k; b++) gram[row + b]! += ya * factors[at + b]!;
    }
  }
  for (let a = 0; a < k; a++) {
    gram[a * k + a]! += lambda;
    for (let b = 0; b < a; b++) gram[a * k + b] = gram[b * k + a]!;
  }
  return gram;
}

/**
 * Solves one row's factors; holds its scratch, so one instance serves one thread. The observed
 * rows are copied transposed into float64 (factor-major) and their Gram is summed in 2 × 2
 * blocks along contiguous runs: 0.18 ms instead of 0.70 ms for 200 rows at 64 factors with a
 * per-row rank-1 update (var/exp measurement on the 2-core machine, Node 20).
 */
export class ImplicitAlsSolver {
  private readonly system: Float64Array;
  private readonly rhs: Float64Array;
  /** factors × capacity: column c holds factor c of every observed row, contiguous. */
  private observedT = new Float64Array(0);
  private capacity = 0;

  constructor(
    readonly parameters: ImplicitAlsParameters,
    /** YᵀY + lambda·I of the other side (factorGram). */
    private readonly gram: Float64Array,
  ) {
    const k = parameters.factors;
    if (gram.length !== k * k) throw new RecsysError('RECSYS_ERR_INTERNAL', `ALS gram has ${gram.length} entries, expected ${k * k}`);
    this.system = new Float64Array(k * k);
    this.rhs = new Float64Array(k);
  }

  /**
   * Writes into out[outAt .. outAt + k) the factors of a row that interacted with
   * `observed[from..to)` (indices into `other`, rows of width k; entries outside
   * [0, otherRows) are ignored). No observed rows give zeros.
   */
  solve(other: Float32Array | Float64Array, otherRows: number, observed: Int32Array, from: number, to: number, out: Float32Array | Float64Array, outAt: number): void {
    const k = this.parameters.factors;
    const h = this.gather(other, otherRows, observed, from, to);
    if (h === 0) {
      out.fill(0, outAt, outAt + k);
      return;
    }
    this.assemble(h);
    this.choleskySolve();
    for (let i = 0; i < k; i++) out[outAt + i] = this.rhs[i]!;
  }

  /** Copies the valid observed rows, transposed, into observedT; returns how many. */
  private gather(other: Float32Array | Float64Array, otherRows: number, observed: Int32Array, from: number, to: number): number {
    const k = this.parameters.factors;
    if (to - from > this.capacity) {
      this.capacity = Math.max(to - from, this.capacity * 2, 64);
      this.observedT = new Float64Array(k * this.capacity);
    }
    const t = this.observedT;
    const stride = this.capacity;
    let h = 0;
    for (let p = from; p < to; p++) {
      const row = observed[p]!;
      if (row < 0 || row >= otherRows) continue;
      const at = row * k;
      for (let c = 0; c < k; c++) t[c * stride + h] = other[at + c]!;
      h++;
    }
    return h;
  }

  /** Lower triangle of gram + alpha · Σ y yᵀ into `system`, (1 + alpha) · Σ y into `rhs`. */
  private assemble(h: number): void {
    const { factors: k, alpha } = this.parameters;
    const { system: a, rhs, gram } = this;
    const t = this.observedT;
    const stride = this.capacity;
    for (let i = 0; i < k; i++) {
      const o = i * stride;
      let sum = 0;
      for (let p = 0; p < h; p++) sum += t[o + p]!;
      rhs[i] = (1 + alpha) * sum;
    }
    const blocked = k - (k % 4);
    for (let i = 0; i < blocked; i += 4) {
      const o0 = i * stride;
      const o1 = o0 + stride;
      const o2 = o1 + stride;
      const o3 = o2 + stride;
      for (let j = 0; j <= i; j += 4) {
        const q0 = j * stride;
        const q1 = q0 + stride;
        const q2 = q1 + stride;
        const q3 = q2 + stride;
        let d00 = 0, d01 = 0, d02 = 0, d03 = 0;
        let d10 = 0, d11 = 0, d12 = 0, d13 = 0;
        let d20 = 0, d21 = 0, d22 = 0, d23 = 0;
        let d30 = 0, d31 = 0, d32 = 0, d33 = 0;
        for (let p = 0; p < h; p++) {
          const y0 = t[q0 + p]!;
          const y1 = t[q1 + p]!;
          const y2 = t[q2 + p]!;
          const y3 = t[q3 + p]!;
          let x = t[o0 + p]!;
          d00 += x * y0; d01 += x * y1; d02 += x * y2; d03 += x * y3;
          x = t[o1 + p]!;
          d10 += x * y0; d11 += x * y1; d12 += x * y2; d13 += x * y3;
          x = t[o2 + p]!;
          d20 += x * y0; d21 += x * y1; d22 += x * y2; d23 += x * y3;
          x = t[o3 + p]!;
          d30 += x * y0; d31 += x * y1; d32 += x * y2; d33 += x * y3;
        }
        const r0 = i * k + j;
        const r1 = r0 + k;
        const r2 = r1 + k;
        const r3 = r2 + k;
        a[r0] = gram[r0]! + alpha * d00; a[r0 + 1] = gram[r0 + 1]! + alpha * d01; a[r0 + 2] = gram[r0 + 2]! + alpha * d02; a[r0 + 3] = gram[r0 + 3]! + alpha * d03;
        a[r1] = gram[r1]! + alpha * d10; a[r1 + 1] = gram[r1 + 1]! + alpha * d11; a[r1 + 2] = gram[r1 + 2]! + alpha * d12; a[r1 + 3] = gram[r1 + 3]! + alpha * d13;
        a[r2] = gram[r2]! + alpha * d20; a[r2 + 1] = gram[r2 + 1]! + alpha * d21; a[r2 + 2] = gram[r2 + 2]! + alpha * d22; a[r2 + 3] = gram[r2 + 3]! + alpha * d23;
        a[r3] = gram[r3]! + alpha * d30; a[r3 + 1] = gram[r3 + 1]! + alpha * d31; a[r3 + 2] = gram[r3 + 2]! + alpha * d32; a[r3 + 3] = gram[r3 + 3]! + alpha * d33;
      }
    }
    for (let i = blocked; i < k; i++) {
      const o = i * stride;
      for (let j = 0; j <= i; j++) {
        const q = j * stride;
        let d = 0;
        for (let p = 0; p < h; p++) d += t[o + p]! * t[q + p]!;
        a[i * k + j] = gram[i * k + j]! + alpha * d;
      }
    }
  }

  /** In-place Cholesky of `system` (lower triangle), then forward and back substitution into `rhs`. */
  private choleskySolve(): void {
    const k = this.parameters.factors;
    const { system: a, rhs } = this;
    for (let j = 0; j < k; j++) {
      const rowJ = j * k;
      let d = a[rowJ + j]!;
      for (let m = 0; m < j; m++) d -= a[rowJ + m]! * a[rowJ + m]!;
      const pivot = Math.sqrt(d);
      a[rowJ + j] = pivot;
      for (let i = j + 1; i < k; i++) {
        const rowI = i * k;
        let s = a[rowI + j]!;
        for (let m = 0; m < j; m++) s -= a[rowI + m]! * a[rowJ + m]!;
        a[rowI + j] = s / pivot;
      }
    }
    for (let i = 0; i < k; i++) {
      const rowI = i * k;
      let s = rhs[i]!;
      for (let m = 0; m < i; m++) s -= a[rowI + m]! * rhs[m]!;
      rhs[i] = s / a[rowI + i]!;
    }
    for (let i = k - 1; i >= 0; i--) {
      let s = rhs[i]!;
      for (let m = i + 1; m < k; m++) s -= a[m * k + i]! * rhs[m]!;
      rhs[i] = s / a[i * k + i]!;
    }
  }
}
