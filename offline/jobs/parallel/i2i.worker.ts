/**
 * Worker thread of the i2i pool: builds its kernel once from workerData (shared typed
 * arrays, not copies), then answers each { start, end } with the rows of that range,
 * transferring the result arrays back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { I2I_KERNELS, type I2iKernelName } from './i2i-kernels.js';

interface WorkerInit {
  readonly kernel: I2iKernelName;
  readonly inputs: never;
  readonly options: never;
}

const init = workerData as WorkerInit;
const kernel = I2I_KERNELS[init.kernel](init.inputs, init.options);
const port = parentPort;
if (!port) throw new Error('i2i.worker must run as a worker thread');

port.on('message', (message: { start: number; end: number }) => {
  const chunk = kernel(message.start, message.end);
  // The chunk's arrays are fresh, unshared ArrayBuffers: move them instead of copying.
  const buffers = [chunk.offsets.buffer, chunk.items.buffer, chunk.scores.buffer].filter((buffer): buffer is ArrayBuffer => buffer instanceof ArrayBuffer);
  port.postMessage(chunk, buffers);
});
