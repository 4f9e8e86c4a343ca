import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { toServiceError } from '../recommend/grpc-status.js';

/** Milliseconds left before the call's deadline (Infinity when it has none). */
export function remainingMs(call: { getDeadline(): Date | number }): number {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : Number.POSITIVE_INFINITY;
}

/**
 * A unary handler that holds a lease on the serving state for the whole call (a hot swap never
 * retires a bundle under it), reports the call's duration and outcome through `onCall`, and maps
 * errors to gRPC statuses in the one place that does it.
 */
export function leasedUnary<State, Request, Response>(
  method: string,
  acquire: () => { readonly state: State; release(): void },
  onCall: ((method: string, millis: number, error?: unknown) => void) | undefined,
  handle: (state: State, call: ServerUnaryCall<Request, Response>) => Promise<Response>,
): (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>) => void {
  return (call, callback) => {
    const started = performance.now();
    const lease = acquire();
    handle(lease.state, call)
      .then(
        (response) => {
          onCall?.(method, performance.now() - started);
          callback(null, response);
        },
        (error: unknown) => {
          onCall?.(method, performance.now() - started, error);
          callback(toServiceError(error), null);
        },
      )
      .finally(() => {
        lease.release();
      });
  };
}
