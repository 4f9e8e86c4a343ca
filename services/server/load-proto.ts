import { join } from 'node:path';
import { loadPackageDefinition, type GrpcObject } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { packageRoot } from '../../lib/config/load-config.js';
import type { ProtoGrpcType as RecommendProto } from '../../lib/generated/recommend.js';
import type { ProtoGrpcType as RecallProto } from '../../lib/generated/recall.js';
import type { ProtoGrpcType as RankProto } from '../../lib/generated/rank.js';

/** Every recsys.v1 service (one package, three files). */
export type ProtoGrpcType = RecommendProto & { recsys: { v1: RecallProto['recsys']['v1'] & RankProto['recsys']['v1'] } };

/** Options matching the generated types (keepCase, longs as strings, defaults, oneofs). */
export const PROTO_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true } as const;

export const PROTO_FILES = ['recsys/v1/recommend.proto', 'recsys/v1/recall.proto', 'recsys/v1/rank.proto', 'recsys/v1/diagnostics.proto'];

export function protoDir(): string {
  return join(packageRoot(), 'proto');
}

export function loadRecsysPackageDefinition(): PackageDefinition {
  return loadSync(PROTO_FILES, { ...PROTO_OPTIONS, includeDirs: [protoDir()] });
}

export function loadRecsysProto(definition = loadRecsysPackageDefinition()): ProtoGrpcType {
  const loaded: GrpcObject = loadPackageDefinition(definition);
  return loaded as unknown as ProtoGrpcType;
}
