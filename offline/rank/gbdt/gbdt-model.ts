import { RecsysError } from '../../../lib/domain/errors.js';
import { gbdtToOnnx, type GbdtOnnxOptions } from './gbdt-onnx.js';
import { leafOf, type GbdtTree } from './gbdt-tree.js';

/** What training did, for reports. */
export interface GbdtTrainingReport {
  readonly trees: number;
  /** Round with the best validation logloss (1-based), when a validation set was given. */
  readonly bestIteration: number | undefined;
  readonly trainLogloss: number;
  readonly validationLogloss: number | undefined;
  readonly seconds: number;
}

/** A trained GBDT for binary labels: P(y = 1 | x) = sigmoid(baseScore + sum of tree outputs). */
export class GbdtModel {
  readonly trees: readonly GbdtTree[];
  /** Log-odds of the training labels' mean. */
  readonly baseScore: number;
  readonly featureCount: number;
  readonly report: GbdtTrainingReport;

  constructor(trees: readonly GbdtTree[], baseScore: number, featureCount: number, report: GbdtTrainingReport) {
    this.trees = trees;
    this.baseScore = baseScore;
    this.featureCount = featureCount;
    this.report = report;
  }

  /** Logits for rows of `featureCount` features (row-major). */
  predictLogit(features: Float32Array): Float64Array {
    const width = this.featureCount;
    if (features.length % width !== 0) {
      throw new RecsysError('RECSYS_ERR_SCORER_SHAPE', `gbdt: ${features.length} values are not rows of ${width} features`);
    }
    const rows = features.length / width;
    const out = new Float64Array(rows).fill(this.baseScore);
    for (const tree of this.trees) {
      for (let r = 0; r < rows; r++) out[r] = out[r]! + tree.value[leafOf(tree, features, r * width)]!;
    }
    return out;
  }

  /** Probabilities, one per row. */
  predict(features: Float32Array): Float64Array {
    return this.predictLogit(features).map((z) => 1 / (1 + Math.exp(-z)));
  }

  /** ONNX bytes: TreeEnsembleRegressor + Sigmoid over one float input [N, featureCount]. */
  toOnnx(options: GbdtOnnxOptions = {}): Uint8Array {
    return gbdtToOnnx(this.trees, this.baseScore, this.featureCount, options);
  }
}
