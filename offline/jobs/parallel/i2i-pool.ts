/**
 * Runs an i2i kernel over item ranges on worker threads. The inputs (training CSR arrays
 * and per-job precomputations) are made SharedArrayBuffer-backed and handed to every
 * worker once, at start; after that the only messages are one { start, end } per chunk and
 * its rows back (typed arrays, transferred). Chunks are handed out on demand, so a thread
 * that drew cheap items takes more of them; the main thread assembles the table in item
 * order, so the result does not depend on the number of threads or on scheduling.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SimilarityTable } from '../../../lib/stores/similarity/similarity-table.js';
import type { I2iKernelName } from './i2i-kernels.js';
import { I2I_KERNELS } from './i2i-kernels.js';
import { assembleChunks, planChunks, runChunksInline, type RowsChunk } from './row-chunks.js';
import { shareAll } from '../../../lib/shared-arrays.js';

/** 0 = one per available core. */
export function resolveThreads(configured: number): number {
  return configured > 0 ? Math.floor(configured) : availableParallelism();
}

export interface ShardedRowsRequest<I extends Readonly<Record<string, unknown>>, O> {
  readonly kernel: I2iKernelName;
  readonly rows: number;
  readonly inputs: I;
  readonly options: O;
  /** Estimated cost per row, for chunk planning only (never changes the result). */
  readonly cost: Float64Array;
  readonly threads: number;
  readonly tick?: (n: number) => void;
}

/** The table of every row; threads <= 1 runs in the calling thread with the same kernel and chunks. */
export async function computeRowsSharded<I extends Readonly<Record<string, unknown>>, O>(request: ShardedRowsRequest<I, O>): Promise<SimilarityTable> {
  const tick = request.tick ?? (() => undefined);
  const chunks = planChunks(request.cost, request.threads);
  const threads = Math.min(request.threads, chunks.length);
  if (threads <= 1) {
    const kernel = I2I_KERNELS[request.kernel](request.inputs as never, request.options as never);
    return runChunksInline(request.rows, chunks, kernel, tick);
  }
  const inputs = shareAll(request.inputs);
  const results: RowsChunk[] = new Array<RowsChunk>(chunks.length);
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let done = 0;
      let failed = false;
      const fail = (error: unknown): void => {
        if (failed) return;
        failed = true;
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      const feed = (worker: Worker): void => {
        if (next >= chunks.length) return;
        const index = next++;
        const chunk = chunks[index]!;
        worker.postMessage({ start: chunk.start, end: chunk.end });
      };
      const url = new URL('./i2i.worker.js', import.meta.url);
      for (let t = 0; t < threads; t++) {
        const worker = new Worker(url, { workerData: { kernel: request.kernel, inputs, options: request.options } });
        workers.push(worker);
        worker.on('message', (chunk: RowsChunk) => {
          // Chunks are fed in order per worker; find the slot by its start.
          results[chunkIndex(chunks, chunk.start)] = chunk;
          tick(chunk.end - chunk.start);
          done++;
          if (done === chunks.length) resolve();
          else feed(worker);
        });
        worker.on('error', fail);
        worker.on('exit', (code) => {
          if (done < chunks.length) fail(new Error(`i2i worker exited with code ${code} before the table was complete`));
        });
        feed(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return assembleChunks(request.rows, results);
}

function chunkIndex(chunks: readonly { start: number }[], start: number): number {
  let lo = 0;
  let hi = chunks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (chunks[mid]!.start < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
