import type { MessagePort } from 'node:worker_threads';
import type { ExecutionProvider } from './ort-session.js';

/**
 * Messages between OrtWorkerPool and its workers (lib/onnx/ort-worker.ts). Tensors
 * travel as typed arrays plus dims, structured-cloned or transferred, never as JSON.
 */
export type OrtTensorType = 'float32' | 'float64' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

export type OrtTensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;

/** One input or output tensor. */
export interface OrtTensorMessage {
  readonly type: OrtTensorType;
  readonly data: OrtTensorData;
  readonly dims: readonly number[];
}

export type OrtTensors = Readonly<Record<string, OrtTensorMessage>>;

/**
 * Work the worker does before each `build` run: the worker imports `module` once at start and
 * calls its `createFeedBuilder(data)`; each run sent with `build: true` carries the builder's
 * input (named typed arrays), and the worker runs the session on the feeds the builder returns.
 * That moves the building (e.g. the ranker's feature assembly) off the caller's thread too.
 */
export interface OrtFeedBuilderSpec {
  /** URL (file:) of an ES module exporting `createFeedBuilder(data: unknown): OrtFeedBuilder`. */
  readonly module: string;
  /** Structured-cloneable data given to createFeedBuilder once per worker. */
  readonly data: unknown;
}

/** Turns one run's input into the session's feeds; the feeds must stay valid until the next call. */
export type OrtFeedBuilder = (input: OrtTensors) => OrtTensors;

export interface OrtWorkerData {
  readonly model: Uint8Array;
  readonly executionProviders: readonly ExecutionProvider[];
  readonly intraOpNumThreads: number;
  /** Feeds for the warm-up run; absent = zeros shaped from the model's inputs (symbolic dims = 1). */
  readonly warmup: OrtTensors | undefined;
  readonly feedBuilder: OrtFeedBuilderSpec | undefined;
  /** Where run replies (`result`, `error`) go; the lifecycle replies use parentPort. */
  readonly replyPort: MessagePort;
}

/**
 * `buffer`: the one transferred buffer the feeds are views of (packed feeds), handed back with
 * the reply for reuse. `build`: `feeds` is the input of the worker's feed builder, not the feeds.
 */
export type OrtWorkerRequest =
  | { readonly kind: 'run'; readonly id: number; readonly feeds: OrtTensors; readonly buffer?: ArrayBuffer; readonly build?: boolean }
  | { readonly kind: 'close' };

export type OrtWorkerReply =
  | {
      readonly kind: 'ready';
      readonly provider: ExecutionProvider;
      readonly inputNames: readonly string[];
      readonly outputNames: readonly string[];
      readonly warmupMs: number;
    }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string }
  | { readonly kind: 'result'; readonly id: number; readonly outputs: OrtTensors; readonly buffer?: ArrayBuffer }
  | { readonly kind: 'error'; readonly id: number; readonly message: string; readonly buffer?: ArrayBuffer }
  | { readonly kind: 'closed' };
