import { OnnxGraphBuilder, attr } from '../../../lib/onnx/index.js';
import { USER_TOWER_INPUTS, USER_TOWER_OUTPUT } from '../../../lib/onnx/user-tower.js';
import { DEMOGRAPHIC_FIELDS } from './two-tower.features.js';
import type { TwoTowerModel } from './two-tower.model.js';

/**
 * The trained user tower as an ONNX graph (opset 17), computing exactly what
 * TwoTowerModel.forwardUsers computes (lib/onnx/user-tower.ts documents the inputs):
 *   Gather(user table) | ReduceSum(Gather(history table) · weights) | Flatten(Gather(demographic
 *   table, Gather(user demographics, user))) → Concat → (Gemm → Relu)* → Gemm → LpNormalization,
 * then one more output column, the constant 1 that picks up the items' popularity prior
 * (servedItemVectors): the output is dim + 1 wide.
 */
export function exportUserTower(model: TwoTowerModel): Uint8Array {
  const { users, dim, userIdDim, historyDim, featureDim } = model.shape;
  const g = new OnnxGraphBuilder({ graphName: 'user_tower', producerName: 'recsys two-tower', metadata: { dim: String(dim), users: String(users) } });
  const user = g.input(USER_TOWER_INPUTS.user, 'int64', ['batch']);
  const history = g.input(USER_TOWER_INPUTS.history, 'int64', ['batch', 'history']);
  const weight = g.input(USER_TOWER_INPUTS.historyWeight, 'float', ['batch', 'history']);

  const userTable = g.floatInitializer('user_id_table', model.userIds.parameter.value, [users + 1, userIdDim]);
  const historyTable = g.floatInitializer('history_table', model.history.parameter.value, [model.history.rows, historyDim]);
  const demographicTable = g.floatInitializer('demographic_table', model.demographics.parameter.value, [model.demographics.rows, featureDim]);
  const demographics = g.int64Initializer('user_demographics', Array.from(model.features.userDemographics), [users + 1, DEMOGRAPHIC_FIELDS]);
  const axisOne = g.int64Initializer('axis_1', [1]);
  const axisTwo = g.int64Initializer('axis_2', [2]);

  const userEmbedding = g.apply('Gather', [userTable, user], { axis: attr.int(0) });
  const historyEmbeddings = g.apply('Gather', [historyTable, history], { axis: attr.int(0) });
  const weighted = g.apply('Mul', [historyEmbeddings, g.apply('Unsqueeze', [weight, axisTwo])]);
  const pooled = g.apply('ReduceSum', [weighted, axisOne], { keepdims: attr.int(0) });
  const demographicRows = g.apply('Gather', [demographics, user], { axis: attr.int(0) });
  const demographicEmbeddings = g.apply('Flatten', [g.apply('Gather', [demographicTable, demographicRows], { axis: attr.int(0) })], { axis: attr.int(1) });
  let x = g.apply('Concat', [userEmbedding, pooled, demographicEmbeddings], { axis: attr.int(1) });
  model.userMlp.layers.forEach((layer, l) => {
    const w = g.floatInitializer(`user_w${l}`, layer.weight.value, [layer.outDim, layer.inDim]);
    const b = g.floatInitializer(`user_b${l}`, layer.bias.value, [layer.outDim]);
    x = g.apply('Gemm', [x, w, b], { transB: attr.int(1) });
    if (l + 1 < model.userMlp.layers.length) x = g.apply('Relu', [x]);
  });
  const normalised = g.apply('LpNormalization', [x], { axis: attr.int(1), p: attr.int(2) });
  // The constant 1 that multiplies the items' popularity-prior component (exactly 1: y·0 + 1).
  const one = g.apply('Add', [g.apply('MatMul', [normalised, g.floatInitializer('zero_column', new Float32Array(dim), [dim, 1])]), g.floatInitializer('one', [1], [1])]);
  g.node('Concat', [normalised, one], [USER_TOWER_OUTPUT], { axis: attr.int(1) });
  g.output(USER_TOWER_OUTPUT, 'float', ['batch', dim + 1]);
  return g.toBytes();
}
