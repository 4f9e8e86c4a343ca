import { join } from 'node:path';
import { loadPackageDefinition, type GrpcObject } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { packageRoot } from '../../lib/config/load-config.js';
import type { ProtoGrpcType } from '../../lib/generated/recommend.js';

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
