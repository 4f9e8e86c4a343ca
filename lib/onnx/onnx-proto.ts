import { join } from 'node:path';
import protobuf from 'protobufjs';
import { packageRoot } from '../config/load-config.js';

/**
 * The official ONNX schema (proto/onnx/onnx.proto, vendored verbatim from onnx/onnx,
 * Apache-2.0), parsed once with protobufjs. Encoding ModelProto from the real schema
 * instead of hand-writing protobuf wire format keeps field numbers and types exactly
 * the ones onnxruntime parses.
 */
let modelProtoType: protobuf.Type | undefined;

export function onnxProtoPath(): string {
  return join(packageRoot(), 'proto', 'onnx', 'onnx.proto');
}

/** The `onnx.ModelProto` message type, field names as in the .proto (keepCase). */
export function modelProto(): protobuf.Type {
  if (modelProtoType === undefined) {
    const root = new protobuf.Root().loadSync(onnxProtoPath(), { keepCase: true });
    modelProtoType = root.lookupType('onnx.ModelProto');
  }
  return modelProtoType;
}

/** TensorProto.DataType values used by the builder. */
export const ONNX_DATA_TYPE = {
  float: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  double: 11,
} as const;

/** AttributeProto.AttributeType values. */
export const ONNX_ATTRIBUTE_TYPE = {
  float: 1,
  int: 2,
  string: 3,
  tensor: 4,
  floats: 6,
  ints: 7,
  strings: 8,
} as const;
