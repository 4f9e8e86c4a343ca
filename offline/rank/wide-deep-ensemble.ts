/**
 * Several wide & deep models trained from different seeds, scored as one: probability =
 * sigmoid(mean of the members' logits), exported as one ONNX graph (wideDeepToOnnx). Wide &
 * deep stops after one or two epochs on these pairs and its held-out AUC moves by a few
 * thousandths from seed to seed; the mean of a few members removes most of that spread.
 */
import { sigmoid } from '../../lib/nn/index.js';
import { wideDeepToOnnx, type ModelBatch, type WideDeepModel } from './wide-deep-model.js';

export class WideDeepEnsemble {
  constructor(readonly members: readonly WideDeepModel[]) {
    if (members.length === 0) throw new Error('WideDeepEnsemble: no members');
  }

  /** Probabilities of a batch. */
  predict(batch: ModelBatch): Float32Array {
    const sum = new Float32Array(batch.rows);
    for (const member of this.members) {
      const logits = member.forward(batch);
      for (let r = 0; r < batch.rows; r++) sum[r]! += logits[r]!;
    }
    const scale = 1 / this.members.length;
    return Float32Array.from(sum, (x) => sigmoid(x * scale));
  }

  toOnnx(metadata: Record<string, string> = {}): Uint8Array {
    return wideDeepToOnnx(this.members, metadata);
  }
}
