/**
 * Wide & deep (Cheng et al. 2016) over the feature spec's fields, on lib/nn's kernels.
 * Wide: one weight per value of every categorical field (ids, buckets and the crosses)
 * plus a linear term over the dense columns. Deep: a `dim` embedding per deep categorical
 * field, concatenated with the dense columns, through an MLP (ReLU) to one logit.
 * Output: sigmoid(wide + deep). With `deep: false` it is the logistic-regression baseline on
 * the same features. `toOnnx` writes one self-contained graph (tables as Gather initializers).
 */
import { Adam, DenseLayer, EmbeddingTable, Mlp, sigmoid, sigmoidBinaryCrossEntropy, type DenseParameter, type RandomSource, type SparseParameter } from '../../lib/nn/index.js';
import { OnnxGraphBuilder, attr } from '../../lib/onnx/index.js';
import type { FeatureSpec } from '../../lib/features/feature-spec.js';
import { categoricalInputName, denseInputName, SCORE_OUTPUT } from '../../lib/features/model-inputs.js';

export interface WideDeepShape {
  readonly deep: boolean;
  readonly embeddingDim: number;
  readonly hidden: readonly number[];
}

/** One minibatch in the model's layout: per categorical field `rows` indices; per dense field rows × width. */
export interface ModelBatch {
  readonly rows: number;
  readonly categorical: readonly Int32Array[];
  readonly dense: readonly Float32Array[];
}

export class WideDeepModel {
  readonly wide: EmbeddingTable[];
  readonly wideDense: DenseLayer;
  readonly deepTables: (EmbeddingTable | null)[];
  readonly mlp: Mlp | null;
  private readonly deepFields: number[];
  private readonly denseWidth: number;
  private readonly deepWidth: number;
  private x = new Float32Array(0);
  private denseX = new Float32Array(0);
  private gx = new Float32Array(0);
  private logits = new Float32Array(0);
  private wideOut = new Float32Array(0);
  private capacity = 0;

  constructor(readonly spec: FeatureSpec, readonly shape: WideDeepShape, random: RandomSource) {
    this.wide = spec.categorical.map((field) => {
      const table = new EmbeddingTable(field.size, 1, random, 0, `wide.${field.name}`);
      table.parameter.value.fill(0);
      return table;
    });
    this.denseWidth = spec.dense.reduce((sum, field) => sum + field.width, 0);
    this.wideDense = new DenseLayer(this.denseWidth, 1, random, 'wide.dense');
    this.wideDense.weight.value.fill(0);
    this.deepFields = shape.deep ? spec.categorical.flatMap((field, f) => (field.deep ? [f] : [])) : [];
    this.deepTables = spec.categorical.map((field) => (shape.deep && field.deep ? new EmbeddingTable(field.size, shape.embeddingDim, random, 0.05, `deep.${field.name}`) : null));
    this.deepWidth = this.deepFields.length * shape.embeddingDim + this.denseWidth;
    this.mlp = shape.deep ? new Mlp([this.deepWidth, ...shape.hidden, 1], random, 'deep.mlp') : null;
  }

  get denseParameters(): DenseParameter[] {
    return [...this.wideDense.parameters, ...(this.mlp?.parameters ?? [])];
  }

  get sparseParameters(): SparseParameter[] {
    return [...this.wide, ...this.deepTables.filter((table): table is EmbeddingTable => table !== null)].map((table) => table.parameter);
  }

  createOptimiser(learningRate: number): Adam {
    return new Adam(this.denseParameters, this.sparseParameters, { learningRate });
  }

  private ensure(rows: number): void {
    if (rows <= this.capacity) return;
    this.capacity = rows;
    this.x = new Float32Array(rows * this.deepWidth);
    this.denseX = new Float32Array(rows * this.denseWidth);
    this.gx = new Float32Array(rows * this.deepWidth);
    this.logits = new Float32Array(rows);
    this.wideOut = new Float32Array(rows);
  }

  /** Logits of a batch (valid until the next call). */
  forward(batch: ModelBatch): Float32Array {
    const { rows } = batch;
    this.ensure(rows);
    // Dense columns side by side, in field order: the wide linear input and the tail of the deep input.
    let offset = 0;
    batch.dense.forEach((column, f) => {
      const width = this.spec.dense[f]!.width;
      for (let r = 0; r < rows; r++) this.denseX.set(column.subarray(r * width, r * width + width), r * this.denseWidth + offset);
      offset += width;
    });
    const logits = this.logits;
    this.wideDense.forward(this.denseX, rows, logits);
    this.wide.forEach((table, f) => {
      table.gather(batch.categorical[f]!, rows, this.wideOut);
      for (let r = 0; r < rows; r++) logits[r]! += this.wideOut[r]!;
    });
    if (this.mlp) {
      const dim = this.shape.embeddingDim;
      this.deepFields.forEach((f, k) => { this.deepTables[f]!.gather(batch.categorical[f]!, rows, this.x, this.deepWidth, k * dim); });
      const denseAt = this.deepFields.length * dim;
      for (let r = 0; r < rows; r++) this.x.set(this.denseX.subarray(r * this.denseWidth, (r + 1) * this.denseWidth), r * this.deepWidth + denseAt);
      const deep = this.mlp.forward(this.x, rows);
      for (let r = 0; r < rows; r++) logits[r]! += deep[r]!;
    }
    return logits;
  }

