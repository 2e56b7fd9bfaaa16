import { describe, expect, it } from 'vitest';
import { seededRng } from '../rng.js';
import type { FitContext } from './model.js';
import { drift, fitWindowMedian, MEDIAN_WINDOWS, naive, seasonalNaive, mean, windowMedian } from './models/naive.js';
import { fitEts, holtWinters, ses } from './models/ets.js';
import { linreg } from './models/linreg.js';
import { simulateHoltWinters, simulateSes, syntheticSeries } from './synthetic.js';

const HOUR = 3_600_000;
const ctx = (over: Partial<FitContext> = {}): FitContext => ({ startMs: Date.UTC(2025, 0, 6), intervalMs: HOUR, periods: { day: 24, week: 168 }, features: [], ...over });

describe('benchmark models', () => {
  it('naive repeats the last value with sd growing as √h', () => {
    const f = naive.fit(Float64Array.from([1, 3, 2, 4]), ctx()).forecast(4);
    expect(Array.from(f.mean)).toEqual([4, 4, 4, 4]);
    expect(f.sd[3]! / f.sd[0]!).toBeCloseTo(2, 10);
  });

  it('seasonal naive repeats the last day', () => {
    const y = syntheticSeries({ n: 24 * 3, level: 10, daily: 5, noiseSd: 0 }, seededRng(1));
    const f = seasonalNaive('day').fit(y, ctx()).forecast(30);
    for (let i = 0; i < 30; i++) expect(f.mean[i]).toBeCloseTo(y[y.length - 24 + (i % 24)]!, 12);
  });

  it('drift recovers the slope of a noisy line', () => {
    const y = syntheticSeries({ n: 2000, level: 5, slope: 0.25, noiseSd: 0.5 }, seededRng(7));
    const fit = drift.fit(y, ctx());
    expect(fit.params.slopePerStep).toBeCloseTo(0.25, 2);
  });

  it('mean forecasts the mean', () => {
    const fit = mean.fit(Float64Array.from([2, 4, 6]), ctx());
    expect(Array.from(fit.forecast(2).mean)).toEqual([4, 4]);
  });

  it('window-median: the window with the least one-step absolute error in sample, its median flat', () => {
    // 12 points: windows 3 and 5 fit (2k ≤ 12), both scored on slots 5…11.
    // k=3 predicts 6, 6, 6, 7, 7, 8, 5 → |errors| 6+1+294+7+1+3+5 = 317
    // k=5 predicts 5, 0, 6, 7, 6, 7, 7 → |errors| 5+7+294+7+2+2+7 = 324 → k=3, level median(8, 5, 0) = 5.
    const y = Float64Array.from([5, 0, 0, 400, 6, 0, 7, 300, 0, 8, 5, 0]);
    const fit = windowMedian.fit(y, ctx());
    expect(fit.params).toEqual({ windowSlots: 3, level: 5 });
    expect(Array.from(fit.forecast(3).mean)).toEqual([5, 5, 5]);
    // its spread: residuals from slot 3 on (the first with 3 before it): 400, 6, then 6, −1, 294, −7, 1, −3, −5
    expect(fit.sigma).toBeCloseTo(Math.sqrt((400 ** 2 + 36 + 36 + 1 + 294 ** 2 + 49 + 1 + 9 + 25) / 9), 10);
    // extend keeps the window; refit chooses again
    const longer = Float64Array.from([...y, 9, 9]);
    expect(fit.extend(longer).params).toEqual({ windowSlots: 3, level: 9 });
    expect(windowMedian.unusable(5, ctx(), 1)).toMatch(/6 points/);
  });

  it('window-median matches a brute-force median of every window (seeded random series)', () => {
    const rng = seededRng(19);
    const median = (a: number[]) => {
      const s = a.slice().sort((u, v) => u - v);
      return s.length % 2 ? s[s.length >> 1]! : (s[(s.length >> 1) - 1]! + s[s.length >> 1]!) / 2;
    };
    for (let c = 0; c < 60; c++) {
      const n = 6 + rng.int(400);
      // bursty: many zeros and ties, where a sliding sorted window is easiest to get wrong
      const y = Float64Array.from({ length: n }, () => (rng.next() < 0.4 ? 0 : rng.int(20)));
      const fit = windowMedian.fit(y, ctx());
      const usable = MEDIAN_WINDOWS.filter((w) => 2 * w <= n);
      const from = Math.max(usable[usable.length - 1]!, n - 256);
      let bestK = usable[0]!;
      let best = Infinity;
      for (const w of usable) {
        let e = 0;
        for (let t = from; t < n; t++) e += Math.abs(y[t]! - median(Array.from(y.subarray(t - w, t))));
        if (e < best - 1e-12) ((best = e), (bestK = w));
      }
      expect(fit.params.windowSlots).toBe(bestK);
      expect(fit.params.level).toBe(median(Array.from(y.subarray(n - bestK))));
      const k = usable[rng.int(usable.length)]!;
      expect(fitWindowMedian(y, k).params.level).toBe(median(Array.from(y.subarray(n - k))));
    }
  });

  it('seasonal naive refuses too short a history, saying why', () => {
    expect(seasonalNaive('week').unusable(200, ctx(), 24)).toMatch(/two weeks/);
  });
});

