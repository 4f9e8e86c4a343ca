import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { createOrtSession } from '../../lib/onnx/ort-session.js';

export type ModelTiming = { readonly ms: number; readonly runs: number; readonly inputs: string } | { readonly ms: null; readonly reason: string };

type Feed = ort.Tensor;

/** A batch-sized input tensor from the model's metadata: symbolic or unknown dims become `batch`. */
function feedFor(meta: ort.InferenceSession.ValueMetadata, batch: number): Feed {
  if (!meta.isTensor) throw new Error(`input ${meta.name} is not a tensor`);
  const dims = (meta.shape.length === 0 ? [batch] : meta.shape).map((dim) => (typeof dim === 'number' && dim > 0 ? dim : batch));
  const size = dims.reduce((a, b) => a * b, 1);
  switch (meta.type) {
    case 'float32':
      return new ort.Tensor('float32', Float32Array.from({ length: size }, (_, i) => ((i * 7919) % 1000) / 1000), dims);
    case 'int64':
      return new ort.Tensor('int64', new BigInt64Array(size), dims);
    case 'int32':
      return new ort.Tensor('int32', new Int32Array(size), dims);
    case 'bool':
      return new ort.Tensor('bool', new Uint8Array(size), dims);
    default:
      throw new Error(`input ${meta.name}: unsupported type ${meta.type}`);
  }
}

/**
 * The raw onnxruntime time of one ranker run over `candidates` rows, CPU provider, one
 * intra-op thread: the median of `runs` runs after `warm` unmeasured ones. Inputs are built
 * from the model's own metadata (valid indices 0 for integer features), so nothing but the
 * model's arithmetic is timed. The session comes from lib/onnx/ort-session.ts, as the
 * server's does. Null with a reason when the bundle has no ranker.
 */
export async function measureModelMs(modelPath: string | null, candidates: number, runs = 200, warm = 20): Promise<ModelTiming> {
  if (modelPath === null || !existsSync(modelPath)) return { ms: null, reason: 'the bundle has no ranker.onnx (no rank stage yet): model.ms, limit_rps and efficiency are null' };
  const handle = await createOrtSession(await readFile(modelPath), { executionProviders: ['cpu'], intraOpNumThreads: 1 });
  const { session } = handle;
  try {
    const feeds: Record<string, Feed> = {};
    for (const meta of session.inputMetadata) feeds[meta.name] = feedFor(meta, candidates);
    for (let i = 0; i < warm; i++) await session.run(feeds);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await session.run(feeds);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return { ms: times[Math.floor(times.length / 2)]!, runs, inputs: Object.entries(feeds).map(([name, tensor]) => `${name}[${tensor.dims.join('x')}] ${tensor.type}`).join(', ') };
  } finally {
    await handle.release();
  }
}