  /** One Adam step on a batch; returns the mean loss. */
  trainStep(batch: ModelBatch, labels: Float32Array, optimiser: Adam, grad: Float32Array): number {
    const logits = this.forward(batch);
    const loss = sigmoidBinaryCrossEntropy(logits, labels, batch.rows, grad);
    const rows = batch.rows;
    this.wideDense.backward(this.denseX, grad, rows, null);
    this.wide.forEach((table, f) => { table.scatterAdd(batch.categorical[f]!, rows, grad, 1, 0); });
    if (this.mlp) {
      this.mlp.backward(this.x, grad, this.gx);
      const dim = this.shape.embeddingDim;
      this.deepFields.forEach((f, k) => { this.deepTables[f]!.scatterAdd(batch.categorical[f]!, rows, this.gx, this.deepWidth, k * dim); });
    }
    optimiser.step();
    return loss;
  }

  /** Probabilities of a batch (copied). */
  predict(batch: ModelBatch): Float32Array {
    const logits = this.forward(batch);
    return Float32Array.from(logits.subarray(0, batch.rows), (x) => sigmoid(x));
  }

  /** Every parameter's values (for restoring the best epoch). */
  snapshot(): Float32Array[] {
    return [...this.denseParameters.map((p) => p.value), ...this.sparseParameters.map((p) => p.value)].map((values) => values.slice());
  }

  restore(snapshot: readonly Float32Array[]): void {
    [...this.denseParameters.map((p) => p.value), ...this.sparseParameters.map((p) => p.value)].forEach((values, k) => { values.set(snapshot[k]!); });
  }

  /**
   * The model as one ONNX graph: inputs `cat_<field>` int32 [batch] and `dense_<field>`
   * float [batch, width]; output `score` float [batch] = sigmoid(wide + deep).
   */
  toOnnx(metadata: Record<string, string> = {}): Uint8Array {
    const g = new OnnxGraphBuilder({ graphName: this.shape.deep ? 'wide_deep' : 'logistic_regression', metadata });
    const categorical = this.spec.categorical.map((field) => g.input(categoricalInputName(field.name), 'int32', ['batch']));
    const dense = this.spec.dense.map((field) => g.input(denseInputName(field.name), 'float', ['batch', field.width]));
    const denseAll = dense.length === 1 ? dense[0]! : g.apply('Concat', dense, { axis: attr.int(1) });
    const terms: string[] = [];
    terms.push(g.apply('Gemm', [denseAll, g.floatInitializer('wide_dense_w', this.wideDense.weight.value, [1, this.denseWidth]), g.floatInitializer('wide_dense_b', this.wideDense.bias.value, [1])], { transB: attr.int(1) }));
    this.wide.forEach((table, f) => {
      terms.push(g.apply('Gather', [g.floatInitializer(`wide_${f}`, table.parameter.value, [table.rows, 1]), categorical[f]!], { axis: attr.int(0) }));
    });
    if (this.mlp) {
      const dim = this.shape.embeddingDim;
      const parts = this.deepFields.map((f) => {
        const table = this.deepTables[f]!;
        return g.apply('Gather', [g.floatInitializer(`deep_${f}`, table.parameter.value, [table.rows, dim]), categorical[f]!], { axis: attr.int(0) });
      });
      let h = g.apply('Concat', [...parts, denseAll], { axis: attr.int(1) });
      this.mlp.layers.forEach((layer, l) => {
        h = g.apply('Gemm', [h, g.floatInitializer(`mlp_${l}_w`, layer.weight.value, [layer.outDim, layer.inDim]), g.floatInitializer(`mlp_${l}_b`, layer.bias.value, [layer.outDim])], { transB: attr.int(1) });
        if (l + 1 < this.mlp!.layers.length) h = g.apply('Relu', [h]);
      });
      terms.push(h);
    }
    const logit = g.apply('Sum', terms);
    const probability = g.apply('Sigmoid', [logit]);
    g.node('Reshape', [probability, g.int64Initializer('score_shape', [-1])], [SCORE_OUTPUT]);
    g.output(SCORE_OUTPUT, 'float', ['batch']);
    return g.toBytes();
  }
}
