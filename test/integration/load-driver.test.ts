import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { credentials, loadPackageDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import { EmbeddedHistoryStore } from '../../lib/stores/features/embedded-history-store.js';
import type { ProtoGrpcType as DiagnosticsProto } from '../../lib/generated/diagnostics.js';
import type { ProtoGrpcType as RecommendProto } from '../../lib/generated/recommend.js';
import type { EchoResponse__Output } from '../../lib/generated/recsys/v1/EchoResponse.js';
import { startServer, type RunningServer } from '../../services/server/grpc-server.js';
import { loadRecsysPackageDefinition } from '../../services/server/load-proto.js';
import { driveLoad } from '../../bench/serve/load-driver.js';
import { makeTinyBundle, type TinyBundle } from '../support/tiny-bundle.js';

void describe('Echo RPC and the built-in load driver against a real server', () => {
  let tiny: TinyBundle;
  let server: RunningServer;
  const proto = loadPackageDefinition(loadRecsysPackageDefinition()) as unknown as RecommendProto & DiagnosticsProto;

  before(async () => {
    tiny = await makeTinyBundle();
    const bundle = await loadServingBundle(tiny.store, tiny.version);
    server = await startServer({ config: tiny.config, bundle, history: new EmbeddedHistoryStore(), host: '127.0.0.1', port: 0 });
  });

  after(async () => {
    await server.stop(2);
    await tiny.cleanup();
  });

  void it('Echo returns the payload unchanged and is counted in the RPC metrics', async () => {
    const client = new proto.recsys.v1.DiagnosticsService(`127.0.0.1:${server.port}`, credentials.createInsecure());
    try {
      const response = await new Promise<EchoResponse__Output>((resolve, reject) => {
        client.Echo({ payload: Buffer.from('ping') }, (error: ServiceError | null, value?: EchoResponse__Output) => {
          if (error || !value) reject(error ?? new Error('no response'));
          else resolve(value);
        });
      });
      assert.equal(response.payload.toString(), 'ping');
    } finally {
      client.close();
    }
    assert.match(await server.metrics.registry.metrics(), /recsys_rpc_requests_total\{method="Echo",code="OK"\} 1/);
  });

  void it('drives Echo and Recommend from two threads, closed loop and constant rate, and reports errors by code', async () => {
    const common = { target: `127.0.0.1:${server.port}`, concurrency: 4, workers: 2, channels: 1, warmupSeconds: 0.1, durationSeconds: 0.5, deadlineMs: 2000 };
    const echoMethod = proto.recsys.v1.DiagnosticsService.service.Echo;
    const echo = await driveLoad({ ...common, name: 'echo', rate: 0, path: echoMethod.path, requests: [echoMethod.requestSerialize({ payload: Buffer.alloc(0) })] });
    assert.ok(echo.ok > 10, `echo ${echo.ok}`);
    assert.deepEqual(echo.errors, {});
    assert.ok(echo.p50Ms > 0 && echo.p50Ms <= echo.p99Ms);

    const recommendMethod = proto.recsys.v1.RecommendService.service.Recommend;
    const users = [...server.state().bundle.userIndex.keys()];
    const requests = [...users.slice(0, 3).map((userId) => recommendMethod.requestSerialize({ user_id: userId, count: 5 })), recommendMethod.requestSerialize({ user_id: '', count: 5 })];
    const paced = await driveLoad({ ...common, name: 'recommend', rate: 100, path: recommendMethod.path, requests });
    // At most rate × window (+ slack); a closed loop would make hundreds. The lower bound is loose: CI machines are shared.
    assert.ok(paced.count >= 10 && paced.count <= 60, `constant rate 100/s for 0.5 s made ${paced.count} calls`);
    assert.ok((paced.errors.INVALID_ARGUMENT ?? 0) > 0, 'the empty user id is counted as INVALID_ARGUMENT');
    assert.equal(paced.ok + (paced.errors.INVALID_ARGUMENT ?? 0), paced.count);
  });
});
