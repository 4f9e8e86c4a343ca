import { Server, ServerCredentials } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { ReflectionService } from '@grpc/reflection';
import type { Logger } from 'pino';
import type { RecsysConfig } from '../../lib/config/schema.js';
import { errorMessage } from '../../lib/domain/errors.js';
import type { ServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import type { HistoryStore } from '../../lib/stores/features/history-store.js';
import { recommendServiceHandlers, type ServingState } from '../recommend/recommend-service.js';
import { createInProcessPipeline } from './in-process-pipeline.js';
import { loadRecsysPackageDefinition, loadRecsysProto } from './load-proto.js';

export const RECOMMEND_SERVICE_NAME = 'recsys.v1.RecommendService';

export interface RunningServer {
  readonly port: number;
  readonly state: () => ServingState;
  /** Stops accepting calls, lets in-flight ones finish within `graceSeconds`, then closes. */
  stop(graceSeconds: number): Promise<void>;
}

export interface StartServerOptions {
  readonly config: Readonly<RecsysConfig>;
  readonly bundle: ServingBundle;
  readonly history: HistoryStore;
  readonly host: string;
  readonly port: number;
  readonly log?: Logger;
}

/** The all-in-one server: RecommendService, grpc.health.v1 and server reflection. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config, bundle, history, log } = options;
  const definition = loadRecsysPackageDefinition();
  const proto = loadRecsysProto(definition);
  const health = new HealthImplementation({ '': 'NOT_SERVING', [RECOMMEND_SERVICE_NAME]: 'NOT_SERVING' });
  const server = new Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024, 'grpc.enable_channelz': 0 });

  const state: ServingState = { bundle, pipeline: createInProcessPipeline(bundle, config, history) };
  server.addService(
    proto.recsys.v1.RecommendService.service,
    recommendServiceHandlers({
      state: () => state,
      history,
      scenes: config.serving.scenes,
      maxCount: config.serving.maxCount,
      onCall: (method, millis, error) => {
        if (error !== undefined) log?.debug({ method, millis, err: errorMessage(error) }, 'call failed');
      },
    }),
  );
  health.addToServer(server);
  new ReflectionService(definition).addToServer(server);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, ServerCredentials.createInsecure(), (error, bound) => {
      if (error) reject(error);
      else resolve(bound);
    });
  });
  // Warm the pipeline once before reporting SERVING.
  await state.pipeline.recommend({ userId: bundle.catalogue.itemIds.length > 0 ? '__warmup__' : '', count: 10, excludeItemIds: [] });
  health.setStatus('', 'SERVING');
  health.setStatus(RECOMMEND_SERVICE_NAME, 'SERVING');
  log?.info({ port, bundle: bundle.version }, 'serving');

  return {
    port,
    state: () => state,
    stop: (graceSeconds) =>
      new Promise<void>((resolve) => {
        health.setStatus('', 'NOT_SERVING');
        health.setStatus(RECOMMEND_SERVICE_NAME, 'NOT_SERVING');
        const force = setTimeout(() => {
          log?.warn({ graceSeconds }, 'drain timed out; closing remaining calls');
          server.forceShutdown();
          resolve();
        }, graceSeconds * 1000);
        force.unref();
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }).then(async () => {
        await history.close();
        await bundle.similarity.close();
      }),
  };
}
