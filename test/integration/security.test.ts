import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { credentials, Metadata, status, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { createLogger } from '../../lib/logger.js';
import { parseConfig } from '../../lib/config/load-config.js';
import { loadServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import { EmbeddedHistoryStore } from '../../lib/stores/features/embedded-history-store.js';
import type { RecommendResponse__Output } from '../../lib/generated/recsys/v1/RecommendResponse.js';
import { startServer, type RunningServer } from '../../services/server/grpc-server.js';
import { RecommendClient } from '../../services/server/recommend-client.js';
import { makeTinyBundle, type TinyBundle } from '../support/tiny-bundle.js';
import { healthStatus } from '../support/grpc-probes.js';

const KEY = 'test-key-0123456789abcdef';

function codeOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? (error as ServiceError).code : undefined;
}

void describe('API keys and request ids', () => {
  let tiny: TinyBundle;
  let server: RunningServer;
  const lines: Record<string, unknown>[] = [];

  before(async () => {
    tiny = await makeTinyBundle();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const config = parseConfig({ ...tiny.config, serving: { ...tiny.config.serving, apiKeys: [KEY] } });
    server = await startServer({ config, bundle: await loadServingBundle(tiny.store, tiny.version), history: new EmbeddedHistoryStore(), host: '127.0.0.1', port: 0, log: createLogger('security-test', 'debug', sink) });
  });

  after(async () => {
    await server.stop(1);
    await tiny.cleanup();
  });

  void it('answers UNAUTHENTICATED without a key or with a wrong one, and serves with x-api-key or a Bearer token', async () => {
    const address = `127.0.0.1:${server.port}`;
    for (const apiKey of [undefined, 'wrong-key-0123456789abcdef']) {
      const client = new RecommendClient(address, 5000, apiKey === undefined ? {} : { apiKey });
      try {
        await assert.rejects(client.recommend({ user_id: 'u', count: 3 }), (error: unknown) => codeOf(error) === status.UNAUTHENTICATED);
        await assert.rejects(client.feedback({ user_id: 'u', item_id: 'i' }), (error: unknown) => codeOf(error) === status.UNAUTHENTICATED);
      } finally {
        client.close();
      }
    }
    const keyed = new RecommendClient(address, 5000, { apiKey: KEY });
    try {
      assert.equal((await keyed.recommend({ user_id: 'u', count: 3 })).items.length, 3);
    } finally {
      keyed.close();
    }
    const bearer = new RecommendClient(address);
    try {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${KEY}`);
      const response = await new Promise<RecommendResponse__Output>((resolve, reject) => {
        bearer.raw.Recommend({ user_id: 'u', count: 2 }, metadata, (error: ServiceError | null, value?: RecommendResponse__Output) => {
          if (error || !value) reject(error ?? new Error('empty'));
          else resolve(value);
        });
      });
      assert.equal(response.items.length, 2);
    } finally {
      bearer.close();
    }
    assert.equal(await healthStatus(address), 'SERVING', 'health needs no key (load balancers probe it)');
  });

  void it('echoes x-request-id, logs it on the call\'s line, and never logs keys or request bodies', async () => {
    const client = new RecommendClient(`127.0.0.1:${server.port}`);
    try {
      const metadata = new Metadata();
      metadata.set('x-api-key', KEY);
      metadata.set('x-request-id', 'req-42.a');
      const trailer = await new Promise<Metadata>((resolve, reject) => {
        const call = client.raw.Recommend({ user_id: 'secret-user-id', count: 2 }, metadata, (error: ServiceError | null) => {
          if (error) reject(error);
        });
        call.on('status', (value: StatusObject) => { resolve(value.metadata); });
      });
      assert.deepEqual(trailer.get('x-request-id'), ['req-42.a']);
      const generated = await new Promise<Metadata>((resolve) => {
        const call = client.raw.Recommend({ user_id: 'u', count: 2 }, new Metadata(), () => undefined);
        call.on('status', (value: StatusObject) => { resolve(value.metadata); });
      });
      assert.match(String(generated.get('x-request-id')[0]), /^[0-9a-f-]{36}$/, 'a generated id, even for a rejected call');
    } finally {
      client.close();
    }
    const line = lines.find((entry) => entry.requestId === 'req-42.a');
    assert.ok(line, 'the call has a log line with its request id');
    assert.equal(line.method, 'Recommend');
    assert.equal(line.code, 'OK');
    const text = JSON.stringify(lines);
    assert.ok(!text.includes(KEY), 'no API key in logs');
    assert.ok(!text.includes('secret-user-id'), 'no request body in logs');
  });
});

void describe('request ids across roles', () => {
  let tiny: TinyBundle;
  let recall: RunningServer;
  let recommend: RunningServer;
  const recallLines: Record<string, unknown>[] = [];

  before(async () => {
    tiny = await makeTinyBundle();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim() !== '') recallLines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const sources = Object.fromEntries(Object.keys(tiny.config.serving.sources).map((id) => [id, { timeoutMs: 5000 }]));
    const base = { ...tiny.config, serving: { ...tiny.config.serving, sources, apiKeys: [KEY] } };
    recall = await startServer({ config: parseConfig({ ...base, serving: { ...base.serving, role: 'recall' } }), bundle: await loadServingBundle(tiny.store, tiny.version), history: new EmbeddedHistoryStore(), host: '127.0.0.1', port: 0, log: createLogger('recall', 'debug', sink) });
    const config = parseConfig({ ...base, serving: { ...base.serving, role: 'recommend', backends: { recall: [`127.0.0.1:${recall.port}`] } } });
    recommend = await startServer({ config, bundle: await loadServingBundle(tiny.store, tiny.version), history: new EmbeddedHistoryStore(), host: '127.0.0.1', port: 0 });
  });

  after(async () => {
    await recommend.stop(1);
    await recall.stop(1);
    await tiny.cleanup();
  });

  void it('the recommend role forwards the caller\'s x-request-id (and its API key) to the recall role', async () => {
    const client = new RecommendClient(`127.0.0.1:${recommend.port}`);
    try {
      const metadata = new Metadata();
      metadata.set('x-api-key', KEY);
      metadata.set('x-request-id', 'trace-7');
      const response = await new Promise<RecommendResponse__Output>((resolve, reject) => {
        client.raw.Recommend({ user_id: 'u', count: 3 }, metadata, (error: ServiceError | null, value?: RecommendResponse__Output) => {
          if (error || !value) reject(error ?? new Error('empty'));
          else resolve(value);
        });
      });
      assert.deepEqual(response.serving?.degraded_sources, [], 'the recall role accepted the forwarded key');
    } finally {
      client.close();
    }
    const line = recallLines.find((entry) => entry.requestId === 'trace-7');
    assert.ok(line, `the recall role logged the call under the caller's request id: ${JSON.stringify(recallLines.slice(-3))}`);
    assert.equal(line.method, 'Recall');
    assert.equal(line.code, 'OK');
  });
});

function haveOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A throwaway CA, a server certificate for localhost/127.0.0.1 and a client certificate, all signed by the CA. */
function makeCertificates(dir: string): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey' | 'otherCa', string> {
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'ignore' });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '1', '-subj', '/CN=recsys-test-ca');
  openssl('req', '-x509', ...ec, '-keyout', file('other-ca.key'), '-out', file('other-ca.pem'), '-days', '1', '-subj', '/CN=someone-else');
  for (const [name, ext] of [['server', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'], ['client', 'extendedKeyUsage=clientAuth\n']] as const) {
    writeFileSync(file(`${name}.ext`), ext);
    openssl('req', ...ec, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=recsys-${name}`);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file(`${name}.pem`), '-days', '1', '-extfile', file(`${name}.ext`));
  }
  return { ca: file('ca.pem'), serverCert: file('server.pem'), serverKey: file('server.key'), clientCert: file('client.pem'), clientKey: file('client.key'), otherCa: file('other-ca.pem') };
}

void describe('TLS and mTLS', { skip: haveOpenssl() ? false : 'openssl is not on PATH: cannot make throwaway certificates' }, () => {
  let tiny: TinyBundle;
  let recall: RunningServer;
  let recommend: RunningServer;
  let certs: ReturnType<typeof makeCertificates>;

  before(async () => {
    tiny = await makeTinyBundle();
    certs = makeCertificates(tiny.dir);
    const tls = { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, clientCert: certs.clientCert, clientKey: certs.clientKey };
    // Generous source deadlines: this test is about the transport; on a loaded machine a first call can exceed 30 ms.
    const sources = Object.fromEntries(Object.keys(tiny.config.serving.sources).map((id) => [id, { timeoutMs: 5000 }]));
    const base = { ...tiny.config, serving: { ...tiny.config.serving, tls, sources } };
    recall = await startServer({ config: parseConfig({ ...base, serving: { ...base.serving, role: 'recall' } }), bundle: await loadServingBundle(tiny.store, tiny.version), history: new EmbeddedHistoryStore(), host: '127.0.0.1', port: 0 });
    // The recommend role reaches its recall backend over mTLS with the client certificate.
    const recommendConfig = parseConfig({ ...base, serving: { ...base.serving, role: 'recommend', backends: { recall: [`127.0.0.1:${recall.port}`] } } });
    recommend = await startServer({ config: recommendConfig, bundle: await loadServingBundle(tiny.store, tiny.version), history: new EmbeddedHistoryStore(), host: '127.0.0.1', port: 0 });
  });

  after(async () => {
    await recommend.stop(1);
    await recall.stop(1);
    await tiny.cleanup();
  });

  void it('serves a client with a certificate signed by the CA, over TLS end to end (recommend → recall)', async () => {
    const creds = credentials.createSsl(readFileSync(certs.ca), readFileSync(certs.clientKey), readFileSync(certs.clientCert));
    const client = new RecommendClient(`127.0.0.1:${recommend.port}`, 5000, { channelCredentials: creds });
    try {
      const response = await client.recommend({ user_id: [...recommend.state().bundle.userIndex.keys()][0]!, count: 5 });
      assert.equal(response.items.length, 5);
      assert.deepEqual(response.serving?.degraded_sources, [], 'the recall backend answered over mTLS');
    } finally {
      client.close();
    }
  });

  void it('refuses a client without a certificate, a plaintext client, and a server it cannot verify', async () => {
    const address = `127.0.0.1:${recommend.port}`;
    const attempts = [
      credentials.createSsl(readFileSync(certs.ca)), // TLS, no client certificate
      credentials.createInsecure(), // plaintext
      credentials.createSsl(readFileSync(certs.otherCa), readFileSync(certs.clientKey), readFileSync(certs.clientCert)), // wrong CA for the server
    ];
    for (const [k, channelCredentials] of attempts.entries()) {
      const client = new RecommendClient(address, 2000, { channelCredentials });
      try {
        await assert.rejects(client.recommend({ user_id: 'u', count: 3 }), (error: unknown) => codeOf(error) === status.UNAVAILABLE, `attempt ${k}`);
      } finally {
        client.close();
      }
    }
  });

  void it('names the bad key when a certificate file cannot be read', async () => {
    const config = parseConfig({ ...tiny.config, serving: { ...tiny.config.serving, tls: { cert: join(tiny.dir, 'missing.pem'), key: certs.serverKey } } });
    await assert.rejects(startServer({ config, bundle: await loadServingBundle(tiny.store, tiny.version), history: new EmbeddedHistoryStore(), host: '127.0.0.1', port: 0 }), /serving\.tls\.cert/);
  });
});
