import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServingMetrics } from './metrics.js';

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

function reply(response: ServerResponse, code: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  response.end(body);
}

async function handle(metrics: ServingMetrics, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?', 1)[0];
  if (path !== '/metrics' && path !== '/healthz') {
    reply(response, 404, 'not found\n');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    reply(response, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
    return;
  }
  if (path === '/healthz') {
    reply(response, 200, 'ok\n');
    return;
  }
  const { contentType, body } = await metrics.render();
  reply(response, 200, body, { 'content-type': contentType });
}

/** Serves GET /metrics (Prometheus text format) and GET /healthz on a side port (0 = ephemeral). */
export async function startMetricsServer(metrics: ServingMetrics, host: string, port: number): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    handle(metrics, request, response).catch(() => {
      if (!response.headersSent) reply(response, 500, 'metrics collection failed\n');
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
        server.closeAllConnections();
      }),
  };
}
