import { RecsysError } from '../domain/errors.js';
import { ONNX_ATTRIBUTE_TYPE } from './onnx-proto.js';
import { tensorProto, type OnnxTensorValue } from './onnx-tensor.js';

/**
 * A node attribute with its ONNX type spelled out: a JS number cannot say whether
 * it is an INT or a FLOAT attribute, and operators reject the wrong one.
 */
export type OnnxAttribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: ArrayLike<number> }
  | { readonly kind: 'floats'; readonly value: ArrayLike<number> }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'strings'; readonly value: readonly string[] }
  | { readonly kind: 'tensor'; readonly value: OnnxTensorValue };

/** Constructors: `{ axis: attr.int(0), alpha: attr.float(0.2), nodes_modes: attr.strings([...]) }`. */
export const attr = {
  int: (value: number): OnnxAttribute => ({ kind: 'int', value }),
  float: (value: number): OnnxAttribute => ({ kind: 'float', value }),
  ints: (value: ArrayLike<number>): OnnxAttribute => ({ kind: 'ints', value }),
  floats: (value: ArrayLike<number>): OnnxAttribute => ({ kind: 'floats', value }),
  string: (value: string): OnnxAttribute => ({ kind: 'string', value }),
  strings: (value: readonly string[]): OnnxAttribute => ({ kind: 'strings', value }),
  tensor: (value: OnnxTensorValue): OnnxAttribute => ({ kind: 'tensor', value }),
} as const;

function checkedInt(value: number, where: string): number {
  if (!Number.isSafeInteger(value)) throw new RecsysError('RECSYS_ERR_ONNX_GRAPH_INVALID', `${where}: ${value} is not a safe integer`);
  return value;
}

const utf8 = new TextEncoder();

/** AttributeProto fields (keepCase names). */
export function attributeProto(name: string, attribute: OnnxAttribute, where: string): Record<string, unknown> {
  const at = `${where} attribute ${name}`;
  const base = { name, type: ONNX_ATTRIBUTE_TYPE[attribute.kind] };
  switch (attribute.kind) {
    case 'int':
      return { ...base, i: checkedInt(attribute.value, at) };
    case 'float':
      return { ...base, f: attribute.value };
    case 'ints':
      return { ...base, ints: Array.from(attribute.value, (value) => checkedInt(value, at)) };
    case 'floats':
      return { ...base, floats: Array.from(attribute.value) };
    case 'string':
      return { ...base, s: utf8.encode(attribute.value) };
    case 'strings':
      return { ...base, strings: attribute.value.map((value) => utf8.encode(value)) };
    case 'tensor':
      return { ...base, t: tensorProto(attribute.value) };
  }
}
