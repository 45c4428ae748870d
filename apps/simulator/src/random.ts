/**
 * Seeded randomness. Every signal draws from its own `Rng` forked from the run's seed, so a
 * run with the same `--seed` produces the same data no matter how timers interleave.
 */

/** mulberry32: a tiny, fast 32-bit PRNG; plenty for simulated data, never for secrets. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, to turn a label such as `dev-001/temperature` into a sub-seed. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Converts "chance per minute" into the chance within `dtMs` (constant hazard). */
export function chanceWithin(perMinute: number, dtMs: number): number {
  if (perMinute >= 1) return 1;
  if (perMinute <= 0 || dtMs <= 0) return 0;
  return 1 - Math.pow(1 - perMinute, dtMs / 60_000);
}

/** A seeded source of uniform, gaussian and exponential draws. */
export class Rng {
  private readonly uniform: () => number;
  /** Box-Muller yields two normals per draw; the second is kept for the next call. */
  private spare: number | undefined;

  constructor(readonly seed: number) {
    this.uniform = mulberry32(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uniform();
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return min + (max - min) * this.uniform();
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.uniform() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.uniform() < p;
  }

  /** Gaussian with the given mean and standard deviation. */
  normal(mean = 0, sd = 1): number {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return mean + sd * z;
    }
    // 1 - u keeps the log argument in (0, 1].
    const u = 1 - this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + sd * r * Math.cos(2 * Math.PI * v);
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.uniform());
  }

  /** An independent stream for `label`, stable for a given seed. */
  fork(label: string): Rng {
    return new Rng((this.seed ^ hashString(label)) >>> 0);
  }
}