describe('exponential smoothing', () => {
  it('recovers α of a simulated ETS(A,N,N) path', () => {
    for (const [seed, alpha] of [[11, 0.2], [12, 0.6]] as const) {
      const y = simulateSes(3000, alpha, 100, 2, seededRng(seed));
      const fit = ses.fit(y, ctx());
      expect(Math.abs(fit.params.alpha! - alpha)).toBeLessThan(0.06);
      expect(fit.sigma).toBeGreaterThan(1.8);
      expect(fit.sigma).toBeLessThan(2.2);
    }
  });

  it('recovers Holt–Winters parameters and the noise level', () => {
    const truth = { alpha: 0.3, beta: 0.02, phi: 0.9, gamma: 0.15, m: 24, level: 50, trend: 0.1, amplitude: 10, sd: 1 };
    const y = simulateHoltWinters(24 * 7 * 12, truth, seededRng(3));
    const fit = holtWinters.fit(y, ctx());
    expect(Math.abs(fit.params.alpha! - truth.alpha)).toBeLessThan(0.08);
    expect(Math.abs(fit.params.gamma1! - truth.gamma)).toBeLessThan(0.08);
    expect(fit.params.beta!).toBeLessThan(0.1);
    expect(fit.sigma).toBeGreaterThan(0.9);
    expect(fit.sigma).toBeLessThan(1.15);
  });

  it('forecasts a clean seasonal series almost exactly', () => {
    const y = syntheticSeries({ n: 24 * 14, level: 100, daily: 20, noiseSd: 0 }, seededRng(1));
    const f = holtWinters.fit(y, ctx()).forecast(48);
    for (let i = 0; i < 48; i++) expect(f.mean[i]).toBeCloseTo(100 + 20 * Math.sin((2 * Math.PI * (y.length + i)) / 24), 0);
  });

  it('extend() keeps the parameters and brings the states up to date', () => {
    const y = simulateSes(500, 0.4, 10, 1, seededRng(5));
    const fit = ses.fit(y.subarray(0, 300), ctx());
    const later = fit.extend(y);
    expect(later.params).toEqual(fit.params);
    expect(later.forecast(1).mean[0]).toBeCloseTo(fitEts(y, { name: 'ses', trend: 'none', seasons: 'none', description: '' }, [], { alpha: fit.params.alpha!, beta: 0, phi: 0, gamma1: 0, gamma2: 0 }).forecast(1).mean[0]!, 10);
  });

  it('a constant series gives a constant forecast and zero spread', () => {
    const y = new Float64Array(100).fill(7);
    const f = holtWinters.fit(y, ctx()).forecast(5);
    for (const v of f.mean) expect(v).toBeCloseTo(7, 9);
    for (const s of f.sd) expect(s).toBeCloseTo(0, 9);
  });

  it('the step-ahead sd grows with the horizon', () => {
    const y = simulateSes(400, 0.5, 10, 1, seededRng(9));
    const sd = ses.fit(y, ctx()).forecast(10).sd;
    for (let i = 1; i < 10; i++) expect(sd[i]!).toBeGreaterThan(sd[i - 1]!);
  });
});

