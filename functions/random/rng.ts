// A small seeded pseudo-random generator (mulberry32 core with a splitmix-style seed hash):
// the same seed gives the same sequence on every machine, which sample data and simulation
// tests depend on. Not for cryptography.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
}

export function createRng(seed: number | string): Rng {
  let state = hashSeed(seed);
  return {
    next(): number {
      state = (state + 0x6d2b79f5) | 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

function hashSeed(seed: number | string): number {
  const text = String(seed);
  let h = 0x9e3779b9;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x85ebca6b);
    h ^= h >>> 13;
  }
  h = Math.imul(h ^ (h >>> 16), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

export function uniform(rng: Rng, low: number, high: number): number {
  return low + (high - low) * rng.next();
}

export function integerBetween(rng: Rng, low: number, highInclusive: number): number {
  return low + Math.floor(rng.next() * (highInclusive - low + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[Math.floor(rng.next() * items.length)]!;
}

/** Index drawn with probability proportional to `weights`. */
export function weightedIndex(rng: Rng, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return weights.length - 1;
}

export function standardNormal(rng: Rng): number {
  // Box-Muller; 1 - next() keeps the logarithm away from 0.
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function exponential(rng: Rng, rate: number): number {
  return -Math.log(1 - rng.next()) / rate;
}

/** Gamma(shape, rate) by Marsaglia & Tsang (2000), with the boost for shape < 1. */
export function gamma(rng: Rng, shape: number, rate: number): number {
  if (shape < 1) {
    const u = rng.next();
    return gamma(rng, shape + 1, rate) * Math.pow(u === 0 ? Number.MIN_VALUE : u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x ** 4) return (d * v) / rate;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return (d * v) / rate;
  }
}

export function beta(rng: Rng, a: number, b: number): number {
  const x = gamma(rng, a, 1);
  const y = gamma(rng, b, 1);
  return x / (x + y);
}

export function poisson(rng: Rng, mean: number): number {
  if (mean < 30) {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = rng.next();
    while (p > limit) {
      k++;
      p *= rng.next();
    }
    return k;
  }
  // Normal approximation is adequate for sample data at large means.
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * standardNormal(rng)));
}
