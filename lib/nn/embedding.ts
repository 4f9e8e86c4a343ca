import { fillNormal, type RandomSource } from './init.js';
import { sparseParameter, touchRow, type SparseParameter } from './parameter.js';

/**
 * An embedding table (rows×dim) whose gradient is sparse: backward passes add into the rows
 * they used and mark them touched; the optimiser updates only those (Adam.step).
 *
 * Field embeddings of wide&deep: lay the batch's indices out example-major (F fields per
 * example) and `gather` writes batch×(F·dim), already the concatenation of the fields.
 * Logistic regression: a dim-1 table and `bagForward` with mode 'sum' over each example's
 * active features is the linear term. Pooled histories: `bagForward` with mode 'mean'.
 */
export class EmbeddingTable {
  readonly parameter: SparseParameter;

  constructor(readonly rows: number, readonly dim: number, random: RandomSource, std = 0.05, name = 'embedding') {
    this.parameter = sparseParameter(name, rows, dim);
    fillNormal(this.parameter.value, std, random);
  }

  /** out[k] (dim values at k·outStride + outOffset) = row indices[k]. */
  gather(indices: Int32Array, count: number, out: Float32Array, outStride = this.dim, outOffset = 0): void {
    const { dim } = this;
    const table = this.parameter.value;
    for (let k = 0; k < count; k++) {
      const src = indices[k]! * dim;
      const dst = k * outStride + outOffset;
      for (let d = 0; d < dim; d++) out[dst + d] = table[src + d]!;
    }
  }

  /** grad of row indices[k] += g[k] (read with the same stride/offset as gather wrote). */
  scatterAdd(indices: Int32Array, count: number, g: Float32Array, gStride = this.dim, gOffset = 0): void {
    const { dim } = this;
    const p = this.parameter;
    const grad = p.grad;
    for (let k = 0; k < count; k++) {
      const row = indices[k]!;
      touchRow(p, row);
      const dst = row * dim;
      const src = k * gStride + gOffset;
      for (let d = 0; d < dim; d++) grad[dst + d]! += g[src + d]!;
    }
  }

  /**
   * Pooled lookup: for bag b, the rows indices[offsets[b] .. offsets[b+1]) each times its
   * weight (1 when `weights` is null), summed, divided by the bag size in mode 'mean'
   * (an empty bag gives zeros). Writes dim values per bag at b·outStride + outOffset.
   */
  bagForward(offsets: Int32Array, indices: Int32Array, weights: Float32Array | null, bags: number, mode: 'sum' | 'mean', out: Float32Array, outStride = this.dim, outOffset = 0): void {
    const { dim } = this;
    const table = this.parameter.value;
    for (let b = 0; b < bags; b++) {
      const dst = b * outStride + outOffset;
      out.fill(0, dst, dst + dim);
      const start = offsets[b]!;
      const end = offsets[b + 1]!;
      if (end === start) continue;
      const scale = mode === 'mean' ? 1 / (end - start) : 1;
      for (let k = start; k < end; k++) {
        const src = indices[k]! * dim;
        const w = (weights === null ? 1 : weights[k]!) * scale;
        for (let d = 0; d < dim; d++) out[dst + d]! += w * table[src + d]!;
      }
    }
  }

  /** Backward of bagForward with the same arguments, g holding dL/d(out). */
  bagBackward(offsets: Int32Array, indices: Int32Array, weights: Float32Array | null, bags: number, mode: 'sum' | 'mean', g: Float32Array, gStride = this.dim, gOffset = 0): void {
    const { dim } = this;
    const p = this.parameter;
    const grad = p.grad;
    for (let b = 0; b < bags; b++) {
      const start = offsets[b]!;
      const end = offsets[b + 1]!;
      if (end === start) continue;
      const src = b * gStride + gOffset;
      const scale = mode === 'mean' ? 1 / (end - start) : 1;
      for (let k = start; k < end; k++) {
        const row = indices[k]!;
        touchRow(p, row);
        const dst = row * dim;
        const w = (weights === null ? 1 : weights[k]!) * scale;
        for (let d = 0; d < dim; d++) grad[dst + d]! += w * g[src + d]!;
      }
    }
  }
}
