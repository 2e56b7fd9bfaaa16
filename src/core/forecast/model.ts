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
  /** why the model cannot run on n points in this context, or undefined when it can */
  unusable(n: number, ctx: FitContext, horizon: number): string | undefined;
  fit(y: Float64Array, ctx: FitContext): Fitted;
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
