import type { MergedCandidates } from './merge/rrf-merge.js';

/** What the ranker sees of one Recommend call: the filtered merged candidates in recall order. */
export interface RankInput {
  readonly userId: string;
  /** False for a user neither the bundle nor feedback knows. */
  readonly known: boolean;
  /** Recent items, most recent first (bundle history + feedback). */
  readonly recent: Int32Array;
  /** Aligned with `recent`: rating, NaN where unknown. */
  readonly recentRatings: Float32Array;
  /** Candidates after merge and filters, at most the pre-rank truncation long; per-source scores NaN where absent. */
  readonly candidates: MergedCandidates;
  /** Ranker model name ('wide-deep', 'gbdt', 'lr'); empty = the configured default. */
  readonly model: string;
}

export interface RankOutput {
  /** Exactly one score per candidate, in candidate order; anything else is a server error. */
  readonly scores: Float32Array;
  readonly model: string;
  /** The onnxruntime execution provider that computed the scores ('cpu', 'cuda'). */
  readonly provider: string;
}

/** The ranking stage as the Recommend pipeline calls it: in process (role all) or over gRPC (role recommend). */
export interface RankPort {
  /** Rejects on failure or when `timeoutMs` passes; the pipeline then serves recall order, marked degraded. */
  rank(input: RankInput, timeoutMs: number): Promise<RankOutput>;
  /** Resolves when the ranker can score (sessions loaded and warmed); rejects if it never will. */
  readonly ready?: () => Promise<unknown>;
  /** Releases sessions or channels when the bundle it serves is retired. */
  readonly close?: () => Promise<void>;
}
