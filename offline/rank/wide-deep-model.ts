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
import { USER_CATEGORICAL_FIELDS, USER_DENSE_FIELDS, type FeatureSpec } from '../../lib/features/feature-spec.js';
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
  /** Per dense field: fed once per request (a user field) rather than per candidate. */
  private readonly isUserDense: readonly boolean[];
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
    this.isUserDense = spec.dense.map((field) => USER_DENSE_FIELDS.has(field.name));
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

  createOptimiser(learningRate: number, embeddingL2 = 0): Adam {
    return new Adam(this.denseParameters, this.sparseParameters, { learningRate, sparseL2: embeddingL2 });
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

  /** Every parameter's live values, in snapshot order. */
  parameterValues(): Float32Array[] {
    return [...this.denseParameters.map((p) => p.value), ...this.sparseParameters.map((p) => p.value)];
  }

  /** Every parameter's values (for restoring the best epoch). */
  snapshot(): Float32Array[] {
    return this.parameterValues().map((values) => values.slice());
  }

  restore(snapshot: readonly Float32Array[]): void {
    this.parameterValues().forEach((values, k) => { values.set(snapshot[k]!); });
  }

  /** The model as one ONNX graph (wideDeepToOnnx with this model alone). */
  toOnnx(metadata: Record<string, string> = {}): Uint8Array {
    return wideDeepToOnnx([this], metadata);
  }

  /** The wide part's weights: a [rows] table per categorical field, and the linear term over the dense columns. */
  wideWeights(): WideWeights {
    return { tables: this.wide.map((table) => table.parameter.value), denseWeight: this.wideDense.weight.value, denseBias: this.wideDense.bias.value };
  }

  /** The wide part's terms over the graph's inputs, each [batch, 1] (or [1, 1] for the user's share), with `weights` (this spec's layout). */
  emitWide(g: OnnxGraphBuilder, inputs: RankerGraphInputs, weights: WideWeights): string[] {
    const { categorical, dense } = inputs;
    const { user: userCols, item: itemCols } = this.denseColumns();
    const terms = [g.apply('Gemm', [concatColumns(g, dense.filter((_, f) => !this.isUserDense[f])), g.floatInitializer('wide_item_w', pick(weights.denseWeight, 1, this.denseWidth, itemCols), [1, itemCols.length]), g.floatInitializer('wide_dense_b', weights.denseBias, [1])], { transB: attr.int(1) })];
    const userDense = dense.filter((_, f) => this.isUserDense[f]);
    if (userDense.length > 0) terms.push(g.apply('Gemm', [concatColumns(g, userDense), g.floatInitializer('wide_user_w', pick(weights.denseWeight, 1, this.denseWidth, userCols), [1, userCols.length])], { transB: attr.int(1) }));
    weights.tables.forEach((table, f) => {
      terms.push(g.apply('Gather', [g.floatInitializer(`wide_${f}`, table, [table.length, 1]), categorical[f]!], { axis: attr.int(0) }));
    });
    return terms;
  }

  /**
   * The deep part's logit [batch, 1] over the graph's inputs (null for the wide-only model);
   * initializer names start with `prefix` so several models can share one graph. User fields
   * are fed once ([1], [1, width]) and their share of the first layer is computed once and
   * broadcast: the same function as the trainer's for a batch of one user's candidates, with
   * ~40% fewer multiply-adds.
   */
  emitDeep(g: OnnxGraphBuilder, inputs: RankerGraphInputs, prefix: string): string | null {
    if (!this.mlp) return null;
    const { categorical, dense } = inputs;
    const isUserCat = this.spec.categorical.map((field) => USER_CATEGORICAL_FIELDS.has(field.name));
    const denseCols = this.denseColumns();
    const dim = this.shape.embeddingDim;
    const userParts: string[] = [];
    const itemParts: string[] = [];
    const cols = { user: [] as number[], item: [] as number[] };
    this.deepFields.forEach((f, k) => {
      const table = this.deepTables[f]!;
      const part = g.apply('Gather', [g.floatInitializer(`${prefix}deep_${f}`, table.parameter.value, [table.rows, dim]), categorical[f]!], { axis: attr.int(0) });
      (isUserCat[f] ? userParts : itemParts).push(part);
      for (let c = 0; c < dim; c++) (isUserCat[f] ? cols.user : cols.item).push(k * dim + c);
    });
    const denseAt = this.deepFields.length * dim;
    cols.user.push(...denseCols.user.map((c) => denseAt + c));
    cols.item.push(...denseCols.item.map((c) => denseAt + c));
    const [first, ...rest] = this.mlp.layers;
    const w1 = first!.weight.value;
    const itemH = g.apply('Gemm', [concatColumns(g, [...itemParts, ...dense.filter((_, f) => !this.isUserDense[f])]), g.floatInitializer(`${prefix}mlp_0_item_w`, pick(w1, first!.outDim, first!.inDim, cols.item), [first!.outDim, cols.item.length]), g.floatInitializer(`${prefix}mlp_0_b`, first!.bias.value, [first!.outDim])], { transB: attr.int(1) });
    const userH = g.apply('Gemm', [concatColumns(g, [...userParts, ...dense.filter((_, f) => this.isUserDense[f])]), g.floatInitializer(`${prefix}mlp_0_user_w`, pick(w1, first!.outDim, first!.inDim, cols.user), [first!.outDim, cols.user.length])], { transB: attr.int(1) });
    let h = g.apply('Add', [itemH, userH]);
    rest.forEach((layer, l) => {
      h = g.apply('Relu', [h]);
      h = g.apply('Gemm', [h, g.floatInitializer(`${prefix}mlp_${l + 1}_w`, layer.weight.value, [layer.outDim, layer.inDim]), g.floatInitializer(`${prefix}mlp_${l + 1}_b`, layer.bias.value, [layer.outDim])], { transB: attr.int(1) });
    });
    return h;
  }

  /** Dense columns of the trainer's layout, split into the user's and the candidates'. */
  private denseColumns(): { user: number[]; item: number[] } {
    const isUserDense = this.isUserDense;
    const cols = { user: [] as number[], item: [] as number[] };
    let offset = 0;
    this.spec.dense.forEach((field, f) => {
      for (let c = 0; c < field.width; c++) (isUserDense[f] ? cols.user : cols.item).push(offset + c);
      offset += field.width;
    });
    return cols;
  }
}

