/**
 * lib/nn: the training kernels of the learned offline jobs (two-tower; wide&deep and
 * logistic regression of the ranker), plain TypeScript over Float32Array, no framework.
 *
 * API (all row-major, batch-first; every buffer is caller-owned or grown and reused):
 * - `gemmABt(a, b, c, m, n, k, accumulate?)`: C = A·Bᵀ, the only matrix kernel; `transpose`.
 * - `DenseLayer(inDim, outDim, random, name)`: `forward(x, batch, y)`,
 *   `backward(x, gy, batch, gx | null)` (sums into weight.grad / bias.grad), `parameters`.
 * - `Mlp(widths, random, name)`: DenseLayers with ReLU between, linear last layer;
 *   `forward(x, batch)` returns the output, `backward(x, gy, gx | null)`, `parameters`.
 * - `reluForward` / `reluBackward` (in place), `sigmoid`.
 * - `EmbeddingTable(rows, dim, random, std, name)`: `gather` / `scatterAdd` (strided, so
 *   several fields write straight into one concatenated row), `bagForward` / `bagBackward`
 *   (sum or mean pooling over CSR bags, optional weights); gradients touch only used rows.
 * - `Adam(denseParameters, sparseParameters, options)`: `step()` updates dense parameters
 *   and, lazily, only the touched rows of the tables; it zeroes the gradients it used.
 * - `ParameterAverage(values, decay)`: `update()` after each step keeps an exponential moving
 *   average of the parameters (decay ramped up over the first steps) in `values`.
 * - `sigmoidBinaryCrossEntropy(logits, labels, n, grad, weights?)`,
 *   `softmaxCrossEntropy(logits, rows, cols, targets, grad)` (in-batch softmax: targets =
 *   the diagonal; temperature, logQ and masks are applied to the logits by the caller),
 *   `l2NormalizeForward` / `l2NormalizeBackward`.
 * - Seeded init: `heUniform`, `glorotUniform`, `fillNormal`, `fillUniform` over any
 *   `RandomSource` (offline/data/prng.ts `createPrng(seed)`).
 *
 * A wide&deep step: table.gather(fieldIndices, batch·F, x) → mlp.forward(x, batch) →
 * add the wide logit → sigmoidBinaryCrossEntropy → mlp.backward(x, g, gx) →
 * table.scatterAdd(fieldIndices, batch·F, gx) → adam.step().
 *
 * Why hand-written and not TensorFlow.js: measured on this 2-core machine kind (DESIGN.md
 * section 6) tfjs WASM ran ~215-260 ms/step for a wide&deep MLP at batch 1024 and only
 * after registering a scatter-add kernel its WASM backend lacks; its CPU backend ~1,000
 * ms/step; tfjs-node does not install offline. These kernels, `npm run bench:nn`
 * (bench/nn.bench.ts; batch 1024, Adam, one thread) while five other engineers shared the
 * two cores (load average ~2): wide&deep MLP 416→256→128→64→1 over 26 field embeddings of
 * dim 16: 621 ms/step with 2×2-blocked GEMMs, 339 ms/step with the 2×4 blocks kept here
 * (gemm.ts); user-tower-shaped MLP 176→256→64 plus a 1024×1024 in-batch softmax: 257-362
 * ms/step. Re-measured at load average ~2 with the final kernels: wide&deep 315 ms/step,
 * user-tower shape 205 ms/step. Under load average ~10 the same wide&deep step took ~1,280 ms,
 * so compare only figures taken together; DESIGN.md's ~180 ms was an idle machine.
 */
export { gemmABt, transpose } from './gemm.js';
export { DenseLayer } from './dense.js';
export { Mlp } from './mlp.js';
export { reluForward, reluBackward, sigmoid } from './activations.js';
export { EmbeddingTable } from './embedding.js';
export { Adam, type AdamOptions } from './adam.js';
export { ParameterAverage } from './parameter-average.js';
export { sigmoidBinaryCrossEntropy, softmaxCrossEntropy, l2NormalizeForward, l2NormalizeBackward } from './losses.js';
export { fillNormal, fillUniform, glorotUniform, heUniform, type RandomSource } from './init.js';
export { denseParameter, sparseParameter, touchRow, clearSparseGrad, type DenseParameter, type SparseParameter } from './parameter.js';
