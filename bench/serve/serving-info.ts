/**
 * Reads `serving.degraded_sources` out of a serialised RecommendResponse without decoding the
 * items (protobufjs's wire Reader; field numbers from proto/recsys/v1: RecommendResponse.serving
 * = 2, ServingInfo.degraded_sources = 3), so the load driver can count calls answered without a
 * recall source or the ranker for a few microseconds per response.
 */
import protobuf from 'protobufjs';

const RESPONSE_SERVING = 2;
const SERVING_DEGRADED_SOURCES = 3;
const LENGTH_DELIMITED = 2;

/** The response's degraded sources (empty when none), or null when the bytes are not a well-formed message. */
export function degradedSourcesOf(response: Uint8Array): string[] | null {
  try {
    const reader = protobuf.Reader.create(response);
    const sources: string[] = [];
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (tag >>> 3 === RESPONSE_SERVING && (tag & 7) === LENGTH_DELIMITED) {
        const end = reader.uint32() + reader.pos;
        while (reader.pos < end) {
          const inner = reader.uint32();
          if (inner >>> 3 === SERVING_DEGRADED_SOURCES && (inner & 7) === LENGTH_DELIMITED) sources.push(reader.string());
          else reader.skipType(inner & 7);
        }
      } else reader.skipType(tag & 7);
    }
    return sources;
  } catch {
    return null;
  }
}
