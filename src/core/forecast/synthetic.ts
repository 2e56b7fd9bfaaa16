/** Synthetic series with known structure and seeded noise, for tests and the benchmark. */
import type { Rng } from '../rng.js';

export interface SyntheticSpec {
  n: number;
  level: number;
  /** added per step */
  slope?: number;
  /** amplitude of a daily sine (period `day` steps) */
  daily?: number;
  /** amplitude of a weekly sine (period `week` steps) */
  weekly?: number;
  day?: number;
  week?: number;
  noiseSd: number;
}

export function syntheticSeries(s: SyntheticSpec, rng: Rng): Float64Array {
  const y = new Float64Array(s.n);
  const day = s.day ?? 24;
  const week = s.week ?? 168;
  for (let t = 0; t < s.n; t++) {
    y[t] = s.level + (s.slope ?? 0) * t + (s.daily ?? 0) * Math.sin((2 * Math.PI * t) / day) + (s.weekly ?? 0) * Math.sin((2 * Math.PI * t) / week) + s.noiseSd * rng.normal();
  }
  return y;
}

/** A path of ETS(A,N,N): ℓ ← ℓ + αe, y = ℓ + e. */
export function simulateSes(n: number, alpha: number, level: number, sd: number, rng: Rng): Float64Array {
  const y = new Float64Array(n);
  let l = level;
  for (let t = 0; t < n; t++) {
    const e = sd * rng.normal();
    y[t] = l + e;
    l += alpha * e;
  }
  return y;
}

/** A path of additive Holt–Winters with a damped trend and one season (known parameters). */
export function simulateHoltWinters(n: number, p: { alpha: number; beta: number; phi: number; gamma: number; m: number; level: number; trend: number; amplitude: number; sd: number }, rng: Rng): Float64Array {
  const s = Float64Array.from({ length: p.m }, (_, j) => p.amplitude * Math.sin((2 * Math.PI * j) / p.m));
  const y = new Float64Array(n);
  let l = p.level;
  let b = p.trend;
  for (let t = 0; t < n; t++) {
    const e = p.sd * rng.normal();
    const j = t % p.m;
    y[t] = l + p.phi * b + s[j]! + e;
    l = l + p.phi * b + p.alpha * e;
    b = p.phi * b + p.beta * e;
    s[j]! += p.gamma * e;
  }
  return y;
}
