/**
 * Intermittent demand (mostly-zero series: GPU requests of a small team per hour, errors per
 * minute), where smoothing the series itself forecasts a fraction of a spike at every step:
 *   croston  Croston (1972) with the Syntetos–Boylan correction: the non-zero sizes z and the
 *            intervals p between them are smoothed separately (weight α), updated only when
 *            demand occurs; forecast (1 − α/2)·z/p, flat.
 *   tsb      Teunter, Syntetos & Babai (2011): the probability d of demand in a period is smoothed
 *            every period (weight β), the size z when demand occurs (α); forecast d·z, flat. Unlike
 *            Croston it decays towards 0 when demand stops.
 * The weights come from a small grid by one-step squared error. Both need a non-negative series
 * with at least a third of zeros and two non-zero values.
 */
import { sdOf, withPredict, type Fitted, type ForecastModel } from '../model.js';

const GRID = [0.05, 0.1, 0.2, 0.3, 0.5];

export function intermittentWhy(y: Float64Array, n = y.length): string | undefined {
  let zeros = 0;
  let nonzero = 0;
  for (let t = 0; t < n; t++) {
    if (y[t]! < 0) return 'needs a series without negative values';
    if (y[t] === 0) zeros++;
    else nonzero++;
  }
  if (nonzero < 2) return 'needs two non-zero values';
  if (zeros * 3 < n) return `is for mostly-zero series (at least a third of zeros; this one has ${Math.round((100 * zeros) / n)}%)`;
  return undefined;
}

/** One pass: one-step forecasts and the final state. */
export function runCroston(y: ArrayLike<number>, alpha: number): { fcast: Float64Array; z: number; p: number } {
  const n = y.length;
  const fcast = new Float64Array(n);
  let first = -1;
  for (let t = 0; t < n && first < 0; t++) if (y[t]! > 0) first = t;
  let z = first >= 0 ? y[first]! : 0;
  let p = first + 1;
  let q = 1;
  for (let t = 0; t < n; t++) {
    fcast[t] = t > first && p > 0 ? (1 - alpha / 2) * (z / p) : NaN;
    if (t <= first) continue;
    if (y[t]! > 0) {
      z += alpha * (y[t]! - z);
      p += alpha * (q - p);
      q = 1;
    } else q++;
  }
  return { fcast, z, p };
}

export function runTsb(y: ArrayLike<number>, alpha: number, beta: number): { fcast: Float64Array; z: number; d: number } {
  const n = y.length;
  const fcast = new Float64Array(n);
  let nz = 0;
  let zSum = 0;
  for (let t = 0; t < n; t++) if (y[t]! > 0) ((nz++), (zSum += y[t]!));
  // Start from the whole-history averages: a neutral start that the smoothing soon forgets.
  let z = nz ? zSum / nz : 0;
  let d = nz / n;
  for (let t = 0; t < n; t++) {
    fcast[t] = d * z;
    const occurs = y[t]! > 0 ? 1 : 0;
    d += beta * (occurs - d);
    if (occurs) z += alpha * (y[t]! - z);
  }
  return { fcast, z, d };
}

function sse(y: Float64Array, f: Float64Array): number {
  let s = 0;
  for (let t = 0; t < y.length; t++) if (Number.isFinite(f[t]!)) s += (y[t]! - f[t]!) ** 2;
  return s;
}

function flat(model: string, y: Float64Array, level: number, f: Float64Array, params: Record<string, number>, again: (y: Float64Array) => Fitted, refit: (y: Float64Array) => Fitted): Fitted {
  const res = Float64Array.from(y, (v, t) => v - f[t]!);
  const sigma = sdOf(res);
  return withPredict({
    model,
    params: { ...params, level },
    sigma,
    forecast: (h) => ({ mean: new Float64Array(h).fill(level), sd: new Float64Array(h).fill(sigma) }),
    extend: again,
    refit,
  });
}

export function fitCroston(y: Float64Array, alphaFixed?: number): Fitted {
  let alpha = alphaFixed ?? GRID[0]!;
  if (alphaFixed === undefined) {
    let best = Infinity;
    for (const a of GRID) {
      const v = sse(y, runCroston(y, a).fcast);
      if (v < best) ((best = v), (alpha = a));
    }
  }
  const r = runCroston(y, alpha);
  return flat('croston', y, r.p > 0 ? (1 - alpha / 2) * (r.z / r.p) : 0, r.fcast, { alpha }, (l) => fitCroston(l, alpha), (l) => fitCroston(l));
}

export function fitTsb(y: Float64Array, fixed?: { alpha: number; beta: number }): Fitted {
  let best = fixed ?? { alpha: GRID[0]!, beta: GRID[0]! };
  if (!fixed) {
    let bestF = Infinity;
    for (const alpha of GRID) {
      for (const beta of GRID) {
        const v = sse(y, runTsb(y, alpha, beta).fcast);
        if (v < bestF) ((bestF = v), (best = { alpha, beta }));
      }
    }
  }
  const r = runTsb(y, best.alpha, best.beta);
  return flat('tsb', y, r.d * r.z, r.fcast, { alpha: best.alpha, beta: best.beta }, (l) => fitTsb(l, best), (l) => fitTsb(l));
}

export const croston: ForecastModel = {
  name: 'croston',
  description: 'Croston (SBA-corrected): sizes and intervals of non-zero demand smoothed apart',
  unusable: (n, _ctx, _h, y) => (n < 4 ? 'needs 4 points' : y ? intermittentWhy(y) : undefined),
  fit: (y) => fitCroston(y),
};

export const tsb: ForecastModel = {
  name: 'tsb',
  description: 'TSB: probability of demand and its size smoothed apart (decays when demand stops)',
  unusable: (n, _ctx, _h, y) => (n < 4 ? 'needs 4 points' : y ? intermittentWhy(y) : undefined),
  fit: (y) => fitTsb(y),
};
