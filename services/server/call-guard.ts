import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { Metadata, status, type MethodDefinition, type sendUnaryData, type ServerUnaryCall, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { requestContext } from '../../lib/request-context.js';

/** What a request deserializes to when its bytes are not a valid message of its type. */
export const MALFORMED_REQUEST: object = Object.freeze({ malformed: true });

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export interface CallGuardOptions {
  /** Accepted API keys; empty = every call is accepted. */
  readonly apiKeys: readonly string[];
  readonly log?: Logger | undefined;
  /** Called for calls the guard answers itself (unauthenticated, malformed), for metrics. */
  readonly onRejected?: (method: string, code: string) => void;
}

/** SHA-256 of a key: compared in constant time, and the only form of the key kept in memory after start. */
function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** The API key a call presents in `x-api-key`, or `authorization: Bearer <key>`. */
function presentedKey(metadata: Metadata): string | null {
  const direct = metadata.get('x-api-key')[0];
  if (typeof direct === 'string') return direct;
  const authorization = metadata.get('authorization')[0];
  if (typeof authorization === 'string' && /^bearer /i.test(authorization)) return authorization.slice(7).trim();
  return null;
}

/** The caller's `x-request-id` when it is a sane token, else a fresh UUID. */
export function requestIdOf(metadata: Metadata): string {
  const given = metadata.get('x-request-id')[0];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Wraps every unary method of a service with what each call needs before it reaches the
 * handler: a request id (from `x-request-id` or generated; echoed in trailing metadata and on
 * the call's log line), the API-key check (UNAUTHENTICATED), and INVALID_ARGUMENT for bytes that
 * do not parse as the request type (grpc-js itself answers those with INTERNAL, which would
 * blame the server for a client's garbage). Logs carry method, status, time and request id,
 * never the request body or the key.
 */
export function guardService(definition: ServiceDefinition, handlers: UntypedServiceImplementation, options: CallGuardOptions): { definition: ServiceDefinition; handlers: UntypedServiceImplementation } {
  const keys = options.apiKeys.map(digest);
  const authorised = (metadata: Metadata): boolean => {
    if (keys.length === 0) return true;
    const presented = presentedKey(metadata);
    if (presented === null) return false;
    const candidate = digest(presented);
    return keys.some((key) => timingSafeEqual(key, candidate));
  };
  const guardedDefinition: Record<string, MethodDefinition<unknown, unknown>> = {};
  const guardedHandlers: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(definition) as [string, MethodDefinition<unknown, unknown>][]) {
    const handler = handlers[name];
    if (handler === undefined) continue;
    if (method.requestStream || method.responseStream) {
      guardedDefinition[name] = method;
      guardedHandlers[name] = handler;
      continue;
    }
    const deserialize = method.requestDeserialize;
    guardedDefinition[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer): unknown => {
        try {
          return deserialize(bytes);
        } catch {
          return MALFORMED_REQUEST;
        }
      },
    };
    const unary = handler as (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void;
    guardedHandlers[name] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>): void => {
      const started = performance.now();
      const requestId = requestIdOf(call.metadata);
      const finish: sendUnaryData<unknown> = (error, value, trailer, flags) => {
        const code = error ? status[error.code ?? status.UNKNOWN] : 'OK';
        const line = { requestId, method: name, code, millis: Math.round((performance.now() - started) * 1000) / 1000 };
        if (error && (error.code === status.INTERNAL || error.code === status.UNKNOWN)) options.log?.warn({ ...line, details: error.details }, 'call failed');
        else options.log?.debug(line, 'call');
        const metadata = error ? (error.metadata ?? new Metadata()) : (trailer ?? new Metadata());
        metadata.set('x-request-id', requestId);
        if (error) callback({ code: error.code, details: error.details, metadata }, value, undefined, flags);
        else callback(null, value, metadata, flags);
      };
      if (!authorised(call.metadata)) {
        options.onRejected?.(name, 'UNAUTHENTICATED');
        finish({ code: status.UNAUTHENTICATED, details: 'missing or unknown API key (send x-api-key or authorization: Bearer)' });
        return;
      }
      if (call.request === MALFORMED_REQUEST) {
        options.onRejected?.(name, 'INVALID_ARGUMENT');
        finish({ code: status.INVALID_ARGUMENT, details: 'request: not a valid protobuf message of the request type' });
        return;
      }
      requestContext.run({ requestId }, () => {
        unary(call, finish);
      });
    };
  }
  return { definition: guardedDefinition, handlers: guardedHandlers };
}
