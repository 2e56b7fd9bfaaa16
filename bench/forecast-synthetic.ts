/** The synthetic hourly series of the forecast bench (seeded): 8 weeks of history and a 9th held out. */
import { seededRng } from '../src/core/rng.js';

export const HIST = 24 * 7 * 8;
export const H = 24 * 7;
export const HOUR = 3_600_000;
export const START = Date.UTC(2025, 0, 6);

export function makeSeries(i: number): Float64Array {
  const rng = seededRng(10_000 + i);
  const n = HIST + H;
  const level = 5 + rng.next() * 495;
  const slope = ((rng.next() - 0.5) * level) / n;
  const daily = level * rng.next() * 0.4;
  const weekly = level * rng.next() * 0.2;
  const noise = level * (0.02 + rng.next() * 0.13);
  const phase = rng.next() * 2 * Math.PI;
  const shiftAt = rng.next() < 0.3 ? Math.floor(n * (0.3 + 0.6 * rng.next())) : -1;
  const shift = (rng.next() - 0.5) * level * 0.4;
  const y = new Float64Array(n);
  let ar = 0;
  for (let t = 0; t < n; t++) {
    ar = 0.5 * ar + noise * rng.normal();
    const v = level + slope * t + daily * Math.sin((2 * Math.PI * t) / 24 + phase) + weekly * Math.sin((2 * Math.PI * t) / 168) + (shiftAt >= 0 && t >= shiftAt ? shift : 0) + ar;
    y[t] = Math.max(0, v);
  }
  return y;
}

