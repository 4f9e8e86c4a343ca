/**
 * The in-process RankPort: the bundle's ONNX rankers scored on one tensor per feature field.
 * Item tensors are built once at load, in SharedArrayBuffers with the feature tables, so
 * every worker reads the same copy; one session per model lives in worker_threads
 * (OrtWorkerPool), created and warmed in the background at load; a call waits for them.
 * The features are assembled in the model's worker too (ranker-feed-builder.ts): a call
 * sends the user context and the candidates, not the assembled batch. Returns exactly one
 * score per candidate, in order; any other count is RECSYS_ERR_SCORER_SHAPE.
 */
import type { RecsysConfig } from '../../lib/config/schema.js';
import { RecsysError } from '../../lib/domain/errors.js';
import { decodeFeatureSpec, type FeatureSpec } from '../../lib/features/feature-spec.js';
import { decodeFeatureTables, type FeatureTables } from '../../lib/features/feature-tables.js';
import { buildItemTensors, type ItemTensors } from '../../lib/features/item-tensors.js';
import { ortWorkerPoolOptionsFromConfig } from '../../lib/onnx/ort-worker-pool.js';
import { shareAll } from '../../lib/shared-arrays.js';
import { ARTIFACT, RANK_MODEL_NAMES } from '../../lib/stores/bundle/artifacts.js';
import type { ServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import type { RankInput, RankOutput, RankPort } from '../recommend/rank-port.js';
import { createPooledSessions, type ModelSessions } from './model-sessions.js';
import { rankerFeedBuilder, rankerInput } from './ranker-feed-builder.js';

/** Sessions for the bundle's models, given what each one's feed builder needs. */
export type SessionFactory = (models: ReadonlyMap<string, Uint8Array>, feeds: { spec: FeatureSpec; items: ItemTensors; tables: FeatureTables }) => Promise<ModelSessions>;

export class BundleRanker implements RankPort {
  private readonly sessions: Promise<ModelSessions>;
  /** Set once the sessions are loaded and warmed: calls then skip the load wait. */
  private loaded: ModelSessions | null = null;

  constructor(
    private readonly bundle: ServingBundle,
    readonly spec: FeatureSpec,
    tables: FeatureTables,
    models: ReadonlyMap<string, Uint8Array>,
    private readonly defaultModel: string,
    createSessions: SessionFactory,
  ) {
    // Shared memory: every model's workers read one copy of the tables and item tensors.
    const sharedTables = shareAll(tables);
    const items = shareAll(buildItemTensors(spec, sharedTables, bundle.catalogue));
    this.sessions = createSessions(models, { spec, items, tables: sharedTables }).then(async (sessions) => {
      try {
        await this.warm(sessions);
      } catch (error) {
        await sessions.close();
        throw error;
      }
      this.loaded = sessions;
      return sessions;
    });
    // A failed load surfaces on each rank call (served in recall order); never as an unhandled rejection.
    this.sessions.catch(() => undefined);
  }

  /** Resolves when every session is loaded and warmed; rejects if loading failed. */
  async ready(): Promise<{ models: readonly string[]; providers: Record<string, string> }> {
    const sessions = await this.sessions;
    return { models: sessions.models, providers: Object.fromEntries(sessions.models.map((model) => [model, sessions.provider(model)])) };
  }

  /**
   * Scores within `timeoutMs`, which the worker pool enforces on the run itself: a result the
   * worker posted before the deadline is used even when this thread's loop is too busy to
   * have read it yet (OrtWorkerPool drains its replies when a deadline fires).
   */
  async rank(input: RankInput, timeoutMs: number): Promise<RankOutput> {
    const started = performance.now();
    const sessions = this.loaded ?? (await this.loading(timeoutMs));
    const model = input.model === '' ? this.defaultModel : input.model;
    const userIndex = input.known ? this.bundle.userIndex.get(input.userId) ?? -1 : -1;
    const rows = input.candidates.items.length;
    const left = Number.isFinite(timeoutMs) ? timeoutMs - (performance.now() - started) : undefined;
    const scores = await sessions.score(model, rankerInput({ userIndex, recent: input.recent, recentRatings: input.recentRatings }, input.candidates), left);
    if (scores.length !== rows) throw new RecsysError('RECSYS_ERR_SCORER_SHAPE', `ranker ${model} returned ${scores.length} scores for ${rows} candidates`);
    return { scores, model, provider: sessions.provider(model) };
  }

  /** The sessions once loaded and warmed, waited for at most `timeoutMs`. */
  private async loading(timeoutMs: number): Promise<ModelSessions> {
    if (!Number.isFinite(timeoutMs)) return this.sessions;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => { reject(new RecsysError('RECSYS_ERR_ONNX_TIMEOUT', `ranker not loaded within ${timeoutMs} ms`)); }, timeoutMs);
    });
    try {
      return await Promise.race([this.sessions, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async warm(sessions: ModelSessions): Promise<void> {
    const popular = this.bundle.popular.overall;
    const n = Math.min(64, popular.items.length);
    const candidates = { items: popular.items.subarray(0, n), scores: popular.scores.subarray(0, n), sourceScores: new Map<string, Float32Array>() };
    const input = rankerInput({ userIndex: -1, recent: new Int32Array(0), recentRatings: new Float32Array(0) }, candidates);
    for (const model of sessions.models) await sessions.score(model, input);
  }

  async close(): Promise<void> {
    const sessions = await this.sessions.catch(() => null);
    await sessions?.close();
  }
}

/**
 * The ranker of a bundle, or null when the bundle has no ranking artifacts (built with
 * rank.enabled off, or before the ranker existed): the pipeline then serves recall order.
 */
export function createBundleRanker(bundle: ServingBundle, config: Readonly<RecsysConfig>, createSessions?: SessionFactory): BundleRanker | null {
  const specBytes = bundle.ranking.get(ARTIFACT.featureSpec);
  const tableBytes = bundle.ranking.get(ARTIFACT.featureTables);
  if (!specBytes || !tableBytes) return null;
  const models = new Map<string, Uint8Array>();
  for (const name of RANK_MODEL_NAMES) {
    const bytes = bundle.ranking.get(ARTIFACT.rankModels[name]);
    if (bytes) models.set(name, bytes);
  }
  if (models.size === 0) return null;
  const spec = decodeFeatureSpec(specBytes);
  if (spec.items !== bundle.catalogue.itemIds.length || spec.users !== bundle.userIndex.size) {
    throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `bundle ${bundle.version}: feature spec for ${spec.users} users / ${spec.items} items, bundle has ${bundle.userIndex.size} / ${bundle.catalogue.itemIds.length}`);
  }
  const tables = decodeFeatureTables(tableBytes, spec.users, spec.items, spec.als.factors);
  const factory = createSessions ?? ((bytes, feeds) => createPooledSessions(bytes, ortWorkerPoolOptionsFromConfig(config.onnx), (model) => rankerFeedBuilder({ model, ...feeds })));
  const defaultModel = models.has(config.rank.model) ? config.rank.model : models.keys().next().value!;
  return new BundleRanker(bundle, spec, tables, models, defaultModel, factory);
}
