/**
 * The one interface every forecasting model implements:
 *   fit(y, ctx) → Fitted;  Fitted.predict(h) → {p10, p50, p90}[]
 * Models are pure functions of their inputs; nothing reads a clock or a random source.
 */
import type { Feature } from './series.js';

export interface FitContext {
  /** epoch ms of y[0] and the slot length, for calendar features */
  startMs: number;
  intervalMs: number;
  /** seasonal periods in slots (a day, a week) where the interval allows */
  periods: { day?: number; week?: number };
  /** what the periods are called in messages (`day`, `year`, `6-step season`); day/week if absent */
  seasonNames?: { day: string; week: string };
  /** user features, each one value per slot, possibly extending past y (future values) */
  features: Feature[];
}

export interface Quantiles {
  p10: number;
  p50: number;
  p90: number;
}

/** Point forecast and its standard deviation for each step ahead. */
export interface PointForecast {
  mean: Float64Array;
  sd: Float64Array;
}

export interface Fitted {
  model: string;
  /** fitted parameters by name (smoothing weights, coefficients…) */
  params: Record<string, number>;
  /** standard deviation of the one-step in-sample errors */
  sigma: number;
  /** mean and sd for h steps after the end of the data it was fitted on */
  forecast(h: number): PointForecast;
  /**
   * The same parameters run over a longer series that starts where the fitted one did: the
   * states are brought up to date, nothing is re-estimated (used by the rolling-origin backtest).
   */
  extend(y: Float64Array): Fitted;
  /** Re-estimate on a longer series starting from these estimates (a warm start); optional. */
  refit?(y: Float64Array): Fitted;
  /** Gaussian quantiles from forecast(): the model's own intervals, before calibration. */
  predict(h: number): Quantiles[];
}

export interface ForecastModel {
  name: string;
  /** one line for tables and docs */
  description: string;
  /**
   * Why the model cannot run on n points in this context, or undefined when it can; `y` (the n
   * points, when known) lets a model refuse a series of the wrong kind (intermittent models).
   */
  unusable(n: number, ctx: FitContext, horizon: number, y?: Float64Array): string | undefined;
  fit(y: Float64Array, ctx: FitContext): Fitted;
}

/**
 * The standard normal quantile function (Acklam's rational approximation, relative error below
 * 1.2e-9): the Gaussian fallback for any quantile asked for.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** z for the 10th/90th percentile of a standard normal. */
export const Z90 = 1.2815515655446004;

export function gaussianQuantiles(f: PointForecast): Quantiles[] {
  return Array.from(f.mean, (m, i) => ({ p10: m - Z90 * f.sd[i]!, p50: m, p90: m + Z90 * f.sd[i]! }));
}

/** Adds predict() to a fitted model built from forecast(). */
export function withPredict(f: Omit<Fitted, 'predict'>): Fitted {
  return { ...f, predict: (h) => gaussianQuantiles(f.forecast(h)) };
}

export function sdOf(residuals: ArrayLike<number>, from = 0, dof = 0): number {
  let s = 0;
  let k = 0;
  for (let i = from; i < residuals.length; i++) {
    const r = residuals[i]!;
    if (Number.isFinite(r)) {
      s += r * r;
      k++;
    }
  }
  return k - dof > 0 ? Math.sqrt(s / (k - dof)) : 0;
}
