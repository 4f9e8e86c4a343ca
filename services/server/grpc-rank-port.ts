import type { ServiceError } from '@grpc/grpc-js';
import type { RecsysConfig } from '../../lib/config/schema.js';
import { RecsysError } from '../../lib/domain/errors.js';
import type { ServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import type { RankServiceClient } from '../../lib/generated/recsys/v1/RankService.js';
import type { RankCandidate } from '../../lib/generated/recsys/v1/RankCandidate.js';
import type { RankResponse__Output } from '../../lib/generated/recsys/v1/RankResponse.js';
import type { RankInput, RankOutput, RankPort } from '../recommend/rank-port.js';
import { loadRecsysProto } from './load-proto.js';
import { backendChannelOptions, backendCredentials, backendMetadata, backendTarget, connectBackend } from './transport.js';

function candidatesOf(bundle: ServingBundle, input: RankInput): RankCandidate[] {
  const { items, scores, sourceScores } = input.candidates;
  const ids = bundle.catalogue.itemIds;
  return Array.from(items, (item, k): RankCandidate => {
    const perSource: Record<string, number> = {};
    for (const [source, column] of sourceScores) if (!Number.isNaN(column[k]!)) perSource[source] = column[k]!;
    return { item_id: ids[item] ?? '', score: scores[k]!, source_scores: perSource };
  });
}

/**
 * The recommend role's ranking stage: RankService on the rank role, round-robin over its
 * addresses, deadline = the stage's timeout plus a transport margin. Rejects on any failure
 * (the rank stage then serves recall order, marked degraded) and on a response whose score
 * count differs from the candidate count (a server error, never truncated silently).
 */
export class GrpcRankBackend {
  private readonly client: RankServiceClient;

  constructor(private readonly serving: Readonly<RecsysConfig['serving']>) {
    const proto = loadRecsysProto();
    const target = backendTarget('serving.backends.rank', serving.backends.rank);
    this.client = new proto.recsys.v1.RankService(target, backendCredentials(serving.tls), backendChannelOptions(serving));
  }

  portFor(bundle: ServingBundle): RankPort {
    return {
      rank: (input, timeoutMs) =>
        new Promise<RankOutput>((resolve, reject) => {
          const request = {
            user_id: input.userId,
            known_user: input.known,
            model: input.model,
            candidates: candidatesOf(bundle, input),
            recent_item_ids: Array.from(input.recent, (item) => bundle.catalogue.itemIds[item] ?? ''),
            recent_ratings: Array.from(input.recentRatings),
          };
          const deadline = new Date(Date.now() + timeoutMs + this.serving.backends.marginMs);
          this.client.Rank(request, backendMetadata(this.serving), { deadline }, (error: ServiceError | null, response?: RankResponse__Output) => {
            if (error || !response) {
              reject(error ?? new Error('rank backend: empty response'));
              return;
            }
            if (response.scores.length !== request.candidates.length) {
              reject(new RecsysError('RECSYS_ERR_SCORER_SHAPE', `rank backend returned ${response.scores.length} scores for ${request.candidates.length} candidates`));
              return;
            }
            resolve({ scores: Float32Array.from(response.scores), model: response.model, provider: response.provider });
          });
        }),
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
