/**
 * An exponential moving average of a model's parameters (Polyak averaging as in TensorFlow's
 * `ExponentialMovingAverage` with `num_updates`): after each optimiser step
 * average = d · average + (1 − d) · value, with d = min(decay, (1 + t) / (10 + t)) at step t,
 * so the first steps do not tie the average to the initial values. The ranker validates and
 * exports the average instead of the last step's values (README "Ranking").
 */
export class ParameterAverage {
  /** The averaged values, one array per parameter, in the order given. */
  readonly values: Float32Array[];
  private steps = 0;

  constructor(private readonly live: readonly Float32Array[], readonly decay: number) {
    if (!(decay > 0 && decay < 1)) throw new RangeError(`ParameterAverage: decay ${decay} is not in (0, 1)`);
    this.values = live.map((values) => values.slice());
  }

  /** The decay applied at the next update. */
  get currentDecay(): number {
    return Math.min(this.decay, (1 + this.steps) / (10 + this.steps));
  }

  /** Folds the live values in (call after each optimiser step). */
  update(): void {
    const d = this.currentDecay;
    const rest = 1 - d;
    for (let p = 0; p < this.values.length; p++) {
      const average = this.values[p]!;
      const value = this.live[p]!;
      for (let k = 0; k < average.length; k++) average[k] = d * average[k]! + rest * value[k]!;
    }
    this.steps++;
  }
}
