/**
 * worker_threads entry of OrtWorkerPool: holds one onnxruntime session, warms it, and
 * answers run requests one at a time. session.run() blocks this thread's event loop
 * (DESIGN.md section 6), which is the point: it is not the gRPC thread's.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import ort from 'onnxruntime-node';
import { errorMessage, isRecsysError } from '../domain/errors.js';
import { createOrtSession, type OrtSession } from './ort-session.js';
import type { OrtFeedBuilder, OrtFeedBuilderSpec, OrtTensorData, OrtTensorMessage, OrtTensorType, OrtTensors, OrtWorkerData, OrtWorkerReply, OrtWorkerRequest } from './ort-worker-protocol.js';

const port = parentPort!;
const data = workerData as OrtWorkerData;

function reply(message: OrtWorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

/** Run replies go on their own port, which the pool can read synchronously at a deadline. */
function replyToRun(message: OrtWorkerReply, transfer: ArrayBuffer[] = []): void {
  data.replyPort.postMessage(message, transfer);
}

function toOrtFeeds(feeds: OrtTensors): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, tensor] of Object.entries(feeds)) out[name] = new ort.Tensor(tensor.type, tensor.data, tensor.dims);
  return out;
}

const TYPED_ARRAY_OF: Partial<Record<string, (n: number) => OrtTensorData>> = {
  float32: (n) => new Float32Array(n),
  float64: (n) => new Float64Array(n),
  int64: (n) => new BigInt64Array(n),
  int32: (n) => new Int32Array(n),
  int8: (n) => new Int8Array(n),
  uint8: (n) => new Uint8Array(n),
  bool: (n) => new Uint8Array(n),
};

/** Zeros shaped like the model's inputs, symbolic dims set to 1: a valid batch for any id input. */
function dummyFeeds(session: ort.InferenceSession): OrtTensors {
  const feeds: Record<string, OrtTensorMessage> = {};
  for (const input of session.inputMetadata) {
    if (!input.isTensor) continue;
    const make = TYPED_ARRAY_OF[input.type];
    if (make === undefined) continue;
    const dims = input.shape.map((dim) => (typeof dim === 'number' && dim >= 0 ? dim : 1));
    feeds[input.name] = { type: input.type as OrtTensorType, data: make(dims.reduce((a, b) => a * b, 1)), dims };
  }
  return feeds;
}

/** Output tensors as messages, with the buffers to transfer (each output owns its buffer). */
function fromOrtOutputs(results: ort.InferenceSession.ReturnType): { outputs: OrtTensors; transfer: ArrayBuffer[] } {
  const outputs: Record<string, OrtTensorMessage> = {};
  const transfer: ArrayBuffer[] = [];
  for (const [name, value] of Object.entries(results)) {
    const tensorData = value.data;
    if (!ArrayBuffer.isView(tensorData)) throw new Error(`output ${name} of type ${value.type} is not a numeric tensor`);
    const typed = tensorData as OrtTensorData;
    outputs[name] = { type: value.type as OrtTensorType, data: typed, dims: [...value.dims] };
    const buffer = typed.buffer;
    if (buffer instanceof ArrayBuffer && typed.byteOffset === 0 && typed.byteLength === buffer.byteLength && !transfer.includes(buffer)) transfer.push(buffer);
  }
  return { outputs, transfer };
}

/** The feed builder named by the worker data, or null; a module without createFeedBuilder is a load failure. */
async function loadFeedBuilder(spec: OrtFeedBuilderSpec | undefined): Promise<OrtFeedBuilder | null> {
  if (spec === undefined) return null;
  const module: unknown = await import(spec.module);
  const create: unknown = typeof module === 'object' && module !== null ? (module as Record<string, unknown>).createFeedBuilder : undefined;
  if (typeof create !== 'function') throw new Error(`${spec.module} exports no createFeedBuilder function`);
  const builder: unknown = (create as (data: unknown) => unknown)(spec.data);
  if (typeof builder !== 'function') throw new Error(`${spec.module}: createFeedBuilder returned no function`);
  return builder as OrtFeedBuilder;
}

async function start(): Promise<void> {
  let handle: OrtSession;
  let builder: OrtFeedBuilder | null;
  try {
    builder = await loadFeedBuilder(data.feedBuilder);
    handle = await createOrtSession(data.model, { executionProviders: data.executionProviders, intraOpNumThreads: data.intraOpNumThreads });
    const started = performance.now();
    await handle.session.run(toOrtFeeds(data.warmup ?? dummyFeeds(handle.session)));
    reply({ kind: 'ready', provider: handle.provider, inputNames: handle.inputNames, outputNames: handle.outputNames, warmupMs: performance.now() - started });
  } catch (error) {
    reply({ kind: 'failed', code: isRecsysError(error) ? error.code : 'RECSYS_ERR_ONNX_SESSION_FAILED', message: errorMessage(error) });
    port.close();
    return;
  }
  // Requests are handled strictly in order: one run at a time per session and thread.
  let queue = Promise.resolve();
  port.on('message', (request: OrtWorkerRequest) => {
    queue = queue.then(async () => {
      if (request.kind === 'close') {
        await handle.release();
        data.replyPort.close();
        reply({ kind: 'closed' });
        port.close();
        return;
      }
      // A packed feed buffer goes back with the reply (transferred), to be reused for a later run.
      const { buffer } = request;
      const returned = buffer === undefined ? [] : [buffer];
      try {
        let feeds = request.feeds;
        if (request.build === true) {
          if (builder === null) throw new Error('this worker has no feed builder');
          feeds = builder(feeds);
        }
        const results = await handle.session.run(toOrtFeeds(feeds));
        const { outputs, transfer } = fromOrtOutputs(results);
        replyToRun({ kind: 'result', id: request.id, outputs, buffer }, [...transfer, ...returned]);
      } catch (error) {
        replyToRun({ kind: 'error', id: request.id, message: errorMessage(error), buffer }, returned);
      }
    });
  });
}

void start();
