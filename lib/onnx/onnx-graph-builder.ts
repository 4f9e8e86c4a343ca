import { RecsysError } from '../domain/errors.js';
import { attributeProto, type OnnxAttribute } from './onnx-attribute.js';
import { modelProto, ONNX_DATA_TYPE } from './onnx-proto.js';
import { tensorProto, tensorValue, type OnnxElementType, type OnnxTensorData, type OnnxTensorValue } from './onnx-tensor.js';

/** A dimension: a fixed size, or a name for a dynamic one (e.g. 'batch'). */
export type OnnxDim = number | string;

export interface OnnxModelOptions {
  /** Graph name (default 'recsys'). */
  readonly graphName?: string;
  /**
   * Opset version per domain; '' is the default ONNX domain. Defaults: '' 17 and
   * 'ai.onnx.ml' 3 (TreeEnsembleRegressor with the *_as_tensor attributes). A domain
   * is imported only when a node uses it ('' always is).
   */
  readonly opsets?: Readonly<Record<string, number>>;
  /** IR version (default 8: ONNX 1.10+, read by every onnxruntime since 1.10). */
  readonly irVersion?: number;
  readonly producerName?: string;
  readonly producerVersion?: string;
  readonly docString?: string;
  /** ModelProto.metadata_props: readable by onnxruntime after load (e.g. the feature-spec digest). */
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface OnnxNodeOptions {
  /** Operator domain: '' (default ONNX) or e.g. 'ai.onnx.ml'. */
  readonly domain?: string;
  /** Node name (default: a unique one from the op type). */
  readonly name?: string;
}

interface ValueInfo {
  readonly name: string;
  readonly type: OnnxElementType;
  readonly dims: readonly OnnxDim[];
}

interface NodeEntry {
  readonly opType: string;
  readonly domain: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, OnnxAttribute>>;
}

const DEFAULT_OPSETS: Readonly<Record<string, number>> = { '': 17, 'ai.onnx.ml': 3 };

/**
 * Builds one ONNX model (a single graph) and encodes it as ModelProto bytes with the
 * official schema. Generic on purpose: the wide&deep exporter, the two-tower user tower
 * and the GBDT exporter all describe their graphs with it.
 *
 * ```ts
 * const g = new OnnxGraphBuilder();
 * g.input('ids', 'int64', ['batch']);
 * g.initializer('table', 'float', table, [vocab, dim]);
 * const emb = g.apply('Gather', ['table', 'ids'], { axis: attr.int(0) });
 * g.output(g.apply('Sigmoid', [emb], {}, { name: 'out' }), 'float', ['batch', dim]);
 * const bytes = g.toBytes();
 * ```
 *
 * The graph is checked before encoding (every node input defined before use, every
 * name produced once, outputs produced), so an exporter bug fails here with a message
 * naming the value instead of inside onnxruntime's loader.
 */
export class OnnxGraphBuilder {
  private readonly options: OnnxModelOptions;
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers = new Map<string, OnnxTensorValue>();
  private readonly nodes: NodeEntry[] = [];
  private readonly names = new Set<string>();
  private readonly counters = new Map<string, number>();

  constructor(options: OnnxModelOptions = {}) {
    this.options = options;
  }

  /** A graph input; dynamic dims by name (e.g. ['batch', 16]). Returns its name. */
  input(name: string, type: OnnxElementType, dims: readonly OnnxDim[]): string {
    this.claim(name, 'input');
    this.inputs.push({ name, type, dims: [...dims] });
    return name;
  }

  /** A constant tensor stored in the model (raw_data, little-endian). Returns its name. */
  initializer(name: string, type: OnnxElementType, data: OnnxTensorData, dims: readonly number[]): string {
    const value = tensorValue(type, data, dims, `initializer ${name}`);
    this.claim(name, 'initializer');
    this.initializers.set(name, value);
    return name;
  }

  /** Float initializer from a Float32Array or plain numbers. */
  floatInitializer(name: string, data: Float32Array | readonly number[], dims: readonly number[] = [data.length]): string {
    return this.initializer(name, 'float', data instanceof Float32Array ? data : Float32Array.from(data), dims);
  }

  /** Int64 initializer (shapes, axes, indices) from a BigInt64Array or plain integers. */
  int64Initializer(name: string, data: BigInt64Array | readonly number[], dims: readonly number[] = [data.length]): string {
    return this.initializer(name, 'int64', data instanceof BigInt64Array ? data : BigInt64Array.from(data, (value) => BigInt(value)), dims);
  }

  /** A node with named outputs. Returns the outputs. */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes: Readonly<Record<string, OnnxAttribute>> = {},
    options: OnnxNodeOptions = {},
  ): readonly string[] {
    if (outputs.length === 0) throw new RecsysError('RECSYS_ERR_ONNX_GRAPH_INVALID', `node ${opType}: needs at least one output`);
    const name = options.name ?? this.uniqueName(opType);
    for (const output of outputs) this.claim(output, `output of node ${name}`);
    this.nodes.push({ opType, domain: options.domain ?? '', name, inputs: [...inputs], outputs: [...outputs], attributes: { ...attributes } });
    return outputs;
  }