describe('linear regression', () => {
  it('recovers the coefficient of a user feature', () => {
    const rng = seededRng(21);
    const n = 500;
    const x = Float64Array.from({ length: n + 10 }, () => rng.next() * 10);
    const y = Float64Array.from({ length: n }, (_, i) => 3 + 2 * x[i]! + 0.1 * rng.normal());
    const c = ctx({ intervalMs: 86_400_000, periods: { week: 7 }, features: [{ name: 'x', values: x }] });
    const fit = linreg.fit(y, c);
    expect(fit.params.x).toBeCloseTo(2, 1);
    const f = fit.forecast(10);
    for (let i = 0; i < 10; i++) expect(f.mean[i]).toBeCloseTo(3 + 2 * x[n + i]!, 0);
  });

  it('learns an hour-of-day profile from calendar features', () => {
    const y = syntheticSeries({ n: 24 * 21, level: 40, daily: 10, noiseSd: 0.2 }, seededRng(2));
    const f = linreg.fit(y, ctx({ startMs: 0 })).forecast(24);
    for (let i = 0; i < 24; i++) expect(f.mean[i]).toBeCloseTo(40 + 10 * Math.sin((2 * Math.PI * (y.length + i)) / 24), 0);
  });
});

describe('Holt–Winters with an undamped trend', () => {
  it('follows a linear trend with a daily cycle', async () => {
    const { holtWintersLinear } = await import('./models/ets.js');
    const y = syntheticSeries({ n: 24 * 14, level: 100, slope: 0.5, daily: 10, noiseSd: 0.5 }, seededRng(17));
    const f = holtWintersLinear.fit(y, ctx()).forecast(24);
    const t = y.length + 23;
    expect(f.mean[23]).toBeCloseTo(100 + 0.5 * t + 10 * Math.sin((2 * Math.PI * t) / 24), -1);
    expect(Math.abs(f.mean[23]! - (100 + 0.5 * t + 10 * Math.sin((2 * Math.PI * t) / 24)))).toBeLessThan(3);
  });
});

describe('double seasonal Holt–Winters', () => {
  it('forecasts a day-in-week pattern better than the single daily season', async () => {
    const { holtWinters2 } = await import('./models/ets.js');
    const all = syntheticSeries({ n: 24 * 7 * 7, level: 100, daily: 20, weekly: 15, noiseSd: 1 }, seededRng(23));
    const train = all.subarray(0, 24 * 7 * 6);
    const mae = (f: Float64Array) => f.reduce((s, v, i) => s + Math.abs(v - all[train.length + i]!), 0) / f.length;
    const two = holtWinters2.fit(train, ctx());
    const one = holtWinters.fit(train, ctx());
    expect(mae(two.forecast(168).mean)).toBeLessThan(mae(one.forecast(168).mean));
    expect(mae(two.forecast(168).mean)).toBeLessThan(3);
    expect(two.params.period1).toBe(24);
    expect(two.params.period2).toBe(168);
  });
});

describe('theta', () => {
  it('forecasts a straight line with half its slope (the theta-0 and theta-2 lines averaged)', async () => {
    const { theta } = await import('./models/theta.js');
    const y = Float64Array.from({ length: 50 }, (_, t) => 5 + 2 * t);
    const fit = theta.fit(y, ctx({ periods: {} }));
    expect(fit.params.driftPerStep).toBeCloseTo(1, 12);
    expect(fit.params.alpha).toBeGreaterThan(0.99);
    const f = fit.forecast(10);
    expect(f.mean[0]).toBeCloseTo(103 + 1, 1);
    expect(f.mean[9]).toBeCloseTo(103 + 10, 1);
  });

  it('matches the Hyndman–Billah formula computed by hand', async () => {
    const { theta } = await import('./models/theta.js');
    const y = Float64Array.of(1, 3, 2, 4);
    const fit = theta.fit(y, ctx({ periods: {} }));
    const a = fit.params.alpha!;
    // Least-squares slope of 1,3,2,4 against 0..3: Sxy 4 / Sxx 5 = 0.8.
    expect(fit.params.driftPerStep).toBeCloseTo(0.4, 12);
    let l = 1;
    for (const v of [3, 2, 4]) l += a * (v - l);
    const lead = (1 - (1 - a) ** 4) / a;
    const f = fit.forecast(3);
    for (let h = 1; h <= 3; h++) expect(f.mean[h - 1]).toBeCloseTo(l + 0.4 * (h - 1 + lead), 12);
  });

  it('seasonally adjusts a positive series with a significant season and restores it', async () => {
    const { theta, seasonalAtLag, multiplicativeIndices } = await import('./models/theta.js');
    const s = [0.8, 1.2, 0.9, 1.1];
    const y = Float64Array.from({ length: 48 }, (_, t) => (100 + t) * s[t % 4]!);
    expect(seasonalAtLag(y, 4)).toBe(true);
    Array.from(multiplicativeIndices(y, 4)).forEach((v, j) => expect(v).toBeCloseTo(s[j]!, 2));
    const f = theta.fit(y, ctx({ periods: { day: 4 } })).forecast(4);
    for (let h = 0; h < 4; h++) expect(f.mean[h]! / ((148 + h) * s[(48 + h) % 4]!)).toBeCloseTo(1, 1);
    expect(seasonalAtLag(syntheticSeries({ n: 500, level: 10, noiseSd: 1 }, seededRng(3)), 24)).toBe(false);
  });
});

