/**
 * Small seeded PRNG (sfc32, seeded through splitmix32) so that generated data
 * and splits are reproducible byte for byte across runs and machines.
 */
export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal. */
  normal(): number;
}

export function createPrng(seed: number): Prng {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();

  const uint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) uint32();

  const next = (): number => uint32() / 4294967296;
  let spare = Number.NaN;
  return {
    next,
    int: (n: number): number => Math.floor(next() * n),
    normal: (): number => {
      if (!Number.isNaN(spare)) {
        const value = spare;
        spare = Number.NaN;
        return value;
      }
      let u = next();
      while (u === 0) u = next();
      const radius = Math.sqrt(-2 * Math.log(u));
      const angle = 2 * Math.PI * next();
      spare = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
  };
}

/** FNV-1a over UTF-16 code units: a stable 32-bit seed for a string. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/** Fisher-Yates in place (k from the end down, j = int(k + 1)): the one shuffle every generator and split uses. */
export function shuffleInPlace(random: Prng, values: { [index: number]: number; readonly length: number }): void {
  for (let k = values.length - 1; k > 0; k--) {
    const j = random.int(k + 1);
    const swap = values[k]!;
    values[k] = values[j]!;
    values[j] = swap;
  }
}

/** 0..n-1 in a random order. */
export function shuffledIndices(random: Prng, n: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, k) => k);
  shuffleInPlace(random, order);
  return order;
}
