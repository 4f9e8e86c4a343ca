/**
 * The merged candidates as feature assembly reads them (structurally the Recommend
 * pipeline's MergedCandidates; declared here so lib/ does not import services/).
 */
export interface MergedCandidatesShape {
  readonly items: Int32Array;
  /** Merged (reciprocal-rank) score, aligned with items. */
  readonly scores: Float32Array;
  /** Source id → score per candidate, NaN where the source did not return it. */
  readonly sourceScores: ReadonlyMap<string, Float32Array>;
}