describe('intermittent demand', () => {
  const y = Float64Array.of(0, 0, 3, 0, 0, 0, 6, 0);

  it('Croston (SBA) by hand: sizes 3 → 4.5, intervals 3 → 3.5, forecast 0.75 · 4.5 / 3.5', async () => {
    const { fitCroston } = await import('./models/intermittent.js');
    const f = fitCroston(y, 0.5);
    expect(f.params.level).toBeCloseTo((0.75 * 4.5) / 3.5, 12);
    expect(Array.from(f.forecast(3).mean)).toEqual(new Array(3).fill(f.params.level));
  });

  it('TSB by hand: probability and size smoothed apart, decaying after the last demand', async () => {
    const { fitTsb } = await import('./models/intermittent.js');
    const f = fitTsb(y, { alpha: 0.5, beta: 0.5 });
    expect(f.params.level).toBeCloseTo(0.2666015625 * 4.875, 12);
    // Two more zeros (the start, the averages of the history, is now d 0.2): d ends at 0.0666…,
    // a quarter of its value after the last demand; Croston's forecast would not move.
    const longer = f.extend(Float64Array.of(...y, 0, 0));
    expect(longer.params.level).toBeCloseTo(0.0666015625 * 4.875, 12);
    expect(longer.params.level).toBeLessThan(f.params.level! / 3);
  });

  it('are candidates on a mostly-zero series only, and say why not otherwise', async () => {
    const { forecastSeries } = await import('./forecast.js');
    const rng = seededRng(41);
    const sparse = Float64Array.from({ length: 400 }, () => (rng.next() < 0.15 ? 1 + Math.floor(rng.next() * 8) : 0));
    const mk = (values: Float64Array) => ({ name: 'x', unit: 'GPUs', startMs: 0, intervalMs: HOUR, values, filled: new Uint8Array(values.length), features: [], report: { observations: 0, duplicatesMerged: 0, missingValues: 0, sorted: false, gapsFilled: 0, fill: 'none' as const, filledRuns: [], outliers: [], notes: [] } });
    const r = forecastSeries(mk(sparse), { horizon: 24, model: 'naive,ses,croston,tsb', origins: 6 });
    const row = (m: string) => r.backtest.scores.find((s) => s.model === m)!;
    expect(row('croston').skipped).toBeUndefined();
    expect(row('tsb').mase!).toBeLessThan(row('naive').mase!);
    const dense = forecastSeries(mk(Float64Array.from({ length: 100 }, (_, i) => 5 + (i % 3))), { horizon: 5, model: 'ses,tsb', origins: 2 });
    expect(dense.backtest.scores.find((s) => s.model === 'tsb')!.skipped).toMatch(/mostly-zero series \(at least a third of zeros; this one has 0%\)/);
  });
});

