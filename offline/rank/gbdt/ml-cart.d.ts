/** The part of ml-cart (no bundled types) that the GBDT uses; trees come back as `unknown` and are parsed. */
declare module 'ml-cart' {
  export interface DecisionTreeRegressionOptions {
    /** A node with at most this many rows becomes a leaf. */
    minNumSamples?: number;
    maxDepth?: number;
  }
  export class DecisionTreeRegression {
    constructor(options?: DecisionTreeRegressionOptions);
    train(trainingSet: number[][], trainingValues: number[]): void;
    predict(toPredict: number[][]): number[];
    readonly root: unknown;
  }
}
