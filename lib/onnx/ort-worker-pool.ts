import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { RecsysError, type ErrorCode, ERROR_CATALOGUE, errorMessage } from '../domain/errors.js';
import type { OnnxConfig } from '../config/schema.js';
import type { ExecutionProvider } from './ort-session.js';
import type { OrtFeedBuilderSpec, OrtTensors, OrtWorkerData, OrtWorkerReply, OrtWorkerRequest } from './ort-worker-protocol.js';
import { FeedBufferPool, packFeeds, packedByteLength } from './packed-feeds.js';

export type { OrtFeedBuilder, OrtFeedBuilderSpec, OrtTensorData, OrtTensorMessage, OrtTensorType, OrtTensors } from './ort-worker-protocol.js';

export interface OrtWorkerPoolOptions {
  /** Worker threads, one session each (default 1). */
  readonly workers?: number;
  readonly executionProviders?: readonly ExecutionProvider[];
  readonly intraOpNumThreads?: number;
  /** A run not answered within this many ms rejects with RECSYS_ERR_ONNX_TIMEOUT (default 1000). */
  readonly timeoutMs?: number;
  /** Feeds of the warm-up run each worker does before it is ready (default: zeros, symbolic dims = 1). */
  readonly warmup?: OrtTensors;
  /** A feed builder each worker loads (runs with `build: true` send its input, not feeds). */
  readonly feedBuilder?: OrtFeedBuilderSpec;
}

export interface OrtRunOptions {
  /**
   * Transfer the feeds' buffers to the worker instead of copying them (default true);
   * the caller's arrays are detached afterwards. Arrays that are views into a larger
   * buffer are copied either way. false: the feeds are copied into one pooled buffer
   * (packed-feeds.ts) that is transferred to the worker and back, so the caller's arrays
   * stay usable and the copy is one memcpy per tensor, not a structured clone.
   */
  readonly transfer?: boolean;
  /** `feeds` is the input of the workers' feed builder (OrtWorkerPoolOptions.feedBuilder), which makes the feeds in the worker. */
  readonly build?: boolean;
  /** This run's deadline in ms, if shorter than the pool's timeoutMs (a caller's remaining budget); <= 0 fails at once. */
  readonly timeoutMs?: number;
}

/** Pool options from the config's `onnx` block. */
export function ortWorkerPoolOptionsFromConfig(config: OnnxConfig): OrtWorkerPoolOptions {
  return {
    workers: config.workers,
    executionProviders: config.executionProviders,
    intraOpNumThreads: config.intraOpNumThreads,
    timeoutMs: config.timeoutMs,
  };
}

interface Pending {
  readonly resolve: (outputs: OrtTensors) => void;
  readonly reject: (error: RecsysError) => void;
  readonly timer: NodeJS.Timeout;
}

interface Slot {
  readonly worker: Worker;
  /** Where the worker posts run replies: a port of our own, so a deadline can read waiting replies synchronously. */
  readonly replies: MessagePort;
  /** Runs sent and not answered yet, timed-out ones included: the worker is still busy with them. */
  inFlight: number;
  alive: boolean;
  readonly pending: Map<number, Pending>;
}

interface Ready {
  readonly provider: ExecutionProvider;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}

function exitOf(worker: Worker): Promise<void> {
  return new Promise<void>((resolve) => {
    if (worker.threadId === -1) resolve();
    else worker.once('exit', () => { resolve(); });
  });
}

/** Asks a ready worker to release its session and exit, and waits until it has. */
function closeWorker(worker: Worker): Promise<void> {
  const exited = exitOf(worker);
  worker.postMessage({ kind: 'close' } satisfies OrtWorkerRequest);
  return exited;
}

function isErrorCode(code: string): code is ErrorCode {
  return code in ERROR_CATALOGUE;
}

/**
 * onnxruntime sessions in worker_threads, so that session.run() — which runs the native
 * inference synchronously on its calling thread (DESIGN.md section 6) — never blocks the
 * gRPC event loop. One session per worker, each warmed with a dummy batch before the pool
 * is ready; runs go to the least busy live worker (ties: round-robin); feeds and outputs
 * cross as typed arrays (transferred, not serialised).
 *
 * Cost of the hop, measured with `npm run bench:ort -- --iterations 2000` on the shared
 * 2-core dev machine (load average ~10 from other work, so tails are noisy), one intra-op
 * thread, a wide&deep-sized MLP (136 → 256 → 128 → 64 → 1, 76k MACs per row) on 500 rows:
 * direct session.run p50 0.54-0.69 ms, through the pool p50 0.66-0.90 ms (feeds copied or
 * transferred alike: 272 KB of features), i.e. ~0.1-0.3 ms per call for two postMessages
 * and the thread wake-ups. In exchange the main loop keeps serving while a model computes;
 * a direct run stalls it for the run's whole duration (test/unit/onnx/ort-worker-pool.test.ts
 * checks both). Copied feeds (`transfer: false`, the ranker's case) are packed into one
 * pooled buffer that goes to the worker and back: in a micro-benchmark of 18 feed tensors
 * (500 rows, ~150 KB) that cost the main thread ~0.03 ms per run against ~0.05-0.07 ms for a
 * structured clone of each tensor, and the worker allocates no feed buffers.
 */
