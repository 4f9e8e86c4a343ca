/** Metrics of a binary scorer on labelled pairs: ROC AUC (ties count half) and mean logloss. */

/** Area under the ROC curve by the rank-sum (Mann-Whitney) formula, tied scores averaged. NaN without both classes. */
export function rocAuc(scores: Float32Array, labels: Float32Array): number {
  const n = scores.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!]! > 0.5) {
        positives++;
        rankSum += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean binary cross-entropy of probabilities, clipped to [1e-7, 1 - 1e-7]. */
export function logLoss(probabilities: Float32Array, labels: Float32Array): number {
  let total = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = Math.min(1 - 1e-7, Math.max(1e-7, probabilities[i]!));
    total -= labels[i]! > 0.5 ? Math.log(p) : Math.log(1 - p);
  }
  return probabilities.length > 0 ? total / probabilities.length : Number.NaN;
}
