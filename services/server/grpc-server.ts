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
import { ServingHolder } from './serving-holder.js';
import { loadRecsysPackageDefinition, loadRecsysProto } from './load-proto.js';
import { grpcCodeName, ServingMetrics } from './metrics.js';

export const RECOMMEND_SERVICE_NAME = 'recsys.v1.RecommendService';

export interface RunningServer {
  readonly port: number;
  readonly state: () => ServingState;
  /** The server's metrics (the one passed in options, or its own). */
  readonly metrics: ServingMetrics;
  /**
   * Loads `bundle` beside the current one, warms it, and swaps atomically: calls in flight
   * finish on the old bundle, calls after the swap see the new one; the old bundle's stores
   * are closed when its last call returns.
   */
  swapBundle(bundle: ServingBundle): Promise<void>;
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
  /** Where calls and pipeline runs are recorded; the server makes its own when absent. */
  readonly metrics?: ServingMetrics;
}

/** Runs the pipeline for a cold-start user and a known one, so the first real call is not the slow one. */
async function warm(state: ServingState, log?: Logger): Promise<void> {
  const rankError = await state.pipeline.ready();
  if (rankError !== null) log?.warn({ bundle: state.bundle.version, err: rankError }, 'ranker could not load; serving recall order');
  const known = state.bundle.userIndex.keys().next();
  await state.pipeline.recommend({ userId: '__warmup__', count: 10, excludeItemIds: [] });
  if (known.done !== true) await state.pipeline.recommend({ userId: known.value, count: 10, excludeItemIds: [] });
}

/** The all-in-one server: RecommendService, grpc.health.v1 and server reflection. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config, bundle, history, log } = options;
  const definition = loadRecsysPackageDefinition();
  const proto = loadRecsysProto(definition);
  const health = new HealthImplementation({ '': 'NOT_SERVING', [RECOMMEND_SERVICE_NAME]: 'NOT_SERVING' });
  const server = new Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024, 'grpc.enable_channelz': 0 });

  const metrics = options.metrics ?? new ServingMetrics({ defaultMetrics: false });
  metrics.setBundleVersion(bundle.version);
  const initial: ServingState = { bundle, pipeline: createInProcessPipeline(bundle, config, history) };
  const holder = new ServingHolder(initial, (retired) => {
    retired.bundle.similarity.close().catch((error: unknown) => log?.warn({ err: errorMessage(error) }, 'closing a retired bundle failed'));
    retired.pipeline.close().catch((error: unknown) => log?.warn({ err: errorMessage(error) }, 'closing a retired ranker failed'));
  });
  server.addService(
    proto.recsys.v1.RecommendService.service,
    recommendServiceHandlers({
      acquire: () => holder.acquire(),
      history,
      scenes: config.serving.scenes,
      maxCount: config.serving.maxCount,
      onCall: (method, millis, error) => {
        metrics.observeCall(method, millis, grpcCodeName(error));
        if (error !== undefined) log?.debug({ method, millis, err: errorMessage(error) }, 'call failed');
      },
      onPipeline: (result) => {
        metrics.observePipeline(result);
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
  await warm(initial, log);
  health.setStatus('', 'SERVING');
  health.setStatus(RECOMMEND_SERVICE_NAME, 'SERVING');
  log?.info({ port, bundle: bundle.version }, 'serving');

  return {
    port,
    state: () => holder.state,
    metrics,
    swapBundle: async (next) => {
      const state: ServingState = { bundle: next, pipeline: createInProcessPipeline(next, config, history) };
      await warm(state, log);
      holder.swap(state);
      metrics.setBundleVersion(next.version);
    },
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
        await holder.state.bundle.similarity.close();
        await holder.state.pipeline.close();
      }),
  };
}
