import { status } from '@grpc/grpc-js';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { toServiceError } from '../recommend/grpc-status.js';

/** Anything with a length (typed arrays, arrays). */
interface Sized {
  readonly length: number;
}

/**
 * The part of a pipeline result the metrics read. Declared structurally so this module does
 * not depend on the pipeline's types; `PipelineResult` satisfies it as is.
 */
export interface PipelineObservation {
  readonly outcomes: readonly {
    readonly source: string;
    readonly status: string;
    readonly millis: number;
    readonly candidates?: { readonly items: Sized };
  }[];
  readonly merged: { readonly items: Sized };
  readonly items: Sized;
  readonly degradedSources: readonly string[];
  readonly timings?: readonly { readonly stage: string; readonly millis: number }[];
  /** The ranker that ordered the items (null: none, or it failed). */
  readonly ranker?: { readonly provider: string } | null;
}

export const NO_PROVIDER = 'none';

/** Latency buckets in seconds: 0.25 ms … 1 s, dense over 0.5–100 ms. */
const LATENCY_BUCKETS = [0.00025, 0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 1];
const CANDIDATE_BUCKETS = [0, 1, 10, 25, 50, 100, 200, 300, 500, 1000, 2000, 5000];
const OUTCOMES = new Set(['ok', 'timeout', 'error']);

/** The gRPC status name of a call's outcome: OK without an error, else the status it maps to. */
export function grpcCodeName(error?: unknown): string {
  if (error === undefined) return 'OK';
  const code = toServiceError(error).code ?? status.UNKNOWN;
  return status[code];
}

/** Serving metrics on their own registry (default process metrics included). */
export class ServingMetrics {
  readonly registry = new Registry();
  private readonly rpcRequests: Counter<'method' | 'code'>;
  private readonly rpcDuration: Histogram<'method'>;
  private readonly recallDuration: Histogram<'source'>;
  private readonly recallOutcomes: Counter<'source' | 'outcome'>;
  private readonly stageDuration: Histogram<'stage'>;
  private readonly candidates: Histogram<'stage'>;
  private readonly degradedCalls: Counter;
  private readonly bundleInfo: Gauge<'version'>;
  private readonly providerInfo: Gauge<'provider'>;
  private bundleVersion: string | null = null;
  private provider: string | null = null;

  constructor(options: { readonly defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.rpcRequests = new Counter({ name: 'recsys_rpc_requests_total', help: 'Finished RPCs by method and gRPC status code.', labelNames: ['method', 'code'], registers });
    this.rpcDuration = new Histogram({ name: 'recsys_rpc_duration_seconds', help: 'RPC handler latency by method.', labelNames: ['method'], buckets: LATENCY_BUCKETS, registers });
    this.recallDuration = new Histogram({ name: 'recsys_recall_duration_seconds', help: 'Recall latency by source (until result, timeout or error).', labelNames: ['source'], buckets: LATENCY_BUCKETS, registers });
    this.recallOutcomes = new Counter({ name: 'recsys_recall_outcomes_total', help: 'Recall calls by source and outcome (ok, timeout, error).', labelNames: ['source', 'outcome'], registers });
    this.stageDuration = new Histogram({ name: 'recsys_pipeline_stage_duration_seconds', help: 'Recommend pipeline stage latency.', labelNames: ['stage'], buckets: LATENCY_BUCKETS, registers });
    this.candidates = new Histogram({
      name: 'recsys_candidates',
      help: 'Candidates per stage and call: recall/<source>, merged (after filters), final.',
      labelNames: ['stage'],
      buckets: CANDIDATE_BUCKETS,
      registers,
    });
    this.degradedCalls = new Counter({ name: 'recsys_degraded_calls_total', help: 'Recommend calls answered with at least one recall source missing.', registers });
    this.bundleInfo = new Gauge({ name: 'recsys_bundle_info', help: 'Serving bundle version (value 1 on the active version).', labelNames: ['version'], registers });
    this.providerInfo = new Gauge({ name: 'recsys_rank_provider_info', help: 'Active ONNX Runtime execution provider of the ranker (none without a ranker).', labelNames: ['provider'], registers });
    this.setProvider(NO_PROVIDER);
  }

  /** One finished RPC; `code` is a gRPC status name (see grpcCodeName) or number. */
  observeCall(method: string, millis: number, code: string | number = 'OK'): void {
    const name = typeof code === 'number' ? (status[code]) ?? String(code) : code;
    this.rpcRequests.inc({ method, code: name });
    this.rpcDuration.observe({ method }, millis / 1000);
  }

  /** One finished Recommend pipeline run. */
  observePipeline(result: PipelineObservation): void {
    this.observeRecall(result.outcomes);
    this.candidates.observe({ stage: 'merged' }, result.merged.items.length);
    this.candidates.observe({ stage: 'final' }, result.items.length);
    for (const timing of result.timings ?? []) this.stageDuration.observe({ stage: timing.stage }, timing.millis / 1000);
    if (result.degradedSources.length > 0) this.degradedCalls.inc();
    if (result.ranker) this.setProvider(result.ranker.provider);
  }

  /** Per-source latency, outcome and candidate count of one recall fan-out (a pipeline's, or a RecallService call's). */
  observeRecall(outcomes: PipelineObservation['outcomes']): void {
    for (const outcome of outcomes) {
      const source = outcome.source;
      this.recallDuration.observe({ source }, outcome.millis / 1000);
      this.recallOutcomes.inc({ source, outcome: OUTCOMES.has(outcome.status) ? outcome.status : 'error' });
      this.candidates.observe({ stage: `recall/${source}` }, outcome.status === 'ok' ? (outcome.candidates?.items.length ?? 0) : 0);
    }
  }

  setBundleVersion(version: string): void {
    if (version === this.bundleVersion) return;
    if (this.bundleVersion !== null) this.bundleInfo.remove({ version: this.bundleVersion });
    this.bundleVersion = version;
    this.bundleInfo.set({ version }, 1);
  }

  setProvider(provider: string): void {
    if (provider === this.provider) return;
    if (this.provider !== null) this.providerInfo.remove({ provider: this.provider });
    this.provider = provider;
    this.providerInfo.set({ provider }, 1);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
