import type { sendUnaryData, ServerUnaryCall, ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadPackageDefinition, type GrpcObject } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import type { ProtoGrpcType } from '../../lib/generated/diagnostics.js';
import type { DiagnosticsServiceHandlers } from '../../lib/generated/recsys/v1/DiagnosticsService.js';
import type { EchoRequest__Output } from '../../lib/generated/recsys/v1/EchoRequest.js';
import type { EchoResponse } from '../../lib/generated/recsys/v1/EchoResponse.js';

export const DIAGNOSTICS_SERVICE_NAME = 'recsys.v1.DiagnosticsService';

/**
 * Echo handlers: the payload back, timed and reported through the same `onCall` hook as
 * Recommend, so the call pays the same per-call bookkeeping (metrics) and nothing else. Its
 * throughput under load is the transport ceiling of this server (`npm run bench:serve`).
 */
export function diagnosticsServiceHandlers(onCall?: (method: string, millis: number, error?: unknown) => void): DiagnosticsServiceHandlers {
  return {
    Echo: (call: ServerUnaryCall<EchoRequest__Output, EchoResponse>, callback: sendUnaryData<EchoResponse>): void => {
      const started = performance.now();
      const response: EchoResponse = { payload: call.request.payload };
      onCall?.('Echo', performance.now() - started);
      callback(null, response);
    },
  };
}

/**
 * Registers recsys.v1.DiagnosticsService (from the already loaded package definition) through
 * `add`, the same registration (call guard: API keys, request ids) every other service gets.
 */
export function addDiagnosticsService(
  add: (service: ServiceDefinition, handlers: UntypedServiceImplementation) => void,
  definition: PackageDefinition,
  onCall?: (method: string, millis: number, error?: unknown) => void,
): void {
  const loaded = loadPackageDefinition(definition) as unknown as ProtoGrpcType & GrpcObject;
  add(loaded.recsys.v1.DiagnosticsService.service, diagnosticsServiceHandlers(onCall));
}
