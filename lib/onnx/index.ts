/** ONNX export (graph builder) and onnxruntime-node sessions. */
export { OnnxGraphBuilder, type OnnxDim, type OnnxModelOptions, type OnnxNodeOptions } from './onnx-graph-builder.js';
export { attr, type OnnxAttribute } from './onnx-attribute.js';
export { floatTensor, int64Tensor, tensorValue, type OnnxElementType, type OnnxTensorData, type OnnxTensorValue } from './onnx-tensor.js';
export {
  createOrtSession,
  cudaFallbackReason,
  ortSessionOptionsFromConfig,
  type ExecutionProvider,
  type OrtSession,
  type OrtSessionOptions,
} from './ort-session.js';
export {
  OrtWorkerPool,
  ortWorkerPoolOptionsFromConfig,
  type OrtRunOptions,
  type OrtTensorData,
  type OrtTensorMessage,
  type OrtTensorType,
  type OrtTensors,
  type OrtWorkerPoolOptions,
} from './ort-worker-pool.js';
