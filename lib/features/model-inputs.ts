/**
 * Names of the ranker ONNX graphs' inputs and output: one input per feature field, so the
 * server feeds the assembler's typed arrays straight in (no concatenation on the request path).
 */
export function categoricalInputName(field: string): string {
  return `cat_${field.replace(/-/g, '_')}`;
}

export function denseInputName(field: string): string {
  return `dense_${field.replace(/-/g, '_')}`;
}

/** float [batch]: one probability per candidate. */
export const SCORE_OUTPUT = 'score';