export class OrtWorkerPool {
  /** 'cuda' when every worker's session initialised the CUDA provider, else 'cpu'. */
  readonly provider: ExecutionProvider;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  private readonly slots: Slot[];
  private readonly timeoutMs: number;
  private readonly feedBuffers = new FeedBufferPool();
  private nextId = 1;
  private cursor = 0;
  private closing: Promise<void> | undefined;

  private constructor(slots: Slot[], ready: Ready, timeoutMs: number) {
    this.slots = slots;
    this.provider = ready.provider;
    this.inputNames = ready.inputNames;
    this.outputNames = ready.outputNames;
    this.timeoutMs = timeoutMs;
  }

  /** Starts the workers, loads the model in each and warms it; rejects if any worker fails to. */
  static async create(model: Uint8Array, options: OrtWorkerPoolOptions = {}): Promise<OrtWorkerPool> {
    const count = options.workers ?? 1;
    const data: Omit<OrtWorkerData, 'replyPort'> = {
      model,
      executionProviders: options.executionProviders ?? ['cpu'],
      intraOpNumThreads: options.intraOpNumThreads ?? 1,
      warmup: options.warmup,
      feedBuilder: options.feedBuilder,
    };
    const url = new URL('./ort-worker.js', import.meta.url);
    const slots: Slot[] = [];
    const readies: Promise<Ready>[] = [];
    for (let i = 0; i < count; i++) {
      const { port1: replies, port2: replyPort } = new MessageChannel();
      const worker = new Worker(url, { workerData: { ...data, replyPort } satisfies OrtWorkerData, transferList: [replyPort] });
      const slot: Slot = { worker, replies, inFlight: 0, alive: true, pending: new Map() };
      slots.push(slot);
      readies.push(
        new Promise<Ready>((resolve, reject) => {
          const onReady = (message: OrtWorkerReply): void => {
            if (message.kind === 'ready') resolve(message);
            else if (message.kind === 'failed') {
              const code = isErrorCode(message.code) ? message.code : 'RECSYS_ERR_ONNX_SESSION_FAILED';
              reject(new RecsysError(code, message.message));
            }
          };
          worker.once('message', onReady);
          worker.once('error', (error) => {
            reject(new RecsysError('RECSYS_ERR_ONNX_SESSION_FAILED', `onnx worker failed to start: ${errorMessage(error)}`, { cause: error }));
          });
          worker.once('exit', (code) => {
            reject(new RecsysError('RECSYS_ERR_ONNX_SESSION_FAILED', `onnx worker exited with code ${code} before it was ready`));
          });
        }),
      );
    }
    const settled = await Promise.allSettled(readies);
    const failure = settled.find((result) => result.status === 'rejected');
    if (failure !== undefined) {
      // Every worker has settled (ready or failed) before any is ended: a worker terminated
      // inside a native onnxruntime call aborts the whole process (see close()).
      await Promise.all(slots.map((slot, i) => (settled[i]!.status === 'fulfilled' ? closeWorker(slot.worker) : exitOf(slot.worker))));
      for (const slot of slots) slot.replies.close();
      throw failure.reason;
    }
    const ready = settled.map((result) => (result as PromiseFulfilledResult<Ready>).value);
    const pool = new OrtWorkerPool(slots, { ...ready[0]!, provider: ready.every((r) => r.provider === 'cuda') ? 'cuda' : 'cpu' }, options.timeoutMs ?? 1000);
    for (const slot of slots) pool.listen(slot);
    return pool;
  }

  /** Live workers (a worker that crashed is dropped; its runs were rejected). */
  get workers(): number {
    return this.slots.filter((slot) => slot.alive).length;
  }

