import ort from 'onnxruntime-node';
import { RecsysError, errorMessage } from '../domain/errors.js';
import { createLogger } from '../logger.js';
import type { OnnxConfig } from '../config/schema.js';

/** Execution providers recsys configures: 'cuda' on a GPU host, 'cpu' everywhere. */
export type ExecutionProvider = 'cpu' | 'cuda';

export interface OrtSessionOptions {
  /** Tried in order (default ['cpu']); 'cuda' falls back to CPU with one logged warning. */
  readonly executionProviders?: readonly ExecutionProvider[];
  /** Threads inside one run (default 1; see DESIGN.md section 6 before raising it). */
  readonly intraOpNumThreads?: number;
  /** Where the CUDA fallback warning goes (default: the 'onnx' pino logger). */
  readonly logger?: { readonly warn: (object: object, message: string) => void };
}

/** An onnxruntime session and the provider it actually runs on. */
export interface OrtSession {
  readonly session: ort.InferenceSession;
  /** 'cuda' when the CUDA provider initialised (nodes without a CUDA kernel still run on CPU). */
  readonly provider: ExecutionProvider;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly release: () => Promise<void>;
}

/** Session options from the config's `onnx` block. */
export function ortSessionOptionsFromConfig(config: OnnxConfig): OrtSessionOptions {
  return { executionProviders: config.executionProviders, intraOpNumThreads: config.intraOpNumThreads };
}

/**
 * Set once CUDA failed to initialise in this thread: later sessions go straight to CPU,
 * so the warning is logged once and the failing library load is not retried per model.
 */
let cudaUnavailable: string | undefined;

/** Why CUDA was not used in this thread, when it was asked for and failed (for health details). */
export function cudaFallbackReason(): string | undefined {
  return cudaUnavailable;
}

function sessionOptions(providers: readonly ExecutionProvider[], intraOpNumThreads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [...providers],
    intraOpNumThreads,
    // One model per session and no parallel branches worth a second pool.
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
}

async function create(model: Uint8Array, providers: readonly ExecutionProvider[], threads: number): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, sessionOptions(providers, threads));
}

/**
 * Creates a session from model bytes. With 'cuda' in the list the session is first
 * created with the list as given; if that fails (the CUDA provider library is not
 * installed — `.npmrc` skips it by default —, no driver, no device), the failure is
 * logged once per thread and the session is created without 'cuda' (CPU if nothing
 * else is left). Any other failure is RECSYS_ERR_ONNX_SESSION_FAILED.
 */
export async function createOrtSession(model: Uint8Array, options: OrtSessionOptions = {}): Promise<OrtSession> {
  const requested = options.executionProviders ?? ['cpu'];
  const threads = options.intraOpNumThreads ?? 1;
  const withoutCuda = requested.filter((provider) => provider !== 'cuda');
  const cpuProviders: readonly ExecutionProvider[] = withoutCuda.length > 0 ? withoutCuda : ['cpu'];
  let session: ort.InferenceSession | undefined;
  let provider: ExecutionProvider = 'cpu';
  if (requested.includes('cuda') && cudaUnavailable === undefined) {
    try {
      session = await create(model, requested, threads);
      provider = requested[0] === 'cuda' ? 'cuda' : 'cpu';
    } catch (error) {
      cudaUnavailable = errorMessage(error);
      const logger = options.logger ?? createLogger('onnx');
      logger.warn({ requested, fallback: cpuProviders, reason: cudaUnavailable }, 'CUDA execution provider could not initialise; running ONNX models on CPU');
    }
  }
  if (session === undefined) {
    try {
      session = await create(model, cpuProviders, threads);
    } catch (error) {
      throw new RecsysError('RECSYS_ERR_ONNX_SESSION_FAILED', `onnxruntime could not load the model: ${errorMessage(error)}`, { cause: error });
    }
  }
  const created = session;
  return {
    session: created,
    provider,
    inputNames: created.inputNames,
    outputNames: created.outputNames,
    release: () => created.release(),
  };
}
