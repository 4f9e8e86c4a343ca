import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line and backend call of one RPC shares. */
export interface RequestContext {
  readonly requestId: string;
}

/**
 * The context of the call being served, carried through its promise chain without threading a
 * parameter through every stage: pino's mixin stamps the request id on every line logged
 * during the call, and backend clients forward it as `x-request-id`.
 */
export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}
