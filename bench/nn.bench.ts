/**
 * lib/nn training-step benchmark: ms per step (forward + backward + Adam) at batch 1024 for
 * a wide&deep-shaped network (26 categorical fields, embeddings of dim 16 from 20k-row
 * tables, MLP [416, 256, 128, 64, 1], sigmoid + BCE) and for the two-tower user-tower
 * MLP shape (176 → 256 → 64, in-batch softmax over 1024×1024 logits).
 *
 *   npm run bench:nn -- [--steps 20] [--batch 1024]
 */
import { parseArgs } from 'node:util';
import { createPrng } from '../offline/data/prng.js';
import { Adam, EmbeddingTable, Mlp, gemmABt, sigmoidBinaryCrossEntropy, softmaxCrossEntropy } from '../lib/nn/index.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '20' }, batch: { type: 'string', default: '1024' } } });
const steps = Number(values.steps);
const batch = Number(values.batch);
const random = createPrng(7);

function timeSteps(label: string, step: () => void): number {
  for (let s = 0; s < 3; s++) step();
  const started = performance.now();
  for (let s = 0; s < steps; s++) step();
  const ms = (performance.now() - started) / steps;
  console.log(`| ${label} | ${batch} | ${ms.toFixed(1)} |`);
  return ms;
}

function wideDeep(): void {
  const fields = 26;
  const dim = 16;
  const table = new EmbeddingTable(20_000, dim, random);
  const mlp = new Mlp([fields * dim, 256, 128, 64, 1], random);
  const adam = new Adam(mlp.parameters, [table.parameter], { learningRate: 1e-3 });
  const indices = Int32Array.from({ length: batch * fields }, () => random.int(20_000));
  const labels = Float32Array.from({ length: batch }, () => (random.next() < 0.3 ? 1 : 0));
  const x = new Float32Array(batch * fields * dim);
  const gx = new Float32Array(batch * fields * dim);
  const g = new Float32Array(batch);
  timeSteps('wide&deep MLP 416-256-128-64-1, 26 fields × 16', () => {
    table.gather(indices, batch * fields, x);
    const out = mlp.forward(x, batch);
    sigmoidBinaryCrossEntropy(out, labels, batch, g);
    mlp.backward(x, g, gx);
    table.scatterAdd(indices, batch * fields, gx);
    adam.step();
  });
}

function towerShape(): void {
  const mlp = new Mlp([176, 256, 64], random);
  const adam = new Adam(mlp.parameters, [], { learningRate: 1e-3 });
  const x = Float32Array.from({ length: batch * 176 }, () => random.normal());
  const items = Float32Array.from({ length: batch * 64 }, () => random.normal());
  const logits = new Float32Array(batch * batch);
  const targets = Int32Array.from({ length: batch }, (_, k) => k);
  const gu = new Float32Array(batch * 64);
  const itemsT = new Float32Array(batch * 64);
  timeSteps('user-tower MLP 176-256-64 + 1024×1024 in-batch softmax', () => {
    const u = mlp.forward(x, batch);
    gemmABt(u, items, logits, batch, batch, 64);
    softmaxCrossEntropy(logits, batch, batch, targets, logits);
    // dL/du = G · V: V transposed so the product stays in the dot-product shape.
    for (let r = 0; r < batch; r++) for (let d = 0; d < 64; d++) itemsT[d * batch + r] = items[r * 64 + d]!;
    gemmABt(logits, itemsT, gu, batch, 64, batch);
    mlp.backward(x, gu, null);
    adam.step();
  });
}

console.log('| network | batch | ms/step |');
console.log('|---|---:|---:|');
wideDeep();
towerShape();