  /** Runs the model on one worker. Outputs are typed arrays owned by the caller. */
  run(feeds: OrtTensors, options: OrtRunOptions = {}): Promise<OrtTensors> {
    if (this.closing !== undefined) return Promise.reject(new RecsysError('RECSYS_ERR_ONNX_CLOSED', 'onnx worker pool is closed'));
    const slot = this.pick();
    if (slot === undefined) return Promise.reject(new RecsysError('RECSYS_ERR_ONNX_RUN_FAILED', 'no live onnx worker'));
    const id = this.nextId++;
    const transfer: ArrayBuffer[] = [];
    let request: OrtWorkerRequest;
    let packed: ArrayBuffer | undefined;
    if (options.transfer ?? true) {
      for (const tensor of Object.values(feeds)) {
        const buffer = tensor.data.buffer;
        if (buffer instanceof ArrayBuffer && tensor.data.byteOffset === 0 && tensor.data.byteLength === buffer.byteLength && !transfer.includes(buffer)) {
          transfer.push(buffer);
        }
      }
      request = { kind: 'run', id, feeds, build: options.build };
    } else {
      packed = this.feedBuffers.acquire(packedByteLength(feeds));
      request = { kind: 'run', id, feeds: packFeeds(feeds, packed), buffer: packed, build: options.build };
      transfer.push(packed);
    }
    const timeoutMs = Math.min(this.timeoutMs, options.timeoutMs ?? Number.POSITIVE_INFINITY);
    if (!(timeoutMs > 0)) return Promise.reject(new RecsysError('RECSYS_ERR_ONNX_TIMEOUT', 'no time left for the onnx run'));
    return new Promise<OrtTensors>((resolve, reject) => {
      const timer = setTimeout(() => {
        // A busy event loop runs due timers before it delivers waiting messages: read the
        // replies already sent, so a result that arrived in time is not thrown away.
        this.drain(slot);
        if (!slot.pending.delete(id)) return;
        reject(new RecsysError('RECSYS_ERR_ONNX_TIMEOUT', `onnx run took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      slot.pending.set(id, { resolve, reject, timer });
      slot.inFlight++;
      try {
        slot.worker.postMessage(request, transfer);
      } catch (error) {
        clearTimeout(timer);
        slot.pending.delete(id);
        slot.inFlight--;
        if (packed !== undefined) this.feedBuffers.release(packed);
        reject(new RecsysError('RECSYS_ERR_ONNX_RUN_FAILED', `could not send feeds to the onnx worker: ${errorMessage(error)}`, { cause: error }));
      }
    });
  }

  /**
   * Stops accepting runs, lets the ones already sent finish, releases the sessions and
   * lets the workers exit. Workers are never terminate()d: a worker terminated while it is
   * inside a native onnxruntime call (session.run, or loading a model) aborts the whole
   * process ("terminate called after throwing an instance of 'Napi::Error'", seen in this
   * pool's tests), so close() waits for the run in progress instead.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await Promise.all(this.slots.map((slot) => (slot.alive ? closeWorker(slot.worker) : Promise.resolve())));
  }

  private pick(): Slot | undefined {
    let best: Slot | undefined;
    const n = this.slots.length;
    for (let k = 0; k < n; k++) {
      const slot = this.slots[(this.cursor + k) % n]!;
      if (slot.alive && (best === undefined || slot.inFlight < best.inFlight)) best = slot;
    }
    this.cursor = (this.cursor + 1) % n;
    return best;
  }

  /** Handles every reply the worker has already posted, synchronously. */
  private drain(slot: Slot): void {
    for (let received = receiveMessageOnPort(slot.replies); received !== undefined; received = receiveMessageOnPort(slot.replies)) {
      this.settle(slot, received.message as OrtWorkerReply);
    }
  }

  private settle(slot: Slot, message: OrtWorkerReply): void {
    if (message.kind !== 'result' && message.kind !== 'error') return;
    slot.inFlight--;
    if (message.buffer !== undefined) this.feedBuffers.release(message.buffer);
    const pending = slot.pending.get(message.id);
    if (pending === undefined) return; // timed out earlier
    slot.pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.kind === 'result') pending.resolve(message.outputs);
    else pending.reject(new RecsysError('RECSYS_ERR_ONNX_RUN_FAILED', `onnx run failed: ${message.message}`));
  }

  private listen(slot: Slot): void {
    slot.replies.on('message', (message: OrtWorkerReply) => { this.settle(slot, message); });
    const fail = (reason: string): void => {
      if (!slot.alive) return;
      slot.alive = false;
      // Replies travel on their own port: ones posted before the exit may still be waiting there.
      this.drain(slot);
      slot.replies.close();
      for (const pending of slot.pending.values()) {
        clearTimeout(pending.timer);
        pending.reject(new RecsysError('RECSYS_ERR_ONNX_RUN_FAILED', reason));
      }
      slot.pending.clear();
    };
    slot.worker.on('error', (error) => { fail(`onnx worker crashed: ${errorMessage(error)}`); });
    slot.worker.on('exit', (code) => { fail(`onnx worker exited with code ${code}`); });
  }
}
