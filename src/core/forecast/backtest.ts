/**
 * Rolling-origin backtest, model selection and interval calibration.
 *
 * Origins: K cut points, the last one a horizon before the end; each model is fitted afresh on
 * the history before each origin (warm-started from the previous origin's estimates: no origin
 * sees data after it). Every origin forecasts
 * the next Hb steps; the errors give the metrics:
 *   MASE   mean |error| / in-sample mean |y_t − y_{t−m}| (m = the seasonal naive period of the
 *          baseline); below 1 beats the baseline's in-sample one-step error, and the baseline's own
 *          backtest MASE is in the table to compare with.
 *   sMAPE  mean 200·|y − ŷ| / (|y| + |ŷ|) in percent (0 when both are 0).
 *   coverage  share of true values inside the P10–P90 band, nominally 80%.
 * Intervals are calibrated: each model's forecast errors divided by its own step-ahead sd give
 * standardised errors; their empirical 10th and 90th percentiles replace the Gaussian ±1.2816.
 * Coverage is reported honestly, leave-one-origin-out: the band at an origin is calibrated on
 * the other origins only.
 */
import { InvalidInput } from '../errors.js';
import { Z90, type FitContext, type Fitted, type ForecastModel, type Quantiles } from './model.js';

export interface BacktestOptions {
  horizon: number;
  origins: number;
  models: ForecastModel[];
  /** always evaluated, for comparison (seasonal naive or naive) */
  baseline: ForecastModel;
  onModel?: (done: number, total: number) => void;
}

export interface ModelScore {
  model: string;
  description: string;
  /** undefined when the model could not run; `skipped` says why */
  mase?: number;
  smape?: number;
  mae?: number;
  /** P10–P90 coverage, calibrated leave-one-origin-out (raw when there is one origin) */
  coverage?: number;
  /** P10–P90 coverage of the model's own Gaussian intervals, before calibration */
  rawCoverage?: number;
  baseline?: boolean;
  skipped?: string;
}

export interface BacktestResult {
  origins: number[];
  /** steps forecast at each origin */
  horizon: number;
  /** seasonal period of the MASE scale and the baseline */
  scalePeriod: number;
  baseline: string;
  scores: ModelScore[];
  /** standardised errors per model, for calibrating the final intervals */
  zs: Map<string, Float64Array>;
  /** each model as fitted at the last origin (a warm start for the final fit) */
  fits: Map<string, Fitted>;
}

export function baselineFor(n: number, ctx: FitContext): { period: number; name: string } {
  const { day, week } = ctx.periods;
  // Strictly more than two seasons: the first origin, at least one point before the end, must
  // still hold two whole seasons for the baseline to run there.
  if (day && n > 2 * day) return { period: day, name: 'snaive-day' };
  if (week && n > 2 * week) return { period: week, name: 'snaive-week' };
  return { period: 1, name: 'naive' };
}

/**
 * Where the origins go for n points, a horizon H, K wanted origins and `minTrain`, the points
 * the first origin must keep (two cycles of the longest season a candidate model can use).
 * The held-out windows are at most half the history and a horizon long; origins step back from
 * the end a window apart (non-overlapping) while they keep `minTrain` points, closer together
 * (overlapping) when that leaves fewer than K.
 */
export function planOrigins(n: number, H: number, K: number, minTrainWanted: number): { origins: number[]; horizon: number } {
  if (n < 4) throw new InvalidInput(`a forecast needs at least 4 points of history; this series has ${n}`, [{ path: 'series', message: 'too short', expected: 'at least 4 points after resampling', found: String(n) }], 'Give a longer history, or a shorter --interval.');
  const minTrain = Math.min(Math.max(4, minTrainWanted), n - 1);
  const Hb = Math.max(1, Math.min(H, n - Math.max(minTrain, Math.ceil(n / 2))));
  const spare = n - Hb - minTrain;
  let k = Math.max(1, K);
  let step = k > 1 ? Math.min(Hb, Math.floor(spare / (k - 1))) : 0;
  if (step < 1) ((k = 1), (step = 0));
  const origins: number[] = [];
  for (let i = 0; i < k; i++) origins.push(n - Hb - (k - 1 - i) * step);
  return { origins, horizon: Hb };
}

