/**
 * Seeded initialisers. They take any source of standard normals / uniforms, typically
 * `createPrng(seed)` of offline/data/prng.ts, so a model is reproducible bit for bit.
 */

/** What the initialisers need from a PRNG (offline/data/prng.ts `Prng` satisfies it). */
export interface RandomSource {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal. */
  normal(): number;
}

/** Uniform in [-limit, limit). */
export function fillUniform(values: Float32Array, limit: number, random: RandomSource): void {
  for (let k = 0; k < values.length; k++) values[k] = (random.next() * 2 - 1) * limit;
}

/** Normal with standard deviation `std`. */
export function fillNormal(values: Float32Array, std: number, random: RandomSource): void {
  for (let k = 0; k < values.length; k++) values[k] = random.normal() * std;
}

/** He (Kaiming) uniform for a layer followed by ReLU: limit sqrt(6 / fanIn). */
export function heUniform(values: Float32Array, fanIn: number, random: RandomSource): void {
  fillUniform(values, Math.sqrt(6 / fanIn), random);
}

/** Glorot (Xavier) uniform: limit sqrt(6 / (fanIn + fanOut)). */
export function glorotUniform(values: Float32Array, fanIn: number, fanOut: number, random: RandomSource): void {
  fillUniform(values, Math.sqrt(6 / (fanIn + fanOut)), random);
}
