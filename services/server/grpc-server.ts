import { Server, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { ReflectionService } from '@grpc/reflection';
import type { Logger } from 'pino';
import type { RecsysConfig } from '../../lib/config/schema.js';
import { errorMessage } from '../../lib/domain/errors.js';
import type { ServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import type { HistoryStore } from '../../lib/stores/features/history-store.js';
import type { RecallEngine } from '../recall/recall-engine.js';
import type { ConfiguredSource } from '../recall/sources/registry.js';
import type { RankPort } from '../recommend/rank-port.js';
import { recommendServiceHandlers, type ServingState } from '../recommend/recommend-service.js';
import { guardService } from './call-guard.js';
import { GrpcRankBackend } from './grpc-rank-port.js';
import { GrpcRecallBackend } from './grpc-recall-port.js';
import { createInProcessPipeline, createRecallEngine } from './in-process-pipeline.js';
import { createInProcessRanker, type RankerFactory } from './in-process-ranker.js';
import { loadRecsysPackageDefinition, loadRecsysProto } from './load-proto.js';
import { grpcCodeName, ServingMetrics } from './metrics.js';
import { rankServiceHandlers } from './rank-grpc-service.js';
import { recallServiceHandlers } from './recall-grpc-service.js';
import { ServingHolder } from './serving-holder.js';
import { serverCredentials } from './transport.js';
import { sceneCatalogueOf } from './scenes.js';
import { addDiagnosticsService } from './diagnostics-service.js';

export const RECOMMEND_SERVICE_NAME = 'recsys.v1.RecommendService';
export const RECALL_SERVICE_NAME = 'recsys.v1.RecallService';
export const RANK_SERVICE_NAME = 'recsys.v1.RankService';

/** How long the recommend role waits for its backends at start before serving (degraded) anyway. */
const BACKEND_CONNECT_MS = 5000;

export type ServingRole = RecsysConfig['serving']['role'];

/** Everything one bundle serves with, whatever the role: swapped as a whole on hot reload. */
export interface ServerState extends ServingState {
  /** The in-process recall engine over this bundle (what the recall role serves). */
  readonly engine: RecallEngine;
  /** The ranking stage: in process, over gRPC (role recommend with rank backends), or null (no ranker). */
  readonly rank: RankPort | null;
}

export interface RunningServer {
  readonly port: number;
  readonly role: ServingRole;
  readonly state: () => ServerState;
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
  /** Adjusts the recall sources built from the config for each bundle (extensions; tests add a hanging source). */
  readonly adjustSources?: (sources: ConfiguredSource[]) => ConfiguredSource[];
  /** Builds each bundle's in-process ranker (roles all and rank); default createInProcessRanker. */
  readonly ranker?: RankerFactory;
  /**
   * Runs after the built-in warm-up of the first bundle and before health reports SERVING, with
   * the bound port (extra warm-up work; tests use it to watch health flip).
   */
  readonly afterWarmUp?: (port: number) => Promise<void>;
}

/** The gRPC service names each role serves (health reports each of them, and ''). */
export function servicesOfRole(role: ServingRole): string[] {
  if (role === 'recall') return [RECALL_SERVICE_NAME];
  if (role === 'rank') return [RANK_SERVICE_NAME];
  return [RECOMMEND_SERVICE_NAME];
}

/** Runs what the role serves once, so the first real call is not the slow one. */
async function warm(state: ServerState, role: ServingRole, log?: Logger): Promise<void> {
  const rankError = await state.pipeline.ready();
  if (rankError !== null) log?.warn({ bundle: state.bundle.version, err: rankError }, 'ranker could not load; serving recall order');
  const known = state.bundle.userIndex.keys().next();
  const userIds = known.done === true ? ['__warmup__'] : ['__warmup__', known.value];
  for (const userId of userIds) {
    if (role === 'recall') {
      await state.engine.recall({ query: { userId, known: false, recent: new Int32Array(0), recentRatings: new Float32Array(0), blocked: () => false }, timeoutMs: Number.POSITIVE_INFINITY });
    } else if (role === 'rank') {
      const { items, scores } = state.bundle.popular.overall;
      const n = Math.min(10, items.length);
      await state.rank?.rank({ userId, known: false, recent: new Int32Array(0), recentRatings: new Float32Array(0), candidates: { items: items.subarray(0, n), scores: scores.subarray(0, n), sourceScores: new Map() }, model: '' }, 1000);
    } else {
      await state.pipeline.recommend({ userId, count: 10, excludeItemIds: [] });
    }
  }
}

/**
 * One server process of any role: RecommendService (all, recommend), RecallService (recall) or
 * RankService (rank), plus grpc.health.v1 and reflection. Health says NOT_SERVING until the
 * first bundle is loaded and warmed.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config, bundle, history, log } = options;
  const { role } = config.serving;
  const definition = loadRecsysPackageDefinition();
  const proto = loadRecsysProto(definition);
  const serviceNames = servicesOfRole(role);
  const health = new HealthImplementation(Object.fromEntries(['', ...serviceNames].map((name) => [name, 'NOT_SERVING'])));
  const server = new Server({
    'grpc.max_receive_message_length': config.serving.maxMessageBytes,
    'grpc.max_send_message_length': config.serving.maxMessageBytes,
    'grpc.enable_channelz': 0,
  });

  const scenes = role === 'all' || role === 'recommend' ? sceneCatalogueOf(config) : null;
  const remoteRecall = role === 'recommend' && config.serving.backends.recall.length > 0 ? new GrpcRecallBackend(config.serving) : null;
  const remoteRank = role === 'recommend' && config.serving.backends.rank.length > 0 ? new GrpcRankBackend(config.serving) : null;
  const buildState = (next: ServingBundle): ServerState => {
    const engine = createRecallEngine(next, config, { adjustSources: options.adjustSources });
    const recall = remoteRecall ? remoteRecall.portFor(next, engine.sourceIds) : engine;
    // The recall role never ranks: it does not load the bundle's rankers.
    const rank = role === 'recall' ? null : remoteRank ? remoteRank.portFor(next) : (options.ranker ?? createInProcessRanker)(next, config);
    return { bundle: next, engine, pipeline: createInProcessPipeline(next, config, history, { recall, engine, rankPort: rank }), rank };
  };

  const metrics = options.metrics ?? new ServingMetrics({ defaultMetrics: false });
  metrics.setBundleVersion(bundle.version);
  const initial = buildState(bundle);
  const holder = new ServingHolder<ServerState>(initial, (retired) => {
    Promise.all([retired.bundle.similarity.close(), retired.bundle.vectors?.close() ?? Promise.resolve(), retired.pipeline.close()]).catch((error: unknown) => log?.warn({ err: errorMessage(error) }, 'closing a retired bundle failed'));
  });
  const onCall = (method: string, millis: number, error?: unknown): void => {
    metrics.observeCall(method, millis, grpcCodeName(error));
  };
  const add = (service: ServiceDefinition, handlers: UntypedServiceImplementation): void => {
    const guarded = guardService(service, handlers, {
      apiKeys: config.serving.apiKeys,
      log,
      onRejected: (method, code) => {
        metrics.observeCall(method, 0, code);
      },
    });
    server.addService(guarded.definition, guarded.handlers);
  };
  const v1 = proto.recsys.v1;
  if (role === 'recall') {
    add(v1.RecallService.service, recallServiceHandlers({
        acquire: () => holder.acquire(),
        onCall,
        marginMs: config.serving.backends.marginMs,
        onOutcomes: (outcomes) => {
          metrics.observeRecall(outcomes);
        },
      }));
  } else if (role === 'rank') {
    add(v1.RankService.service, rankServiceHandlers({ acquire: () => holder.acquire(), onCall }));
  } else if (scenes) {
    add(
      v1.RecommendService.service,
      recommendServiceHandlers({
        acquire: () => holder.acquire(),
        history,
        scenes,
        maxCount: config.serving.maxCount,
        onCall,
        onPipeline: (result) => {
          metrics.observePipeline(result);
        },
      }),
    );
  }
  addDiagnosticsService(add, definition, (method, millis) => { metrics.observeCall(method, millis, 'OK'); });
  health.addToServer(server);
  new ReflectionService(definition).addToServer(server);

  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`${options.host}:${options.port}`, serverCredentials(config.serving.tls), (error, bound) => {
        if (error) reject(error);
        else resolve(bound);
      });
    });
    const connected = await Promise.all([remoteRecall?.connect(BACKEND_CONNECT_MS), remoteRank?.connect(BACKEND_CONNECT_MS)]);
    if (connected.includes(false)) log?.warn({ recall: config.serving.backends.recall, rank: config.serving.backends.rank, connected }, 'backends not ready; their stages fail open until they are');
    await warm(initial, role, log);
    await options.afterWarmUp?.(port);
  } catch (error) {
    // A server that cannot start releases what it built (ranker worker threads, clients, stores).
    server.forceShutdown();
    remoteRecall?.close();
    remoteRank?.close();
    await Promise.allSettled([initial.pipeline.close(), initial.bundle.vectors?.close()]);
    throw error;
  }
  const setHealth = (value: 'SERVING' | 'NOT_SERVING'): void => {
    for (const name of ['', ...serviceNames]) health.setStatus(name, value);
  };
  setHealth('SERVING');
  log?.info({ port, role, bundle: bundle.version, tls: config.serving.tls.cert !== '', apiKeys: config.serving.apiKeys.length }, 'serving');

  return {
    port,
    role,
    state: () => holder.state,
    metrics,
    swapBundle: async (next) => {
      const state = buildState(next);
      await warm(state, role, log);
      holder.swap(state);
      metrics.setBundleVersion(next.version);
    },
    stop: (graceSeconds) =>
      new Promise<void>((resolve) => {
        setHealth('NOT_SERVING');
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
        remoteRecall?.close();
        remoteRank?.close();
        await history.close();
        await holder.state.bundle.similarity.close();
        await holder.state.bundle.vectors?.close();
        await holder.state.pipeline.close();
      }),
  };
}
