/**
 * Trainable tensors. A dense parameter has a gradient buffer of its own size, summed into
 * by backward passes and cleared by the optimiser step. A sparse parameter (embedding
 * table) records which rows a batch touched, so both the gradient clear and the Adam update
 * cost O(touched rows · dim), never O(table).
 */
export interface DenseParameter {
  readonly name: string;
  readonly value: Float32Array;
  readonly grad: Float32Array;
}

export interface SparseParameter {
  readonly name: string;
  readonly rows: number;
  readonly dim: number;
  readonly value: Float32Array;
  readonly grad: Float32Array;
  /** Rows with a non-zero gradient since the last step, in first-touch order. */
  readonly touched: Int32Array;
  touchedCount: number;
  /** 1 where a row is in `touched`. */
  readonly touchedFlag: Uint8Array;
}

export function denseParameter(name: string, size: number): DenseParameter {
  return { name, value: new Float32Array(size), grad: new Float32Array(size) };
}

export function sparseParameter(name: string, rows: number, dim: number): SparseParameter {
  return {
    name, rows, dim,
    value: new Float32Array(rows * dim),
    grad: new Float32Array(rows * dim),
    touched: new Int32Array(rows),
    touchedCount: 0,
    touchedFlag: new Uint8Array(rows),
  };
}

/** Marks `row` touched (idempotent). */
export function touchRow(parameter: SparseParameter, row: number): void {
  if (parameter.touchedFlag[row] === 0) {
    parameter.touchedFlag[row] = 1;
    parameter.touched[parameter.touchedCount++] = row;
  }
}

/** Zeroes the gradients of the touched rows and forgets them. */
export function clearSparseGrad(parameter: SparseParameter): void {
  const { dim, grad } = parameter;
  for (let t = 0; t < parameter.touchedCount; t++) {
    const row = parameter.touched[t]!;
    grad.fill(0, row * dim, row * dim + dim);
    parameter.touchedFlag[row] = 0;
  }
  parameter.touchedCount = 0;
}
