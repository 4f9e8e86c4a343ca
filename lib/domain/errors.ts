/**
 * The error catalogue: every failure the platform reports has a stable code
 * `RECSYS_ERR_<AREA>_<WHAT>` and a category that says who is to blame.
 * Services map categories to gRPC status in exactly one place each.
 */
export type ErrorCategory = 'client' | 'server' | 'dependency';

export const ERROR_CATALOGUE = {
  RECSYS_ERR_REQUEST_INVALID: 'client',
  RECSYS_ERR_REQUEST_UNKNOWN_ITEM: 'client',
  RECSYS_ERR_REQUEST_UNKNOWN_SCENE: 'client',
  RECSYS_ERR_CONFIG_INVALID: 'client',
  RECSYS_ERR_DATA_UNREADABLE: 'client',
  RECSYS_ERR_DATA_TOO_MANY_BAD_ROWS: 'client',
  RECSYS_ERR_DATA_FORMAT_UNKNOWN: 'client',
  RECSYS_ERR_SPLIT_INVALID: 'client',
  RECSYS_ERR_BUNDLE_MISSING: 'server',
  RECSYS_ERR_BUNDLE_CORRUPT: 'server',
  RECSYS_ERR_STORE_UNAVAILABLE: 'dependency',
  RECSYS_ERR_SOURCE_FAILED: 'dependency',
  RECSYS_ERR_SOURCE_TIMEOUT: 'dependency',
  RECSYS_ERR_SCORER_SHAPE: 'server',
  RECSYS_ERR_ONNX_GRAPH_INVALID: 'server',
  RECSYS_ERR_ONNX_SESSION_FAILED: 'server',
  RECSYS_ERR_ONNX_RUN_FAILED: 'server',
  RECSYS_ERR_ONNX_TIMEOUT: 'server',
  RECSYS_ERR_ONNX_CLOSED: 'server',
  RECSYS_ERR_VECTORS_DIM_MISMATCH: 'server',
  RECSYS_ERR_INTERNAL: 'server',
} as const satisfies Record<string, ErrorCategory>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** An error whose message is safe to log and to return to a client. */
export class RecsysError extends Error {
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  /** The request or config field at fault, when there is one. */
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options?: { field?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RecsysError';
    this.code = code;
    this.category = ERROR_CATALOGUE[code];
    this.field = options?.field;
  }
}

export function isRecsysError(value: unknown): value is RecsysError {
  return value instanceof RecsysError;
}

/** Message of any thrown value, for logs. */
export function errorMessage(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
