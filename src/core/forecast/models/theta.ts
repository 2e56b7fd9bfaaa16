/**
 * The Theta method (Assimakopoulos & Nikolopoulos 2000), in the form Hyndman & Billah (2003)
 * showed it to be: simple exponential smoothing plus a drift of half the slope of the least-squares
 * line, ŷ(h) = ℓₙ + (b/2)·(h − 1 + (1 − (1−α)ⁿ)/α), on the series seasonally adjusted first
 * (classical multiplicative decomposition, as R's forecast::thetaf does) when the autocorrelation
 * at the season's lag is significant at 90% and the series is positive. It won the M3 competition
 * and is a strong default for noisy series with a trend.
 */
import { withPredict, type FitContext, type Fitted, type ForecastModel } from '../model.js';

/** SSE of SES with level starting at y[0]. */
function sesRun(y: ArrayLike<number>, alpha: number): { sse: number; level: number } {
  let l = y[0]!;
  let sse = 0;
  for (let t = 1; t < y.length; t++) {
    const e = y[t]! - l;
    sse += e * e;
    l += alpha * e;
  }
  return { sse, level: l };
}

/** α minimising the one-step SSE: a grid, then golden-section search around the best point. */
export function sesAlpha(y: ArrayLike<number>): number {
  let best = 0.5;
  let bestF = Infinity;
  for (let a = 0.05; a < 1; a += 0.1) {
    const f = sesRun(y, a).sse;
    if (f < bestF) ((bestF = f), (best = a));
  }
  let lo = Math.max(1e-4, best - 0.1);
  let hi = Math.min(0.9999, best + 0.1);
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - g * (hi - lo);
  let x2 = lo + g * (hi - lo);
  let f1 = sesRun(y, x1).sse;
  let f2 = sesRun(y, x2).sse;
  for (let i = 0; i < 40; i++) {
    if (f1 <= f2) ((hi = x2), (x2 = x1), (f2 = f1), (x1 = hi - g * (hi - lo)), (f1 = sesRun(y, x1).sse));
    else ((lo = x1), (x1 = x2), (f1 = f2), (x2 = lo + g * (hi - lo)), (f2 = sesRun(y, x2).sse));
  }
  return (lo + hi) / 2;
}

/** Whether the lag-m autocorrelation is significant at 90% (the test forecast::thetaf uses). */
export function seasonalAtLag(y: ArrayLike<number>, m: number): boolean {
  const n = y.length;
  if (m < 2 || n < 3 * m) return false;
  let mean = 0;
  for (let t = 0; t < n; t++) mean += y[t]!;
  mean /= n;
  let c0 = 0;
  for (let t = 0; t < n; t++) c0 += (y[t]! - mean) ** 2;
  if (!(c0 > 0)) return false;
  const r: number[] = [];
  for (let k = 1; k <= m; k++) {
    let c = 0;
    for (let t = k; t < n; t++) c += (y[t]! - mean) * (y[t - k]! - mean);
    r.push(c / c0);
  }
  let s = 1;
  for (let k = 0; k < m - 1; k++) s += 2 * r[k]! ** 2;
  return Math.abs(r[m - 1]!) > 1.645 * Math.sqrt(s / n);
}

/** Classical multiplicative seasonal indices (centred moving average), normalised to mean 1. */
export function multiplicativeIndices(y: ArrayLike<number>, m: number): Float64Array {
  const n = y.length;
  const sum = new Float64Array(m);
  const cnt = new Float64Array(m);
  const half = m >> 1;
  for (let t = half; t < n - half; t++) {
    let ma: number;
    if (m % 2 === 0) {
      let s = 0.5 * (y[t - half]! + y[t + half]!);
      for (let k = t - half + 1; k < t + half; k++) s += y[k]!;
      ma = s / m;
    } else {
      let s = 0;
      for (let k = t - half; k <= t + half; k++) s += y[k]!;
      ma = s / m;
    }
    if (ma > 0) ((sum[t % m]! += y[t]! / ma), cnt[t % m]!++);
  }
  const idx = Float64Array.from(sum, (s, j) => (cnt[j]! > 0 ? s / cnt[j]! : 1));
  const mean = idx.reduce((a, b) => a + b, 0) / m;
  return idx.map((v) => v / mean);
}

export function fitTheta(y: Float64Array, m: number, alphaFixed?: number): Fitted {
  const n = y.length;
  let positive = true;
  for (let t = 0; t < n; t++) if (!(y[t]! > 0)) ((positive = false), (t = n));
  const seasonal = m >= 2 && positive && seasonalAtLag(y, m);
  const idx = seasonal ? multiplicativeIndices(y, m) : undefined;
  const x = idx ? Float64Array.from(y, (v, t) => v / idx[t % m]!) : y;
  // Slope of the least-squares line through x against t.
  const tMean = (n - 1) / 2;
  let xMean = 0;
  for (let t = 0; t < n; t++) xMean += x[t]!;
  xMean /= n;
  let sxy = 0;
  let sxx = 0;
  for (let t = 0; t < n; t++) ((sxy += (t - tMean) * (x[t]! - xMean)), (sxx += (t - tMean) ** 2));
  const b = sxx > 0 ? sxy / sxx : 0;
  const alpha = alphaFixed ?? sesAlpha(x);
  const run = sesRun(x, alpha);
  const sigma = Math.sqrt(run.sse / Math.max(1, n - 2));
  const lead = (1 - (1 - alpha) ** n) / alpha;
  return withPredict({
    model: 'theta',
    params: { alpha, driftPerStep: b / 2, ...(seasonal && { period: m }) },
    sigma,
    forecast(h) {
      const mean = new Float64Array(h);
      const sd = new Float64Array(h);
      for (let i = 0; i < h; i++) {
        const s = idx ? idx[(n + i) % m]! : 1;
        mean[i] = (run.level + (b / 2) * (i + lead)) * s;
        sd[i] = sigma * Math.sqrt(1 + i * alpha * alpha) * s;
      }
      return { mean, sd };
    },
    extend: (longer) => fitTheta(longer, m, alpha),
    refit: (longer) => fitTheta(longer, m),
  });
}

export const theta: ForecastModel = {
  name: 'theta',
  description: 'Theta method: SES with half the trend line\'s drift, seasonally adjusted when significant',
  unusable: (n) => (n < 4 ? 'needs 4 points' : undefined),
  fit: (y: Float64Array, ctx: FitContext) => fitTheta(y, ctx.periods.day ?? ctx.periods.week ?? 0),
};
