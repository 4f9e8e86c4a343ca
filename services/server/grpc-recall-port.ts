import { status, type ServiceError } from '@grpc/grpc-js';
import type { RecsysConfig } from '../../lib/config/schema.js';
import type { SourceOutcome } from '../../lib/domain/candidate.js';
import type { ServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import type { RecallServiceClient } from '../../lib/generated/recsys/v1/RecallService.js';
import type { RecallRequest } from '../../lib/generated/recsys/v1/RecallRequest.js';
import type { RecallResponse__Output } from '../../lib/generated/recsys/v1/RecallResponse.js';
import type { RecallPort, RecallQueryShape } from '../recommend/recommend-pipeline.js';
import { loadRecsysProto } from './load-proto.js';
import { backendChannelOptions, backendCredentials, backendMetadata, backendTarget, connectBackend } from './transport.js';

/** Deadline of a recall call when the caller gave none (offline tools): generous, never unbounded. */
const UNBOUNDED_CALL_MS = 10_000;

function outcomesFrom(bundle: ServingBundle, sourceIds: readonly string[], response: RecallResponse__Output): SourceOutcome[] {
  return sourceIds.map((source): SourceOutcome => {
    const result = response.results.find((entry) => entry.source === source);
    if (!result) return { status: 'error', source, error: 'not served by the recall backend', millis: 0 };
    if (result.status !== 'ok') return { status: result.status === 'timeout' ? 'timeout' : 'error', source, error: result.error, millis: result.millis };
    const items = new Int32Array(result.items.length);
    const scores = new Float32Array(result.items.length);
    let n = 0;
    for (const entry of result.items) {
      const item = bundle.resolveItem(entry.item_id);
      if (item < 0) continue; // the backend serves another bundle version for a moment during a swap
      items[n] = item;
      scores[n] = entry.score;
      n++;
    }
    return { status: 'ok', source, candidates: { items: items.subarray(0, n), scores: scores.subarray(0, n) }, millis: result.millis };
  });
}

function requestOf(bundle: ServingBundle, query: RecallQueryShape): RecallRequest {
  const ids = bundle.catalogue.itemIds;
  const exclude: string[] = [];
  for (const item of query.seen) exclude.push(ids[item] ?? '');
  for (const item of query.excluded) if (!query.seen.has(item)) exclude.push(ids[item] ?? '');
  return {
    user_id: query.userId,
    known_user: query.known,
    recent_item_ids: Array.from(query.recent, (item) => ids[item] ?? ''),
    recent_ratings: Array.from(query.recentRatings),
    exclude_item_ids: exclude,
  };
}

/**
 * The recommend role's recall stage: one RecallService call (every source at once) to the
 * recall role, round-robin over its addresses. The recall role applies each source's own
 * deadline; this call's deadline is the cap plus a transport margin. A failed or late call
 * marks every source degraded (the pipeline then serves popular from its own bundle).
 */
export class GrpcRecallBackend {
  private readonly client: RecallServiceClient;

  constructor(private readonly serving: Readonly<RecsysConfig['serving']>) {
    const proto = loadRecsysProto();
    const target = backendTarget('serving.backends.recall', serving.backends.recall);
    this.client = new proto.recsys.v1.RecallService(target, backendCredentials(serving.tls), backendChannelOptions(serving));
  }

  /** A RecallPort that maps ids with `bundle`; `sourceIds` are the sources the config enables. */
  portFor(bundle: ServingBundle, sourceIds: readonly string[]): RecallPort {
    return {
      sourceIds,
      recall: ({ query, timeoutMs, sources }) => {
        const expected = sources ? sourceIds.filter((id) => sources.includes(id)) : sourceIds;
        const started = performance.now();
        const budget = Number.isFinite(timeoutMs) ? timeoutMs + this.serving.backends.marginMs : UNBOUNDED_CALL_MS;
        return new Promise<SourceOutcome[]>((resolve) => {
          this.client.Recall({ ...requestOf(bundle, query), sources: sources ? [...expected] : [] }, backendMetadata(this.serving), { deadline: new Date(Date.now() + budget) }, (error: ServiceError | null, response?: RecallResponse__Output) => {
            if (response && !error) {
              resolve(outcomesFrom(bundle, expected, response));
              return;
            }
            const millis = performance.now() - started;
            const late = error?.code === status.DEADLINE_EXCEEDED;
            const message = `recall backend: ${error ? status[error.code] : 'empty response'}`;
            resolve(expected.map((source): SourceOutcome => ({ status: late ? 'timeout' : 'error', source, error: message, millis })));
          });
        });
      },
    };
  }

  /** See connectBackend. */
  connect(timeoutMs: number): Promise<boolean> {
    return connectBackend(this.client, timeoutMs);
  }

  close(): void {
    this.client.close();
  }
}
