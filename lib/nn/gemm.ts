/**
 * The one matrix kernel of lib/nn: C = A · Bᵀ with both operands row-major, so every output
 * element is a dot product of two contiguous rows. Register-blocked 2×4 (eight accumulators
 * share two loads of A and four of B per step). Measured on this machine kind (1024×256
 * output, k = 416, machine shared with other work): 2×2 blocks 0.69 GMAC/s, 2×4 1.52,
 * 4×4 1.55 (no better, more tail code), float64 operands slower; so 2×4 over float32.
 * Forward, weight-gradient and input-gradient products are all written in this shape (see
 * DenseLayer), paying an O(rows·cols) transpose instead of strided inner loops.
 * Accumulates in float64 registers, stores float32.
 */

/** c[i·n + j] (+)= Σ_p a[i·k + p] · b[j·k + p]; a is m×k, b is n×k, c is m×n. */
export function gemmABt(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, accumulate = false): void {
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const a0 = i * k;
    const a1 = a0 + k;
    const r0 = i * n;
    const r1 = r0 + n;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s00 = 0;
      let s01 = 0;
      let s02 = 0;
      let s03 = 0;
      let s10 = 0;
      let s11 = 0;
      let s12 = 0;
      let s13 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = a[a0 + p]!;
        const x1 = a[a1 + p]!;
        const y0 = b[b0 + p]!;
        const y1 = b[b1 + p]!;
        const y2 = b[b2 + p]!;
        const y3 = b[b3 + p]!;
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
      }
      if (accumulate) {
        c[r0 + j]! += s00;
        c[r0 + j + 1]! += s01;
        c[r0 + j + 2]! += s02;
        c[r0 + j + 3]! += s03;
        c[r1 + j]! += s10;
        c[r1 + j + 1]! += s11;
        c[r1 + j + 2]! += s12;
        c[r1 + j + 3]! += s13;
      } else {
        c[r0 + j] = s00;
        c[r0 + j + 1] = s01;
        c[r0 + j + 2] = s02;
        c[r0 + j + 3] = s03;
        c[r1 + j] = s10;
        c[r1 + j + 1] = s11;
        c[r1 + j + 2] = s12;
        c[r1 + j + 3] = s13;
      }
    }
    for (; j < n; j++) {
      const b0 = j * k;
      let s0 = 0;
      let s1 = 0;
      for (let p = 0; p < k; p++) {
        const y = b[b0 + p]!;
        s0 += a[a0 + p]! * y;
        s1 += a[a1 + p]! * y;
      }
      if (accumulate) {
        c[r0 + j]! += s0;
        c[r1 + j]! += s1;
      } else {
        c[r0 + j] = s0;
        c[r1 + j] = s1;
      }
    }
  }
  if (i < m) {
    const a0 = i * k;
    const r0 = i * n;
    for (let j = 0; j < n; j++) {
      const b0 = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[a0 + p]! * b[b0 + p]!;
      if (accumulate) c[r0 + j]! += s;
      else c[r0 + j] = s;
    }
  }
}

/** out (cols×rows) = transpose of x (rows×cols). */
export function transpose(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = x[base + c]!;
  }
}
