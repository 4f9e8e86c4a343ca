import { credentials, Metadata, type ChannelCredentials, type ServiceError } from '@grpc/grpc-js';
import type { RecommendServiceClient } from '../../lib/generated/recsys/v1/RecommendService.js';
import type { RecommendRequest } from '../../lib/generated/recsys/v1/RecommendRequest.js';
import type { RecommendResponse__Output } from '../../lib/generated/recsys/v1/RecommendResponse.js';
import type { SimilarItemsRequest } from '../../lib/generated/recsys/v1/SimilarItemsRequest.js';
import type { SimilarItemsResponse__Output } from '../../lib/generated/recsys/v1/SimilarItemsResponse.js';
import type { FeedbackRequest } from '../../lib/generated/recsys/v1/FeedbackRequest.js';
import type { FeedbackResponse__Output } from '../../lib/generated/recsys/v1/FeedbackResponse.js';
import { loadRecsysProto } from './load-proto.js';

/** Promise wrapper over the generated RecommendService client (demo, tests, benchmarks). */
export class RecommendClient {
  readonly raw: RecommendServiceClient;

  private readonly metadata: Metadata;

  /** `apiKey` is sent as `x-api-key`; `channelCredentials` for TLS (default plaintext). */
  constructor(address: string, private readonly timeoutMs = 5000, options: { apiKey?: string; channelCredentials?: ChannelCredentials } = {}) {
    const proto = loadRecsysProto();
    this.raw = new proto.recsys.v1.RecommendService(address, options.channelCredentials ?? credentials.createInsecure(), { 'grpc.enable_channelz': 0 });
    this.metadata = new Metadata();
    if (options.apiKey !== undefined) this.metadata.set('x-api-key', options.apiKey);
  }

  private deadline(): Date {
    return new Date(Date.now() + this.timeoutMs);
  }

  recommend(request: RecommendRequest): Promise<RecommendResponse__Output> {
    return new Promise((resolve, reject) => {
      this.raw.Recommend(request, this.metadata, { deadline: this.deadline() }, (error: ServiceError | null, response?: RecommendResponse__Output) => {
        if (error || !response) reject(error ?? new Error('empty response'));
        else resolve(response);
      });
    });
  }

  similarItems(request: SimilarItemsRequest): Promise<SimilarItemsResponse__Output> {
    return new Promise((resolve, reject) => {
      this.raw.SimilarItems(request, this.metadata, { deadline: this.deadline() }, (error: ServiceError | null, response?: SimilarItemsResponse__Output) => {
        if (error || !response) reject(error ?? new Error('empty response'));
        else resolve(response);
      });
    });
  }

  feedback(request: FeedbackRequest): Promise<FeedbackResponse__Output> {
    return new Promise((resolve, reject) => {
      this.raw.Feedback(request, this.metadata, { deadline: this.deadline() }, (error: ServiceError | null, response?: FeedbackResponse__Output) => {
        if (error || !response) reject(error ?? new Error('empty response'));
        else resolve(response);
      });
    });
  }

  close(): void {
    this.raw.close();
  }
}