/** The fewest points a model can be fitted on (unusable() is monotone in n): binary search. */
export function minHistory(model: ForecastModel, ctx: FitContext, horizon: number, upTo: number): number | undefined {
  if (model.unusable(upTo, ctx, horizon)) return undefined;
  let lo = 1;
  let hi = upTo;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (model.unusable(mid, ctx, horizon)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function scaleOf(y: Float64Array, end: number, m: number): number {
  let s = 0;
  let c = 0;
  for (let t = m; t < end; t++) ((s += Math.abs(y[t]! - y[t - m]!)), c++);
  return c ? s / c : 0;
}

export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** k-th smallest (0-based) by quickselect; reorders `a`. O(n): calibration runs it per origin. */
function select(a: Float64Array, k: number, from = 0, to = a.length - 1): number {
  let lo = from;
  let hi = to;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Quantile with linear interpolation (the same as `quantile` on sorted data); reorders `a`. */
export function quantileOf(a: Float64Array, q: number): number {
  const n = a.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const x = select(a, lo);
  if (lo + 1 >= n || pos === lo) return x;
  // After selection everything right of lo is ≥ a[lo]: the next order statistic is their minimum.
  let next = Infinity;
  for (let i = lo + 1; i < n; i++) if (a[i]! < next) next = a[i]!;
  return x + (next - x) * (pos - lo);
}

/** Empirical 10th/90th percentiles of standardised errors; Gaussian when there are too few. */
export function zBand(zs: ArrayLike<number>): { lo: number; hi: number } {
  if (zs.length < 10) return { lo: -Z90, hi: Z90 };
  const a = Float64Array.from(zs);
  return { lo: Math.min(0, quantileOf(a, 0.1)), hi: Math.max(0, quantileOf(a, 0.9)) };
}

export function backtest(y: Float64Array, ctx: FitContext, o: BacktestOptions): BacktestResult {
  const n = y.length;
  const base = baselineFor(n, ctx);
  const models = o.models.some((m) => m.name === o.baseline.name) ? o.models : [o.baseline, ...o.models];
  // The first origin keeps what the most demanding model needs, as long as one window remains
  // after it: a weekly model on five weeks of history runs; on ten days it is skipped, and says so.
  const Hmax = Math.max(1, Math.min(o.horizon, Math.floor(n / 2)));
  let need = 2 * base.period;
  for (const m of models) need = Math.max(need, minHistory(m, ctx, Hmax, n - Hmax) ?? 0);
  const { origins, horizon: Hb } = planOrigins(n, o.horizon, o.origins, need);
  const scales = origins.map((orig) => scaleOf(y, orig, Math.min(base.period, orig - 1)));
  const scores: ModelScore[] = [];
  const zs = new Map<string, Float64Array>();
  const fits = new Map<string, Fitted>();
  models.forEach((model, mi) => {
    const row: ModelScore = { model: model.name, description: model.description, ...(model.name === o.baseline.name && { baseline: true }) };
    scores.push(row);
    const why = model.unusable(origins[0]!, ctx, Hb);
    if (why) row.skipped = `${why} before the first backtest origin (of ${n} points, the last ${n - origins[0]!} are held out for the backtest)`;
    else {
      const r = scoreModel(model, y, ctx, origins, Hb, scales);
      Object.assign(row, r.score);
      zs.set(model.name, r.z);
      fits.set(model.name, r.fit);
    }
    o.onModel?.(mi + 1, models.length);
  });
  return { origins, horizon: Hb, scalePeriod: base.period, baseline: o.baseline.name, scores, zs, fits };
}

function scoreModel(model: ForecastModel, y: Float64Array, ctx: FitContext, origins: number[], Hb: number, scales: number[]) {
  const K = origins.length;
  const err = new Float64Array(K * Hb);
  const sd = new Float64Array(K * Hb);
  let fit: Fitted | undefined;
  let maseSum = 0;
  let smapeSum = 0;
  let absSum = 0;
  let rawIn = 0;
  for (let k = 0; k < K; k++) {
    const orig = origins[k]!;
    const train = y.subarray(0, orig);
    // Refit at every origin (warm-started from the previous one where the model can): the
    // parameters at an origin are estimated on what was known there, like the final fit.
    fit = fit?.refit ? fit.refit(train) : model.fit(train, ctx);
    const f = fit.forecast(Hb);
    let mae = 0;
    for (let i = 0; i < Hb; i++) {
      const truth = y[orig + i]!;
      const pred = f.mean[i]!;
      const e = truth - pred;
      const s = f.sd[i]!;
      err[k * Hb + i] = e;
      sd[k * Hb + i] = s;
      const a = Math.abs(e);
      mae += a;
      const denom = Math.abs(truth) + Math.abs(pred);
      if (denom > 0) smapeSum += (200 * a) / denom;
      if (a <= Z90 * s + 1e-12) rawIn++;
    }
    mae /= Hb;
    absSum += mae;
    maseSum += scales[k]! > 0 ? mae / scales[k]! : mae === 0 ? 0 : Infinity;
  }
  // Standardised errors; points with sd 0 (a perfect fit) carry no scale information.
  const z = new Float64Array(K * Hb);
  let nz = 0;
  for (let j = 0; j < K * Hb; j++) if (sd[j]! > 0) z[nz++] = err[j]! / sd[j]!;
  // Leave-one-origin-out: the band at origin k is calibrated on the other origins' errors.
  let calIn = 0;
  const others = new Float64Array(K * Hb);
  for (let k = 0; k < K; k++) {
    let band = { lo: -Z90, hi: Z90 };
    if (K > 1) {
      let c = 0;
      for (let kk = 0; kk < K; kk++) {
        if (kk === k) continue;
        for (let j = kk * Hb; j < (kk + 1) * Hb; j++) if (sd[j]! > 0) others[c++] = err[j]! / sd[j]!;
      }
      band = zBand(others.subarray(0, c));
    }
    for (let i = 0; i < Hb; i++) {
      const e = err[k * Hb + i]!;
      const s = sd[k * Hb + i]!;
      if (e >= band.lo * s - 1e-12 && e <= band.hi * s + 1e-12) calIn++;
    }
  }
  const N = K * Hb;
  return {
    score: { mase: maseSum / K, smape: smapeSum / N, mae: absSum / K, rawCoverage: rawIn / N, coverage: calIn / N },
    z: z.slice(0, nz),
    fit: fit!,
  };
}

/** Lowest MASE wins (MAE when MASE is undefined); ties go to the earlier, simpler model. */
export function choose(scores: ModelScore[], among?: Set<string>): ModelScore {
  const ok = scores.filter((s) => s.mase !== undefined && (!among || among.has(s.model)));
  if (ok.length === 0) {
    const reasons = scores.map((s) => `${s.model}: ${s.skipped ?? 'no score'}`);
    throw new InvalidInput('no model can forecast this series', reasons.map((r) => ({ path: 'model', message: r })), 'Give more history, a shorter --horizon, or another --model.');
  }
  const key = (s: ModelScore) => (Number.isFinite(s.mase!) ? s.mase! : Infinity);
  let best = ok[0]!;
  for (const s of ok.slice(1)) {
    const a = key(s);
    const b = key(best);
    if (a < b - 1e-9 || (a === Infinity && b === Infinity && s.mae! < best.mae! - 1e-9)) best = s;
  }
  return best;
}

/** Final forecast: the model fitted on all the history, its band calibrated on the backtest errors. */
export function calibratedForecast(fit: Fitted, h: number, zs: ArrayLike<number> | undefined, nonNegative: boolean): Quantiles[] {
  const f = fit.forecast(h);
  const band = zBand(zs ?? []);
  const clamp = (v: number) => (nonNegative ? Math.max(0, v) : v);
  return Array.from(f.mean, (m, i) => ({
    p10: clamp(m + band.lo * f.sd[i]!),
    p50: clamp(m),
    p90: clamp(m + band.hi * f.sd[i]!),
  }));
}