describe('sarima', () => {
  it('maps partial autocorrelations to AR coefficients by Durbin–Levinson', async () => {
    const { pacfToCoefficients } = await import('./models/sarima.js');
    expect(pacfToCoefficients([0.5])).toEqual([0.5]);
    const c = pacfToCoefficients([0.5, 0.2]);
    expect(c[0]).toBeCloseTo(0.4, 12);
    expect(c[1]).toBeCloseTo(0.2, 12);
  });

  it('recovers an AR(1) and forecasts μ + φʰ(yₙ − μ) with sd σ√Σφ²ʲ', async () => {
    const { fitSarima } = await import('./models/sarima.js');
    const rng = seededRng(61);
    const y = new Float64Array(4000);
    let v = 0;
    for (let t = 0; t < y.length; t++) ((v = 0.7 * v + rng.normal()), (y[t] = 10 + v));
    const f = fitSarima(y, { p: 1, d: 0, q: 0, P: 0, D: 0, Q: 0, m: 1 }).fitted;
    const phi = f.params.ar1!;
    const mu = f.params.mean!;
    expect(phi).toBeCloseTo(0.7, 1);
    expect(f.sigma).toBeCloseTo(1, 1);
    const fc = f.forecast(3);
    for (let h = 1; h <= 3; h++) expect(fc.mean[h - 1]).toBeCloseTo(mu + phi ** h * (y[y.length - 1]! - mu), 10);
    expect(fc.sd[2]).toBeCloseTo(f.sigma * Math.sqrt(1 + phi ** 2 + phi ** 4), 10);
  });

  it('recovers an MA(1) coefficient', async () => {
    const { fitSarima } = await import('./models/sarima.js');
    const rng = seededRng(62);
    const y = new Float64Array(4000);
    let prev = 0;
    for (let t = 0; t < y.length; t++) {
      const e = rng.normal();
      y[t] = 5 + e + 0.5 * prev;
      prev = e;
    }
    expect(fitSarima(y, { p: 0, d: 0, q: 1, P: 0, D: 0, Q: 0, m: 1 }).fitted.params.ma1).toBeCloseTo(0.5, 1);
  });

  it('SARIMA(0,0,0)(0,1,0)m is seasonal naive, with sd growing by whole seasons', async () => {
    const { fitSarima } = await import('./models/sarima.js');
    const y = syntheticSeries({ n: 24 * 5, level: 10, daily: 5, noiseSd: 1 }, seededRng(63));
    const f = fitSarima(y, { p: 0, d: 0, q: 0, P: 0, D: 1, Q: 0, m: 24 }).fitted.forecast(30);
    for (let i = 0; i < 30; i++) expect(f.mean[i]).toBeCloseTo(y[y.length - 24 + (i % 24)]!, 10);
    expect(f.sd[24]! / f.sd[0]!).toBeCloseTo(Math.SQRT2, 10);
  });

  it('arima differences a seasonal series seasonally and beats ses on it in the backtest', async () => {
    const { chooseDifferencing } = await import('./models/sarima.js');
    const { forecastSeries } = await import('./forecast.js');
    const y = syntheticSeries({ n: 24 * 21, level: 100, daily: 20, noiseSd: 2 }, seededRng(64));
    expect(chooseDifferencing(y, 24).D).toBe(1);
    const mk = { name: 'x', unit: 'GPUs', startMs: 0, intervalMs: HOUR, values: y, filled: new Uint8Array(y.length), features: [], report: { observations: 0, duplicatesMerged: 0, missingValues: 0, sorted: false, gapsFilled: 0, fill: 'none' as const, filledRuns: [], outliers: [], notes: [] } };
    const r = forecastSeries(mk, { horizon: 24, model: 'ses,sarima,arima', origins: 4 });
    const row = (m: string) => r.backtest.scores.find((s) => s.model === m)!;
    expect(row('sarima').mase!).toBeLessThan(row('ses').mase! / 2);
    expect(row('arima').mase!).toBeLessThan(row('ses').mase! / 2);
  });
});

describe('log transform', () => {
  it('forecasts exp(m) − c with the delta-method sd, and refuses negative series', async () => {
    const { logModel } = await import('./models/transform.js');
    const m = logModel(naive);
    expect(m.name).toBe('naive-log');
    const f = m.fit(Float64Array.of(1, 4, 0, 9), ctx()).forecast(2);
    // Zeros: log(y + 1); naive repeats log 10, so exp − 1 = 9.
    expect(f.mean[0]).toBeCloseTo(9, 12);
    // sd: naive's σ on the log scale times exp(log 10) = 10.
    const inner = naive.fit(Float64Array.from([1, 4, 0, 9], (v) => Math.log(v + 1)), ctx()).forecast(1);
    expect(f.sd[0]).toBeCloseTo(10 * inner.sd[0]!, 12);
    expect(m.unusable(4, ctx(), 2, Float64Array.of(1, -1, 2, 3))).toMatch(/without negative values/);
  });

  it('hw on the logarithm beats additive hw when the season grows with the level', async () => {
    const { forecastSeries } = await import('./forecast.js');
    const rng = seededRng(71);
    const y = Float64Array.from({ length: 24 * 28 }, (_, t) => (50 * Math.exp(t / 300)) * (1 + 0.5 * Math.sin((2 * Math.PI * t) / 24)) * Math.exp(0.03 * rng.normal()));
    const mk = { name: 'x', unit: 'GPUs', startMs: 0, intervalMs: HOUR, values: y, filled: new Uint8Array(y.length), features: [], report: { observations: 0, duplicatesMerged: 0, missingValues: 0, sorted: false, gapsFilled: 0, fill: 'none' as const, filledRuns: [], outliers: [], notes: [] } };
    const r = forecastSeries(mk, { horizon: 24, model: 'hw,hw-log', origins: 6 });
    const row = (name: string) => r.backtest.scores.find((s) => s.model === name)!;
    expect(row('hw-log').mase!).toBeLessThan(row('hw').mase! * 0.8);
  });
});

