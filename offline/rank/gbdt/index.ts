/** Gradient-boosted trees (ml-cart CART trees under logistic loss) with an ONNX export. */
export { trainGbdt, logloss, type GbdtDataset, type GbdtOptions } from './train-gbdt.js';
export { GbdtModel, type GbdtTrainingReport } from './gbdt-model.js';
export { gbdtToOnnx, type GbdtOnnxOptions } from './gbdt-onnx.js';
export { ceilFloat32, type GbdtTree } from './gbdt-tree.js';