  /** A single-output node whose output gets a fresh name. Returns that name. */
  apply(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, OnnxAttribute>> = {}, options: OnnxNodeOptions = {}): string {
    const output = this.uniqueName(`${opType.toLowerCase()}_out`);
    this.node(opType, inputs, [output], attributes, options);
    return output;
  }

  /** Declares a value (an input, initializer or node output) as a graph output. Returns its name. */
  output(name: string, type: OnnxElementType, dims: readonly OnnxDim[]): string {
    if (this.outputs.some((output) => output.name === name)) throw new RecsysError('RECSYS_ERR_ONNX_GRAPH_INVALID', `output ${name} declared twice`);
    this.outputs.push({ name, type, dims: [...dims] });
    return name;
  }

  /** A name not used yet in this graph, from a prefix: `h`, `h_1`, `h_2`... */
  uniqueName(prefix: string): string {
    let n = this.counters.get(prefix) ?? 0;
    let name = n === 0 ? prefix : `${prefix}_${n}`;
    while (this.names.has(name)) name = `${prefix}_${++n}`;
    this.counters.set(prefix, n + 1);
    return name;
  }

  /** The ModelProto as a plain object (keepCase field names), after validation. */
  toModelProto(): Record<string, unknown> {
    this.validate();
    const opsets = { ...DEFAULT_OPSETS, ...this.options.opsets };
    const domains = new Set<string>(['', ...this.nodes.map((node) => node.domain)]);
    const opsetImport = [...domains].map((domain) => {
      const version = opsets[domain];
      if (version === undefined) throw new RecsysError('RECSYS_ERR_ONNX_GRAPH_INVALID', `domain ${domain} is used by a node but has no opset version (options.opsets)`);
      return { domain, version };
    });
    const graph = {
      name: this.options.graphName ?? 'recsys',
      node: this.nodes.map((node) => ({
        name: node.name,
        op_type: node.opType,
        domain: node.domain,
        input: node.inputs,
        output: node.outputs,
        attribute: Object.entries(node.attributes).map(([name, value]) => attributeProto(name, value, `node ${node.name}`)),
      })),
      initializer: [...this.initializers].map(([name, value]) => tensorProto(value, name)),
      input: this.inputs.map(valueInfoProto),
      output: this.outputs.map(valueInfoProto),
    };
    const model: Record<string, unknown> = {
      ir_version: this.options.irVersion ?? 8,
      opset_import: opsetImport,
      producer_name: this.options.producerName ?? 'recsys',
      producer_version: this.options.producerVersion ?? '0.1.0',
      graph,
    };
    if (this.options.docString !== undefined) model['doc_string'] = this.options.docString;
    if (this.options.metadata !== undefined) {
      model['metadata_props'] = Object.entries(this.options.metadata).map(([key, value]) => ({ key, value }));
    }
    return model;
  }

  /** The serialised model, ready for InferenceSession.create(bytes) or a bundle artifact. */
  toBytes(): Uint8Array {
    const type = modelProto();
    return type.encode(type.fromObject(this.toModelProto())).finish();
  }

  private claim(name: string, what: string): void {
    if (name === '') throw new RecsysError('RECSYS_ERR_ONNX_GRAPH_INVALID', `${what}: empty name`);
    if (this.names.has(name)) throw new RecsysError('RECSYS_ERR_ONNX_GRAPH_INVALID', `${what}: name ${name} is already defined in this graph`);
    this.names.add(name);
  }

  private validate(): void {
    const defined = new Set<string>([...this.inputs.map((input) => input.name), ...this.initializers.keys()]);
    for (const node of this.nodes) {
      for (const input of node.inputs) {
        // '' marks an omitted optional input.
        if (input !== '' && !defined.has(input)) {
          throw new RecsysError('RECSYS_ERR_ONNX_GRAPH_INVALID', `node ${node.name} (${node.opType}): input ${input} is not defined before it`);
        }
      }
      for (const output of node.outputs) defined.add(output);
    }
    if (this.outputs.length === 0) throw new RecsysError('RECSYS_ERR_ONNX_GRAPH_INVALID', 'graph has no outputs');
    for (const output of this.outputs) {
      if (!defined.has(output.name)) throw new RecsysError('RECSYS_ERR_ONNX_GRAPH_INVALID', `graph output ${output.name} is not produced by any node, input or initializer`);
    }
  }
}

function valueInfoProto(value: ValueInfo): Record<string, unknown> {
  return {
    name: value.name,
    type: {
      tensor_type: {
        elem_type: ONNX_DATA_TYPE[value.type],
        shape: { dim: value.dims.map((dim) => (typeof dim === 'number' ? { dim_value: dim } : { dim_param: dim })) },
      },
    },
  };
}