describe('Box–Cox with λ by Guerrero', () => {
  const p = [-1, 1, -1, 1];
  it('picks λ 0 when the noise grows with the level and 1 when it does not', async () => {
    const { guerreroLambda } = await import('./models/transform.js');
    // Seasons of 4 at levels 10, 20, 40: sd/mean is the same in each, so sd/mean^(1−0) has CV 0.
    const mult = Float64Array.from({ length: 12 }, (_, t) => 10 * 2 ** Math.floor(t / 4) * (1 + 0.1 * p[t % 4]!));
    expect(guerreroLambda(mult, 4)).toBe(0);
    // The same swing of ±1 at every level: sd is constant, so sd/mean^0 has CV 0 at λ = 1.
    const add = Float64Array.from({ length: 12 }, (_, t) => 10 * 2 ** Math.floor(t / 4) + p[t % 4]!);
    expect(guerreroLambda(add, 4)).toBe(1);
  });

  it('is the log model at λ 0 and the model itself, inverted exactly, at λ 1', async () => {
    const { boxCoxModel, logModel } = await import('./models/transform.js');
    const c = ctx({ periods: { day: 4 } });
    const mult = Float64Array.from({ length: 24 }, (_, t) => 10 * 1.5 ** Math.floor(t / 4) * (1 + 0.1 * p[t % 4]!));
    const bc = boxCoxModel(naive).fit(mult, c);
    expect(bc.params.boxCoxLambda).toBe(0);
    const lg = logModel(naive).fit(mult, c).forecast(3);
    const f = bc.forecast(3);
    for (let i = 0; i < 3; i++) ((expect(f.mean[i]).toBeCloseTo(lg.mean[i]!, 9)), expect(f.sd[i]).toBeCloseTo(lg.sd[i]!, 9));
    // λ 1: (y − 1)/1 forecast by naive, inverted: the last value, and the same sd as naive's.
    const add = Float64Array.from({ length: 24 }, (_, t) => 10 * 1.5 ** Math.floor(t / 4) + p[t % 4]!);
    const one = boxCoxModel(naive).fit(add, c);
    expect(one.params.boxCoxLambda).toBe(1);
    expect(one.forecast(1).mean[0]).toBeCloseTo(add[23]!, 9);
    expect(one.forecast(1).sd[0]).toBeCloseTo(naive.fit(add, c).forecast(1).sd[0]!, 9);
  });
});

describe('MSTL-style multiple seasonality', () => {
  it('takes the moving average and the phase means by hand, and repeats two exact seasons', async () => {
    const { centredAverage, seasonalProfile, mstl } = await import('./models/mstl.js');
    // Period 4 (even): (x0/2 + x1 + x2 + x3 + x4/2)/4 at t = 2.
    const x = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const ma = centredAverage(x, 4);
    expect(ma[2]).toBeCloseTo((0.5 + 2 + 3 + 4 + 2.5) / 4, 12);
    expect(Number.isNaN(ma[0]!)).toBe(true);
    // A pure season of 3 on a level of 10: the profile is the season itself (zero mean).
    expect(Array.from(seasonalProfile(Float64Array.from({ length: 12 }, (_, t) => 10 + [-1, 0, 1][t % 3]!), 3)).map((v) => Number(v.toFixed(12)))).toEqual([-1, 0, 1]);
    // A day of 4 and a week of 12 steps (a pattern of its own beside the day's), on a level of 50:
    // the forecast is the week before, exactly.
    const day = [3, -1, -4, 2];
    const week = [0, 5, 5, 5, 0, 0, -5, -5, -5, 0, 0, 0];
    const y = Float64Array.from({ length: 72 }, (_, t) => 50 + day[t % 4]! + week[t % 12]!);
    const f = mstl.fit(y, ctx({ periods: { day: 4, week: 12 } })).forecast(12);
    for (let i = 0; i < 12; i++) expect(f.mean[i]).toBeCloseTo(y[60 + i]!, 6);
    expect(mstl.unusable(7, ctx({ periods: { day: 4 } }), 1)).toMatch(/two cycles/);
  });
});
