import type { RecsysConfig } from '../../lib/config/schema.js';
import type { ServingBundle } from '../../lib/stores/bundle/serving-bundle.js';
import type { ProgressFactory } from '../progress.js';
import type { TrainingData } from './training-data.js';
import type { ValidationSet } from './validation-set.js';

export interface JobContext {
  readonly data: TrainingData;
  readonly config: Readonly<RecsysConfig>;
  readonly progress: ProgressFactory;
  /** Held-out interactions for early stopping and ranker labels (see validation-set.ts). */
  readonly validation: ValidationSet;
  /** The version being built, with the artifacts of the jobs before this one, as a serving bundle (the ranker runs its recall). */
  readonly draftBundle?: () => Promise<ServingBundle>;
}

export interface JobArtifact {
  readonly name: string;
  readonly bytes: Buffer | string;
}

export interface JobOutput {
  readonly artifacts: readonly JobArtifact[];
  /** Recorded in the bundle manifest under jobs.<name>. */
  readonly details: Readonly<Record<string, unknown>>;
}

/** One offline job: reads the training view, returns bundle artifacts. Deterministic. */
export interface Job {
  readonly name: string;
  run(context: JobContext): Promise<JobOutput>;
}
