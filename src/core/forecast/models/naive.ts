/** The benchmarks every other model must beat: naive, seasonal naive, drift, mean. */
import { sdOf, withPredict, type Fitted, type ForecastModel } from '../model.js';

/** Last value carried forward; sd grows with √h (a random walk). */
export const naive: ForecastModel = {
  name: 'naive',
  description: 'the last value, repeated',
  unusable: (n) => (n < 2 ? 'needs 2 points' : undefined),
  fit: (y) => fitSeasonalNaive(y, 1, 'naive'),
};

export function seasonalNaive(which: 'day' | 'week'): ForecastModel {
  const name = `snaive-${which}`;
  return {
    name,
    description: `the value one ${which} earlier`,
    unusable(n, ctx) {
      const m = ctx.periods[which];
      const called = ctx.seasonNames?.[which] ?? which;
      if (!m) return called === which ? `the interval has no whole number of slots per ${which}` : `there is no ${called} (give two with --season)`;
      if (n < 2 * m) return `needs two ${called}s of history (${2 * m} points), has ${n}`;
      return undefined;
    },
    fit: (y, ctx) => fitSeasonalNaive(y, ctx.periods[which]!, name),
  };
}

export function fitSeasonalNaive(y: Float64Array, m: number, model: string): Fitted {
  const res = new Float64Array(Math.max(0, y.length - m));
  for (let t = m; t < y.length; t++) res[t - m] = y[t]! - y[t - m]!;
  const sigma = sdOf(res);
  return withPredict({
    model,
    params: { period: m },
    sigma,
    forecast(h) {
      const mean = new Float64Array(h);
      const sd = new Float64Array(h);
      for (let i = 0; i < h; i++) {
        mean[i] = y[y.length - m + (i % m)]!;
        sd[i] = sigma * Math.sqrt(Math.floor(i / m) + 1);
      }
      return { mean, sd };
    },
    extend: (longer) => fitSeasonalNaive(longer, m, model),
  });
}

/** A straight line from the first to the last value, extended (random walk with drift). */
export const drift: ForecastModel = {
  name: 'drift',
  description: 'the line through the first and last values, extended',
  unusable: (n) => (n < 3 ? 'needs 3 points' : undefined),
  fit: (y) => fitDrift(y),
};

function fitDrift(y: Float64Array): Fitted {
  const T = y.length;
  const slope = (y[T - 1]! - y[0]!) / (T - 1);
  const res = new Float64Array(T - 1);
  for (let t = 1; t < T; t++) res[t - 1] = y[t]! - y[t - 1]! - slope;
  const sigma = sdOf(res, 0, 1);
  return withPredict({
    model: 'drift',
    params: { slopePerStep: slope },
    sigma,
    forecast(h) {
      const mean = new Float64Array(h);
      const sd = new Float64Array(h);
      for (let i = 0; i < h; i++) {
        mean[i] = y[T - 1]! + slope * (i + 1);
        sd[i] = sigma * Math.sqrt((i + 1) * (1 + (i + 1) / (T - 1)));
      }
      return { mean, sd };
    },
    extend: fitDrift,
  });
}

/** The mean of the history: wins on stationary noise (request counts around a steady rate). */
export const mean: ForecastModel = {
  name: 'mean',
  description: 'the mean of the history',
  unusable: (n) => (n < 2 ? 'needs 2 points' : undefined),
  fit: (y) => fitMean(y),
};

function fitMean(y: Float64Array): Fitted {
  const T = y.length;
  let s = 0;
  for (let t = 0; t < T; t++) s += y[t]!;
  const mu = s / T;
  const res = new Float64Array(T);
  for (let t = 0; t < T; t++) res[t] = y[t]! - mu;
  const sigma = sdOf(res, 0, 1);
  return withPredict({
    model: 'mean',
    params: { mean: mu },
    sigma,
    forecast(h) {
      return { mean: new Float64Array(h).fill(mu), sd: new Float64Array(h).fill(sigma * Math.sqrt(1 + 1 / T)) };
    },
    extend: fitMean,
  });
}

