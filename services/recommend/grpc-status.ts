import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { isRecsysError, type ErrorCode } from '../../lib/domain/errors.js';

const BY_CODE: Partial<Record<ErrorCode, status>> = {
  RECSYS_ERR_REQUEST_INVALID: status.INVALID_ARGUMENT,
  RECSYS_ERR_REQUEST_UNKNOWN_SCENE: status.INVALID_ARGUMENT,
  RECSYS_ERR_REQUEST_UNKNOWN_ITEM: status.NOT_FOUND,
  RECSYS_ERR_BUNDLE_MISSING: status.UNAVAILABLE,
  RECSYS_ERR_STORE_UNAVAILABLE: status.UNAVAILABLE,
  RECSYS_ERR_SOURCE_TIMEOUT: status.DEADLINE_EXCEEDED,
  RECSYS_ERR_RANK_UNAVAILABLE: status.FAILED_PRECONDITION,
};

/**
 * The one place where RecommendService errors become gRPC status. Client errors keep their
 * message (it names the field); anything unexpected becomes INTERNAL with a generic message.
 */
export function toServiceError(error: unknown): Partial<ServiceError> {
  const metadata = new Metadata();
  if (isRecsysError(error)) {
    metadata.set('recsys-error-code', error.code);
    const code = BY_CODE[error.code] ?? (error.category === 'client' ? status.INVALID_ARGUMENT : error.category === 'dependency' ? status.UNAVAILABLE : status.INTERNAL);
    return { code, details: error.message, metadata };
  }
  metadata.set('recsys-error-code', 'RECSYS_ERR_INTERNAL');
  return { code: status.INTERNAL, details: 'internal error', metadata };
}
