/** Element-wise activations, in place over the first `length` values. */

/** y = max(0, y), in place. */
export function reluForward(y: Float32Array, length = y.length): void {
  for (let k = 0; k < length; k++) if (y[k]! < 0) y[k] = 0;
}

/** gy *= (y > 0), in place; y is the ReLU output. */
export function reluBackward(y: Float32Array, gy: Float32Array, length = y.length): void {
  for (let k = 0; k < length; k++) if (y[k]! <= 0) gy[k] = 0;
}

/** Numerically stable logistic function. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
