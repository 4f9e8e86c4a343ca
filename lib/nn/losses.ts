import { sigmoid } from './activations.js';

/**
 * Mean binary cross-entropy of sigmoid(logits) against labels in [0, 1], computed from the
 * logits (stable: max(x,0) - x·y + log(1 + e^-|x|)). Writes dL/dlogit = (σ(x) - y) / n into
 * grad and returns the mean loss. Optional per-example weights (mean over Σ weights).
 */
export function sigmoidBinaryCrossEntropy(logits: Float32Array, labels: Float32Array, n: number, grad: Float32Array, weights: Float32Array | null = null): number {
  let total = 0;
  let weightSum = 0;
  for (let k = 0; k < n; k++) weightSum += weights === null ? 1 : weights[k]!;
  const norm = weightSum > 0 ? 1 / weightSum : 0;
  for (let k = 0; k < n; k++) {
    const x = logits[k]!;
    const y = labels[k]!;
    const w = weights === null ? 1 : weights[k]!;
    total += w * (Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x))));
    grad[k] = w * (sigmoid(x) - y) * norm;
  }
  return total * norm;
}

/**
 * Mean softmax cross-entropy over rows of a rows×cols logit matrix, row r's target column
 * targets[r] (for in-batch negatives: the diagonal). Writes dL/dlogits = (softmax - onehot)
 * / rows into grad (may alias logits) and returns the mean loss. Temperature, logQ
 * correction and masks are the caller's job: scale or shift the logits first, set masked
 * logits to -Infinity (their gradient comes out 0).
 */
export function softmaxCrossEntropy(logits: Float32Array, rows: number, cols: number, targets: Int32Array, grad: Float32Array): number {
  let total = 0;
  const inv = 1 / rows;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) if (logits[base + c]! > max) max = logits[base + c]!;
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      const e = Math.exp(logits[base + c]! - max);
      grad[base + c] = e;
      sum += e;
    }
    const target = targets[r]!;
    total += Math.log(sum) + max - logits[base + target]!;
    const scale = inv / sum;
    for (let c = 0; c < cols; c++) grad[base + c] = grad[base + c]! * scale;
    grad[base + target]! -= inv;
  }
  return total * inv;
}

/**
 * Row-wise L2 normalisation y = x / max(|x|, eps) of a rows×dim matrix; writes y and the
 * norms (kept for the backward pass).
 */
export function l2NormalizeForward(x: Float32Array, rows: number, dim: number, y: Float32Array, norms: Float32Array, eps = 1e-12): void {
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    let s = 0;
    for (let d = 0; d < dim; d++) s += x[base + d]! * x[base + d]!;
    const norm = Math.max(Math.sqrt(s), eps);
    norms[r] = norm;
    const inv = 1 / norm;
    for (let d = 0; d < dim; d++) y[base + d] = x[base + d]! * inv;
  }
}

/** gx = (gy - y·(y·gy)) / |x| row by row, from the forward's y and norms. gx may alias gy. */
export function l2NormalizeBackward(y: Float32Array, norms: Float32Array, gy: Float32Array, rows: number, dim: number, gx: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += y[base + d]! * gy[base + d]!;
    const inv = 1 / norms[r]!;
    for (let d = 0; d < dim; d++) gx[base + d] = (gy[base + d]! - y[base + d]! * dot) * inv;
  }
}
