import { OnnxGraphBuilder } from '../../../lib/onnx/onnx-graph-builder.js';
import { attr } from '../../../lib/onnx/onnx-attribute.js';
import type { GbdtTree } from './gbdt-tree.js';

export interface GbdtOnnxOptions {
  /** Input name (default 'features'): one float tensor [N, featureCount]. */
  readonly inputName?: string;
  /** Output name (default 'score'): the probability, [N, 1]. */
  readonly outputName?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * The model as ONNX: ai.onnx.ml TreeEnsembleRegressor (SUM of the trees' leaf values plus
 * the base score, the logit) followed by Sigmoid. Splits are BRANCH_LT on float32
 * thresholds with nodes_missing_value_tracks_true = 0, so NaN goes to the false (right)
 * branch: the same rule as the JS predict and ml-cart's training.
 */
export function gbdtToOnnx(trees: readonly GbdtTree[], baseScore: number, featureCount: number, options: GbdtOnnxOptions = {}): Uint8Array {
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const modes: string[] = [];
  const values: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const missingTracksTrue: number[] = [];
  const targetTreeIds: number[] = [];
  const targetNodeIds: number[] = [];
  const targetWeights: number[] = [];
  trees.forEach((tree, t) => {
    for (let node = 0; node < tree.feature.length; node++) {
      const leaf = tree.feature[node]! < 0;
      treeIds.push(t);
      nodeIds.push(node);
      featureIds.push(leaf ? 0 : tree.feature[node]!);
      modes.push(leaf ? 'LEAF' : 'BRANCH_LT');
      values.push(leaf ? 0 : tree.threshold[node]!);
      trueIds.push(leaf ? 0 : tree.left[node]!);
      falseIds.push(leaf ? 0 : tree.right[node]!);
      missingTracksTrue.push(0);
      if (leaf) {
        targetTreeIds.push(t);
        targetNodeIds.push(node);
        targetWeights.push(tree.value[node]!);
      }
    }
  });
  const input = options.inputName ?? 'features';
  const output = options.outputName ?? 'score';
  const g = new OnnxGraphBuilder({ graphName: 'gbdt', metadata: options.metadata });
  g.input(input, 'float', ['batch', featureCount]);
  const logit = g.apply(
    'TreeEnsembleRegressor',
    [input],
    {
      n_targets: attr.int(1),
      aggregate_function: attr.string('SUM'),
      post_transform: attr.string('NONE'),
      base_values: attr.floats([baseScore]),
      nodes_treeids: attr.ints(treeIds),
      nodes_nodeids: attr.ints(nodeIds),
      nodes_featureids: attr.ints(featureIds),
      nodes_modes: attr.strings(modes),
      nodes_values: attr.floats(values),
      nodes_truenodeids: attr.ints(trueIds),
      nodes_falsenodeids: attr.ints(falseIds),
      nodes_missing_value_tracks_true: attr.ints(missingTracksTrue),
      target_treeids: attr.ints(targetTreeIds),
      target_nodeids: attr.ints(targetNodeIds),
      target_ids: attr.ints(new Array<number>(targetNodeIds.length).fill(0)),
      target_weights: attr.floats(targetWeights),
    },
    { domain: 'ai.onnx.ml' },
  );
  g.node('Sigmoid', [logit], [output]);
  g.output(output, 'float', ['batch', 1]);
  return g.toBytes();
}
