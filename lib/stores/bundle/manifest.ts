import { z } from 'zod';
import { RecsysError } from '../../domain/errors.js';

export const MANIFEST_FILE = 'manifest.json';
export const BUNDLE_FORMAT = 1;

const artifactSchema = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() });

export const manifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  version: z.string().min(1),
  createdAt: z.string(),
  configDigest: z.string(),
  dataDigest: z.string(),
  dataset: z.object({ name: z.string(), users: z.number().int(), items: z.number().int(), interactions: z.number().int() }),
  artifacts: z.record(z.string(), artifactSchema),
  /** Offline metrics recorded at publish time (evaluate output), free-form numbers. */
  metrics: z.record(z.string(), z.unknown()).default({}),
  jobs: z.record(z.string(), z.unknown()).default({}),
});

export type BundleManifest = z.infer<typeof manifestSchema>;

export function parseManifest(document: unknown, origin: string): BundleManifest {
  const result = manifestSchema.safeParse(document);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new RecsysError('RECSYS_ERR_BUNDLE_CORRUPT', `${origin}: invalid manifest at ${first?.path.join('.') ?? '?'}: ${first?.message ?? ''}`);
  }
  return result.data;
}
