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


/** The windows `window-median` chooses among, in slots. */
export const MEDIAN_WINDOWS = [3, 5, 8, 12, 24, 48];
/**
 * How far back the window is chosen and the spread measured: the recent regime is what a flat
 * level forecasts, and it bounds a fit's work on a long history (the backtest refits at every
 * origin).
 */
const MEDIAN_SCORED_SLOTS = 256;

/**
 * The median of the last k values, flat: the level of a bursty series (requests per minute that
 * jump between 0 and hundreds), where a mean or a smoother is pulled by each burst and the last
 * value is one draw of the noise. k comes from MEDIAN_WINDOWS by the one-step absolute error in
 * sample (the error a median minimises), every window scored on the same (last 256) slots.
 */
export const windowMedian: ForecastModel = {
  name: 'window-median',
  description: 'the median of the last few values (the window chosen in sample)',
  unusable: (n) => (n < 2 * MEDIAN_WINDOWS[0]! ? `needs ${2 * MEDIAN_WINDOWS[0]!} points` : undefined),
  fit: (y) => fitWindowMedian(y),
};

/**
 * The median of y[t−k, t) for every t in [from, T): a sorted copy of the window slides along
 * (one removal and one insertion per step, O(k)) instead of sorting each window afresh.
 */
function rollingMedians(y: Float64Array, k: number, from: number, T: number): Float64Array {
  const out = new Float64Array(Math.max(0, T - from));
  if (from >= T) return out;
  const win = Float64Array.from(y.subarray(from - k, from)).sort();
  for (let t = from; ; t++) {
    out[t - from] = k % 2 ? win[k >> 1]! : (win[(k >> 1) - 1]! + win[k >> 1]!) / 2;
    if (t + 1 >= T) return out;
    // Slide: drop y[t − k], insert y[t], keeping the copy sorted.
    let i = win.indexOf(y[t - k]!);
    const v = y[t]!;
    while (i > 0 && win[i - 1]! > v) ((win[i] = win[i - 1]!), i--);
    while (i < k - 1 && win[i + 1]! < v) ((win[i] = win[i + 1]!), i++);
    win[i] = v;
  }
}

export function fitWindowMedian(y: Float64Array, fixedK?: number): Fitted {
  const T = y.length;
  let k = fixedK ?? MEDIAN_WINDOWS[0]!;
  if (fixedK === undefined) {
    const usable = MEDIAN_WINDOWS.filter((w) => 2 * w <= T);
    const from = Math.max(usable[usable.length - 1]!, T - MEDIAN_SCORED_SLOTS);
    let best = Infinity;
    for (const w of usable) {
      const med = rollingMedians(y, w, from, T);
      let e = 0;
      for (let t = from; t < T; t++) e += Math.abs(y[t]! - med[t - from]!);
      if (e < best - 1e-12) ((best = e), (k = w));
    }
  }
  k = Math.min(k, T);
  const from = Math.max(k, T - MEDIAN_SCORED_SLOTS);
  // One median past the end (slot T, not in y) is the level forecast.
  const med = rollingMedians(y, k, from, T + 1);
  const res = new Float64Array(Math.max(0, T - from));
  for (let t = from; t < T; t++) res[t - from] = y[t]! - med[t - from]!;
  const sigma = sdOf(res);
  const level = med[T - from]!;
  return withPredict({
    model: 'window-median',
    params: { windowSlots: k, level },
    sigma,
    forecast: (h) => ({ mean: new Float64Array(h).fill(level), sd: new Float64Array(h).fill(sigma) }),
    extend: (longer) => fitWindowMedian(longer, k),
    refit: (longer) => fitWindowMedian(longer),
  });
}
