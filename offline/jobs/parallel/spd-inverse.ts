/**
 * In-place inverse of a symmetric positive-definite matrix (row-major Float64Array, n × n)
 * by Gauss-Jordan elimination without pivoting (an SPD matrix never needs it): n steps, each
 * normalises pivot row k and eliminates column k from every other row, n³ multiply-adds in
 * all. With threads > 1 the rows are dealt round-robin to worker threads over one shared
 * matrix, one barrier per step (the pivot row is ready); the result
 * is bit-identical for any number of threads, since every element sees the same operations
 * in the same order. Measured on the 2-core dev machine, n = 3,615 (ml-1m-half): one thread
 * ~63 s; see README "EASE" for the parallel figure. Written by hand because the inverse
 * has to use both cores over one shared matrix; ml-matrix's inverse runs on one thread over
 * a Matrix of JS arrays (not benchmarked against this one).
 */
import { Worker } from 'node:worker_threads';
import { sharedFloat64, sharedInt32 } from '../../../lib/shared-arrays.js';

/** One step range of the elimination for the rows `row % threads === thread`. */
export function eliminate(matrix: Float64Array, n: number, thread: number, threads: number, barrier: (() => void) | null, pivotCopy: Float64Array): void {
  for (let k = 0; k < n; k++) {
    const kk = k * n;
    if (k % threads === thread) {
      const inverse = 1 / matrix[kk + k]!;
      for (let j = 0; j < n; j++) matrix[kk + j]! *= inverse;
      matrix[kk + k] = inverse;
    }
    barrier?.();
    // Only row k's owner ever writes row k, and not before every thread has passed the next step's barrier.
    pivotCopy.set(matrix.subarray(kk, kk + n));
    const inverse = pivotCopy[k]!;
    for (let i = thread; i < n; i += threads) {
      if (i === k) continue;
      const ii = i * n;
      const factor = matrix[ii + k]!;
      if (factor === 0) continue;
      for (let j = 0; j < n; j++) matrix[ii + j]! -= factor * pivotCopy[j]!;
      matrix[ii + k] = -factor * inverse;
    }
  }
}

/** A reusable barrier over a shared Int32Array [arrived, generation] for `parties` threads. */
export function sharedBarrier(state: Int32Array, parties: number): () => void {
  return () => {
    const generation = Atomics.load(state, 1);
    if (Atomics.add(state, 0, 1) === parties - 1) {
      Atomics.store(state, 0, 0);
      Atomics.add(state, 1, 1);
      Atomics.notify(state, 1);
    } else {
      while (Atomics.load(state, 1) === generation) Atomics.wait(state, 1, generation);
    }
  };
}

export interface InverseWorkerData {
  readonly matrix: Float64Array;
  readonly state: Int32Array;
  readonly n: number;
  readonly thread: number;
  readonly threads: number;
}

/**
 * Inverts `matrix` (n × n, SPD) in place and returns it; with threads > 1 the work runs on
 * that many worker threads (the matrix is copied into shared memory first when it is not
 * shared, and the inverse copied back).
 */
export async function invertSpd(matrix: Float64Array, n: number, threads = 1): Promise<Float64Array> {
  if (matrix.length !== n * n) throw new RangeError(`invertSpd: expected ${n * n} values, got ${matrix.length}`);
  const parties = Math.max(1, Math.min(Math.floor(threads), n));
  if (parties <= 1) {
    eliminate(matrix, n, 0, 1, null, new Float64Array(n));
    return matrix;
  }
  const shared = matrix.buffer instanceof SharedArrayBuffer ? matrix : sharedFloat64(n * n);
  if (shared !== matrix) shared.set(matrix);
  const state = sharedInt32(2);
  const url = new URL('./spd-inverse.worker.js', import.meta.url);
  const workers: Worker[] = [];
  try {
    await Promise.all(Array.from({ length: parties }, (_, thread) => new Promise<void>((resolve, reject) => {
      const data: InverseWorkerData = { matrix: shared, state, n, thread, threads: parties };
      const worker = new Worker(url, { workerData: data });
      workers.push(worker);
      worker.once('message', () => { resolve(); });
      worker.once('error', reject);
      worker.once('exit', (code) => { reject(new Error(`spd-inverse worker exited with code ${code} before finishing`)); });
    })));
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  if (shared !== matrix) matrix.set(shared);
  return matrix;
}
