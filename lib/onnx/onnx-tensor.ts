import { endianness } from 'node:os';
import { RecsysError } from '../domain/errors.js';
import { ONNX_DATA_TYPE } from './onnx-proto.js';

/** Element types the builder writes (graph inputs, outputs, initializers, tensor attributes). */
export type OnnxElementType = 'float' | 'double' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

/** Typed arrays the builder takes, one per element type (bool is one byte per element, 0 or 1). */
export type OnnxTensorData = Float32Array | Float64Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;

/** A constant tensor: an initializer's or a tensor attribute's value. */
export interface OnnxTensorValue {
  readonly type: OnnxElementType;
  readonly dims: readonly number[];
  readonly data: OnnxTensorData;
}

const ARRAY_TYPE: Record<OnnxElementType, string> = {
  float: 'Float32Array',
  double: 'Float64Array',
  int64: 'BigInt64Array',
  int32: 'Int32Array',
  int8: 'Int8Array',
  uint8: 'Uint8Array',
  bool: 'Uint8Array',
};

export function elementCount(dims: readonly number[]): number {
  let count = 1;
  for (const dim of dims) count *= dim;
  return count;
}

/** A tensor value after checking that the array type matches and the dims hold exactly its elements. */
export function tensorValue(type: OnnxElementType, data: OnnxTensorData, dims: readonly number[], what = 'tensor'): OnnxTensorValue {
  if (data.constructor.name !== ARRAY_TYPE[type]) {
    throw new RecsysError('RECSYS_ERR_ONNX_GRAPH_INVALID', `${what}: element type ${type} needs a ${ARRAY_TYPE[type]}, got ${data.constructor.name}`);
  }
  for (const dim of dims) {
    if (!Number.isInteger(dim) || dim < 0) throw new RecsysError('RECSYS_ERR_ONNX_GRAPH_INVALID', `${what}: dims must be non-negative integers, got [${dims.join(', ')}]`);
  }
  if (elementCount(dims) !== data.length) {
    throw new RecsysError('RECSYS_ERR_ONNX_GRAPH_INVALID', `${what}: dims [${dims.join(', ')}] hold ${elementCount(dims)} elements, data has ${data.length}`);
  }
  return { type, dims: [...dims], data };
}

export function floatTensor(data: Float32Array | readonly number[], dims: readonly number[] = [data.length]): OnnxTensorValue {
  return tensorValue('float', data instanceof Float32Array ? data : Float32Array.from(data), dims);
}

export function int64Tensor(data: BigInt64Array | readonly number[], dims: readonly number[] = [data.length]): OnnxTensorValue {
  return tensorValue('int64', data instanceof BigInt64Array ? data : BigInt64Array.from(data, (value) => BigInt(value)), dims);
}

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/**
 * Fixed-width little-endian bytes, as TensorProto.raw_data requires. On a little-endian
 * host (every platform onnxruntime-node ships for) this is one copy of the array's bytes.
 */
export function littleEndianBytes(data: OnnxTensorData): Uint8Array {
  const view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (LITTLE_ENDIAN_HOST || data.BYTES_PER_ELEMENT === 1) return view.slice();
  const out = new Uint8Array(data.byteLength);
  const writer = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    const offset = i * data.BYTES_PER_ELEMENT;
    if (data instanceof Float32Array) writer.setFloat32(offset, data[i]!, true);
    else if (data instanceof Float64Array) writer.setFloat64(offset, data[i]!, true);
    else if (data instanceof BigInt64Array) writer.setBigInt64(offset, data[i]!, true);
    else if (data instanceof Int32Array) writer.setInt32(offset, data[i]!, true);
  }
  return out;
}

/** TensorProto fields (keepCase names) of a constant tensor. */
export function tensorProto(value: OnnxTensorValue, name?: string): Record<string, unknown> {
  const proto: Record<string, unknown> = {
    dims: value.dims,
    data_type: ONNX_DATA_TYPE[value.type],
    raw_data: littleEndianBytes(value.data),
  };
  if (name !== undefined) proto['name'] = name;
  return proto;
}