/** The wide part's weights in a model's layout. */
export interface WideWeights {
  readonly tables: readonly Float32Array[];
  readonly denseWeight: Float32Array;
  readonly denseBias: Float32Array;
}

/** The graph inputs every ranker model reads: `cat_<field>` int32 and `dense_<field>` float, spec order. */
export interface RankerGraphInputs {
  readonly categorical: readonly string[];
  readonly dense: readonly string[];
}

/**
 * Models over the same spec as ONE ONNX graph: inputs `cat_<field>` int32 and `dense_<field>`
 * float [rows, width], one per field (user fields [1] / [1, width]); output `score` float
 * [batch] = sigmoid(mean of the models' logits) — the trainer's ensemble prediction.
 */
export function wideDeepToOnnx(models: readonly WideDeepModel[], metadata: Record<string, string> = {}): Uint8Array {
  const first = models[0];
  if (first === undefined) throw new Error('wideDeepToOnnx: no models');
  const spec = first.spec;
  const g = new OnnxGraphBuilder({ graphName: first.shape.deep ? 'wide_deep' : 'logistic_regression', metadata });
  const inputs: RankerGraphInputs = {
    categorical: spec.categorical.map((field) => g.input(categoricalInputName(field.name), 'int32', [USER_CATEGORICAL_FIELDS.has(field.name) ? 1 : 'batch'])),
    dense: spec.dense.map((field) => g.input(denseInputName(field.name), 'float', [USER_DENSE_FIELDS.has(field.name) ? 1 : 'batch', field.width])),
  };
  // The wide part is linear in its weights: the mean of the members' wide logits is one wide part with their mean weights.
  const terms = first.emitWide(g, inputs, meanWideWeights(models.map((model) => model.wideWeights())));
  const deep = models.flatMap((model, k) => model.emitDeep(g, inputs, models.length === 1 ? '' : `m${k}_`) ?? []);
  if (deep.length === 1) terms.push(deep[0]!);
  else if (deep.length > 1) terms.push(g.apply('Mul', [g.apply('Sum', deep), g.floatInitializer('ensemble_scale', Float32Array.of(1 / deep.length), [1])]));
  const probability = g.apply('Sigmoid', [g.apply('Sum', terms)]);
  g.node('Reshape', [probability, g.int64Initializer('score_shape', [-1])], [SCORE_OUTPUT]);
  g.output(SCORE_OUTPUT, 'float', ['batch']);
  return g.toBytes();
}

function meanWideWeights(all: readonly WideWeights[]): WideWeights {
  if (all.length === 1) return all[0]!;
  const mean = (pickArray: (weights: WideWeights) => Float32Array): Float32Array => {
    const out = new Float32Array(pickArray(all[0]!).length);
    for (const weights of all) {
      const values = pickArray(weights);
      for (let k = 0; k < out.length; k++) out[k]! += values[k]! / all.length;
    }
    return out;
  };
  return { tables: all[0]!.tables.map((_, f) => mean((weights) => weights.tables[f]!)), denseWeight: mean((weights) => weights.denseWeight), denseBias: mean((weights) => weights.denseBias) };
}

function concatColumns(g: OnnxGraphBuilder, parts: readonly string[]): string {
  return parts.length === 1 ? parts[0]! : g.apply('Concat', parts, { axis: attr.int(1) });
}

/** Columns `cols` of a rows × width row-major matrix, as a rows × cols.length matrix. */
function pick(matrix: Float32Array, rows: number, width: number, cols: readonly number[]): Float32Array {
  const out = new Float32Array(rows * cols.length);
  for (let r = 0; r < rows; r++) for (let k = 0; k < cols.length; k++) out[r * cols.length + k] = matrix[r * width + cols[k]!]!;
  return out;
}
