import { readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { credentials, Metadata, ServerCredentials, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';
import type { RecsysConfig } from '../../lib/config/schema.js';
import { RecsysError, errorMessage } from '../../lib/domain/errors.js';
import { currentRequestId } from '../../lib/request-context.js';

type ServingConfig = RecsysConfig['serving'];
type TlsConfig = ServingConfig['tls'];

function readPem(key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', `serving.tls.${key}: cannot read ${path}: ${errorMessage(error)}`, { field: `serving.tls.${key}`, cause: error });
  }
}

/** TLS when a certificate is configured (mTLS when a CA is too), else plaintext. */
export function serverCredentials(tls: TlsConfig): ServerCredentials {
  if (tls.cert === '') {
    if (tls.key !== '' || tls.ca !== '') throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', 'serving.tls.cert: required when serving.tls.key or serving.tls.ca is set', { field: 'serving.tls.cert' });
    return ServerCredentials.createInsecure();
  }
  if (tls.key === '') throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', 'serving.tls.key: required with serving.tls.cert', { field: 'serving.tls.key' });
  const ca = tls.ca === '' ? null : readPem('ca', tls.ca);
  return ServerCredentials.createSsl(ca, [{ cert_chain: readPem('cert', tls.cert), private_key: readPem('key', tls.key) }], ca !== null);
}

/**
 * Credentials of the recommend role's channels to its backends: TLS whenever the deployment
 * uses TLS (a cert or CA is configured), verifying against `ca` (system roots when empty) and
 * presenting clientCert/clientKey for mTLS.
 */
export function backendCredentials(tls: TlsConfig): ChannelCredentials {
  if (tls.cert === '' && tls.ca === '') return credentials.createInsecure();
  if ((tls.clientCert === '') !== (tls.clientKey === '')) throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', 'serving.tls.clientCert: clientCert and clientKey go together', { field: 'serving.tls.clientCert' });
  return credentials.createSsl(
    tls.ca === '' ? null : readPem('ca', tls.ca),
    tls.clientKey === '' ? null : readPem('clientKey', tls.clientKey),
    tls.clientCert === '' ? null : readPem('clientCert', tls.clientCert),
  );
}

/**
 * One gRPC target for a list of addresses. One entry is used as is (any target, e.g.
 * dns:///recall:50052, whose resolved addresses are balanced round-robin); several must be
 * ip:port literals of one family, joined into grpc-js's multi-address ipv4:/ipv6: target.
 */
export function backendTarget(field: string, addresses: readonly string[]): string {
  if (addresses.length === 1) return addresses[0]!;
  const hosts = addresses.map((address) => {
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
    return match?.[1] ?? '';
  });
  if (hosts.every((host) => isIPv4(host))) return `ipv4:${addresses.join(',')}`;
  if (hosts.every((host) => isIPv6(host))) return `ipv6:${addresses.join(',')}`;
  throw new RecsysError('RECSYS_ERR_CONFIG_INVALID', `${field}: several addresses must all be IPv4 or all IPv6 ip:port literals (for host names give one dns:/// target)`, { field });
}

/** Channel options of a backend client: round-robin over every resolved address, keepalive, message bounds. */
export function backendChannelOptions(serving: ServingConfig): ChannelOptions {
  return {
    'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
    'grpc.keepalive_time_ms': serving.backends.keepaliveMs,
    'grpc.keepalive_timeout_ms': 5000,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.max_receive_message_length': serving.maxMessageBytes,
    'grpc.max_send_message_length': serving.maxMessageBytes,
    'grpc.enable_channelz': 0,
  };
}

/** Metadata of a backend call: the first configured API key (backends share the key list) and the incoming call's request id. */
export function backendMetadata(serving: ServingConfig): Metadata {
  const metadata = new Metadata();
  const requestId = currentRequestId();
  if (requestId !== undefined) metadata.set('x-request-id', requestId);
  const key = serving.apiKeys[0];
  if (key !== undefined) metadata.set('x-api-key', key);
  return metadata;
}

/**
 * Connects a backend client now rather than on the first call (a TLS handshake on a busy machine
 * can take longer than a source's deadline). Resolves false when no backend is ready within
 * `timeoutMs`; calls then fail open until one is.
 */
export function connectBackend(client: { waitForReady(deadline: number, callback: (error?: Error) => void): void }, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    client.waitForReady(Date.now() + timeoutMs, (error) => {
      resolve(error === undefined);
    });
  });
}
