import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../errors.js';
import { seededRng } from '../rng.js';
import { planOrigins } from './backtest.js';
import { forecastSeries, forecastToJson } from './forecast.js';
import type { Series } from './series.js';
import { syntheticSeries } from './synthetic.js';

const H = 3_600_000;
function series(values: Float64Array, intervalMs = H): Series {
  return {
    name: 'demand', unit: 'GPUs', startMs: Date.UTC(2025, 0, 6), intervalMs, values, filled: new Uint8Array(values.length), features: [],
    report: { observations: values.length, duplicatesMerged: 0, missingValues: 0, sorted: false, gapsFilled: 0, fill: 'none', filledRuns: [], outliers: [], notes: [] },
  };
}

describe('rolling-origin backtest and selection', () => {
  it('places non-overlapping origins ending at the last point', () => {
    expect(planOrigins(1344, 168, 4, 24)).toEqual({ origins: [672, 840, 1008, 1176], horizon: 168 });
  });

  it('shrinks the backtest to what a short series allows', () => {
    const p = planOrigins(30, 24, 4, 1);
    expect(p.horizon).toBe(15);
    // Windows overlap when the history has no room for four separate ones (4 points minimum).
    expect(p.origins).toEqual([6, 9, 12, 15]);
    expect(planOrigins(57, 10, 8, 1)).toEqual({ origins: [5, 11, 17, 23, 29, 35, 41, 47], horizon: 10 });
    expect(planOrigins(30, 24, 4, 20)).toEqual({ origins: [20], horizon: 10 });
  });

  it('beats seasonal naive on a noisy seasonal series and states its coverage', () => {
    const y = syntheticSeries({ n: 24 * 7 * 6, level: 200, slope: 0.02, daily: 40, weekly: 15, noiseSd: 8 }, seededRng(42));
    const r = forecastSeries(series(y), { horizon: 168, model: 'auto', origins: 4 });
    expect(r.chosen.mase!).toBeLessThan(r.baseline.mase!);
    expect(r.points).toHaveLength(168);
    expect(r.chosen.coverage!).toBeGreaterThan(0.6);
    expect(r.chosen.coverage!).toBeLessThanOrEqual(1);
    for (const p of r.points) {
      expect(p.p10).toBeLessThanOrEqual(p.p50);
      expect(p.p50).toBeLessThanOrEqual(p.p90);
    }
    const json = forecastToJson(r, 'test');
    expect(json.points[0]!.t).toBe(new Date(Date.UTC(2025, 0, 6) + 1008 * H).toISOString());
    expect(json.metrics.baseline).toBe('snaive-day');
    expect(json.backtest.find((b) => b.model === 'snaive-day')?.baseline).toBe(true);
  });

  it('calibrated intervals cover about 80% on white noise', () => {
    const y = syntheticSeries({ n: 2000, level: 50, noiseSd: 5 }, seededRng(8));
    const r = forecastSeries(series(y), { horizon: 50, model: 'mean', origins: 6 });
    expect(r.chosen.coverage!).toBeGreaterThan(0.65);
    expect(r.chosen.coverage!).toBeLessThan(0.95);
  });

  it('handles a constant series and a series of zeros', () => {
    for (const v of [5, 0]) {
      const r = forecastSeries(series(new Float64Array(200).fill(v)), { horizon: 24, model: 'auto', origins: 3 });
      expect(r.chosen.mase).toBe(0);
      for (const p of r.points) expect([p.p10, p.p50, p.p90]).toEqual([v, v, v]);
    }
  });

  it('refuses a single point, saying how many are needed', () => {
    const run = () => forecastSeries(series(Float64Array.of(3)), { horizon: 5, model: 'auto', origins: 4 });
    expect(run).toThrow(InvalidInput);
    expect(run).toThrow(/at least 4 points/);
  });

  it('refuses NaN values in a prepared series', () => {
    expect(() => forecastSeries(series(Float64Array.of(1, 2, NaN, 4, 5, 6)), { horizon: 2, model: 'naive', origins: 1 })).toThrow(/not a number/);
  });

  it('refuses an unknown model name, listing the known ones', () => {
    expect(() => forecastSeries(series(new Float64Array(50).fill(1)), { horizon: 2, model: 'prophet', origins: 1 })).toThrow(/unknown model "prophet"/);
  });

  it('clips quantiles at zero for non-negative demand', () => {
    const y = Float64Array.from(syntheticSeries({ n: 300, level: 1, noiseSd: 2 }, seededRng(4)), (v) => Math.max(0, v));
    const r = forecastSeries(series(y), { horizon: 24, model: 'auto', origins: 3 });
    for (const p of r.points) expect(p.p10).toBeGreaterThanOrEqual(0);
  });

  it('is deterministic', () => {
    const y = syntheticSeries({ n: 500, level: 20, daily: 5, noiseSd: 1 }, seededRng(1));
    const a = forecastToJson(forecastSeries(series(y), { horizon: 24, model: 'auto', origins: 4 }), 's');
    const b = forecastToJson(forecastSeries(series(y), { horizon: 24, model: 'auto', origins: 4 }), 's');
    expect(a).toEqual(b);
  });
});

describe('defects of issue 19', () => {
  it('runs weekly models once the history holds two weeks plus a held-out window', () => {
    // 2 weeks + 2 days of hourly data: the first origin keeps the two weeks the weekly models need.
    const y = syntheticSeries({ n: 24 * 16, level: 100, daily: 10, weekly: 30, noiseSd: 1 }, seededRng(5));
    const r = forecastSeries(series(y), { horizon: 24, model: 'auto', origins: 2 });
    expect(r.backtest.origins[0]).toBe(24 * 14);
    for (const m of ['snaive-week', 'hw2']) expect(r.backtest.scores.find((s) => s.model === m)?.skipped).toBeUndefined();
    // Ten days: too short, and the message says what the first origin held.
    const short = forecastSeries(series(y.slice(0, 240)), { horizon: 24, model: 'auto', origins: 2 });
    expect(short.backtest.scores.find((s) => s.model === 'snaive-week')?.skipped).toMatch(/needs two weeks of history \(336 points\), has \d+ before the first backtest origin \(of 240 points, the last \d+ are held out/);
  });

  it('keeps the digits of tiny values (a price per token)', () => {
    const y = Float64Array.from(syntheticSeries({ n: 24 * 10, level: 2.5, daily: 0.5, noiseSd: 0.05 }, seededRng(6)), (v) => v * 1e-7);
    const r = forecastSeries(series(y), { horizon: 24, model: 'auto', origins: 3 });
    const j = forecastToJson(r, 's');
    for (const p of j.points) {
      expect(p.p50).toBeGreaterThan(1e-7);
      expect(p.p50).toBeLessThan(4e-7);
    }
    expect(j.metrics.mase).toBeLessThan(j.metrics.baselineMase! + 1e-9);
  });

  it('refuses values too large to square instead of printing empty quantiles', () => {
    const y = new Float64Array(100).fill(1e300);
    expect(() => forecastSeries(series(y), { horizon: 5, model: 'auto', origins: 2 })).toThrow(/too large to forecast/);
    const ok = forecastSeries(series(Float64Array.from({ length: 100 }, (_, i) => 1e140 * (1 + (i % 7) / 10))), { horizon: 5, model: 'auto', origins: 2 });
    for (const p of ok.points) expect([p.p10, p.p50, p.p90].every(Number.isFinite)).toBe(true);
  });

  it('with one origin delivers the band whose coverage it reports (the Gaussian one), not P90 = P50', () => {
    // A forecast that is too high at its one origin: errors all negative.
    const y = Float64Array.from({ length: 200 }, (_, i) => (i < 150 ? 100 : 80) + (i % 5));
    const r = forecastSeries(series(y), { horizon: 50, model: 'mean', origins: 1 });
    expect(r.backtest.origins).toHaveLength(1);
    for (const p of r.points) expect(p.p90 - p.p50).toBeGreaterThan(1);
    expect(r.chosen.coverage).toBe(r.chosen.rawCoverage);
  });
});

describe('custom seasons and intervals', () => {
  it('--season 6: seasonal models take a 6-step season the calendar does not know', () => {
    // Hourly data with a 6-hour cycle and no daily one.
    const y = syntheticSeries({ n: 24 * 8, level: 50, daily: 20, day: 6, noiseSd: 1 }, seededRng(9));
    const r = forecastSeries(series(y), { horizon: 12, model: 'snaive-day,hw,ses', origins: 4, seasons: [6] });
    expect(r.seasons).toEqual([6]);
    const hw = r.backtest.scores.find((s) => s.model === 'hw')!;
    const ses = r.backtest.scores.find((s) => s.model === 'ses')!;
    expect(hw.mase!).toBeLessThan(ses.mase! / 3);
    expect(r.backtest.scalePeriod).toBe(6);
    expect(r.model).not.toBe('ses');
    expect(r.params.period1 ?? r.params.period).toBe(6);
  });

  it('several seasons: hw2 takes the two shortest (nested), a third is noted as unused', () => {
    const y = syntheticSeries({ n: 42 * 8, level: 80, daily: 10, weekly: 25, day: 6, week: 42, noiseSd: 1 }, seededRng(10));
    const r = forecastSeries(series(y), { horizon: 42, model: 'hw,hw2', origins: 3, seasons: [42, 6, 84] });
    expect(r.seasons).toEqual([6, 42]);
    const hw2 = r.backtest.scores.find((s) => s.model === 'hw2')!;
    expect(hw2.mase!).toBeLessThan(r.backtest.scores.find((s) => s.model === 'hw')!.mase!);
    expect(forecastToJson(r, 's').preparation.notes.join(' ')).toMatch(/seasons 84 not used/);
    const odd = forecastSeries(series(y), { horizon: 12, model: 'hw2,hw', origins: 2, seasons: [6, 40] });
    expect(odd.backtest.scores.find((s) => s.model === 'hw2')!.skipped).toMatch(/not a whole number of the first/);
    expect(() => forecastSeries(series(y), { horizon: 12, model: 'hw', origins: 2, seasons: [1] })).toThrow(/season of 1 steps/);
  });

  it('forecasts monthly slots with a yearly season, at month starts', () => {
    const y = syntheticSeries({ n: 48, level: 100, daily: 30, day: 12, noiseSd: 2 }, seededRng(11));
    const s: Series = { ...series(y, 2_629_746_000), startMs: Date.UTC(2021, 0, 1), intervalMonths: 1 };
    const r = forecastSeries(s, { horizon: 12, model: 'auto', origins: 3 });
    expect(r.seasons).toEqual([12]);
    expect(r.baseline.model).toBe('snaive-day');
    expect(r.chosen.mase!).toBeLessThan(r.baseline.mase! * 1.2);
    const j = forecastToJson(r, 's');
    expect(j.interval).toBe('1mo');
    expect(j.points.map((p) => p.t.slice(0, 10)).slice(0, 3)).toEqual(['2025-01-01', '2025-02-01', '2025-03-01']);
    expect(r.backtest.scores.find((b) => b.model === 'snaive-week')!.skipped).toMatch(/no second season/);
  });
});

describe('conformal intervals per horizon step', () => {
  it('holds about 80% out of sample at early and late steps, where the Gaussian band of naive is far too wide late', () => {
    // White noise: naive's own sd grows with √h, its true error does not.
    const y = syntheticSeries({ n: 3000, level: 50, noiseSd: 5 }, seededRng(21));
    let early = 0;
    let late = 0;
    let cuts = 0;
    for (let cut = 1500; cut + 50 <= 3000; cut += 150) {
      const r = forecastSeries(series(y.slice(0, cut)), { horizon: 50, model: 'naive', origins: 10 });
      for (let i = 0; i < 50; i++) {
        const inside = y[cut + i]! >= r.points[i]!.p10 && y[cut + i]! <= r.points[i]!.p90;
        if (inside && i < 10) early++;
        if (inside && i >= 40) late++;
      }
      cuts++;
    }
    expect(early / (10 * cuts)).toBeGreaterThan(0.65);
    expect(early / (10 * cuts)).toBeLessThan(0.92);
    expect(late / (10 * cuts)).toBeGreaterThan(0.65);
    expect(late / (10 * cuts)).toBeLessThan(0.92);
  });

  it('delivers any quantiles asked for, in order, and scores them', () => {
    const y = syntheticSeries({ n: 24 * 30, level: 100, daily: 20, noiseSd: 4 }, seededRng(22));
    const r = forecastSeries(series(y), { horizon: 24, model: 'hw', origins: 8, quantiles: [0.99, 0.5, 0.01, 0.9] });
    expect(r.levels).toEqual([0.01, 0.1, 0.5, 0.9, 0.99]);
    for (const p of r.points) {
      for (let l = 1; l < p.q.length; l++) expect(p.q[l]!).toBeGreaterThanOrEqual(p.q[l - 1]!);
      expect(p.q[1]).toBe(p.p10);
      expect(p.q[3]).toBe(p.p90);
    }
    const j = forecastToJson(r, 's');
    expect(Object.keys(j.points[0]!)).toEqual(['t', 'p10', 'p50', 'p90', 'p1', 'p99']);
    expect(j.metrics.band).toMatchObject({ from: 'p1', to: 'p99', nominal: 0.98 });
    expect(j.metrics.band.coverage!).toBeGreaterThan(0.85);
    expect(j.metrics.pinball!).toBeGreaterThan(0);
    expect(() => forecastSeries(series(y), { horizon: 24, model: 'hw', origins: 2, quantiles: [1.5] })).toThrow(/quantile 1.5 is not between 0 and 1/);
  });

  it('computes the normal quantile and the pinball loss by their definitions', async () => {
    const { normalQuantile } = await import('./model.js');
    const { pinballLoss } = await import('./backtest.js');
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.9)).toBeCloseTo(1.281551566, 8);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326347874, 8);
    expect(normalQuantile(0.5)).toBe(0);
    expect(pinballLoss(0.9, 10, 8)).toBeCloseTo(1.8, 12);
    expect(pinballLoss(0.9, 8, 10)).toBeCloseTo(0.2, 12);
    expect(pinballLoss(0.5, 3, 5)).toBe(1);
  });

  it('takes the conformal rank ⌈(N+1)q⌉ of the scores near the step', async () => {
    const { levelOffsets } = await import('./backtest.js');
    // 4 origins × 10 steps, sd 1, errors 1…40: every step's window holds all 40 scores.
    const err = Float64Array.from({ length: 40 }, (_, j) => j + 1);
    const c = { K: 4, Hb: 10, err, sd: new Float64Array(40).fill(1), pred: new Float64Array(40) };
    // 0.9: rank ⌈41·0.9⌉ = 37 → 37; 0.1: rank ⌊41·0.1⌋ = 4 → 4, but a lower level never sits above the forecast.
    expect(levelOffsets(c, 3, [0.1, 0.5, 0.9])).toEqual([0, 0, 37]);
    const neg = { ...c, err: Float64Array.from(err, (e) => e - 20.5) };
    expect(levelOffsets(neg, 3, [0.1, 0.9])).toEqual([-16.5, 16.5]);
  });

  it('widens the band by the factor that brings forward coverage to 80% when the errors grow', async () => {
    const { forwardInflation, levelOffsets } = await import('./backtest.js');
    // 3 origins × 20 steps, sd 1. Origins 0 and 1 err by i − 9.5: calibrated on them alone (40
    // scores, each value twice), P90 is the 37th score, 8.5, and P10 the 4th, −8.5.
    const base = Float64Array.from({ length: 20 }, (_, i) => i - 9.5);
    const cal = (third: number) => ({ K: 3, Hb: 20, err: Float64Array.from([...base, ...base, ...base.map((e) => third * e)]), sd: new Float64Array(60).fill(1), pred: new Float64Array(60) });
    // Origin 2 like the others: 18 of its 20 errors (|e| ≤ 8.5) inside, 90%: no widening.
    expect(forwardInflation(cal(1))).toBe(1);
    // Origin 2 errs twice as much (|e| = 1, 1, 3, 3 … 19, 19): 16 of 20 inside needs 8.5λ ≥ 15,
    // λ ≥ 1.765, so 1.8 on the grid of 0.05.
    const grown = cal(2);
    const lambda = forwardInflation(grown);
    expect(lambda).toBeCloseTo(1.8, 12);
    // The band delivered is that much wider than the scores alone give.
    const plain = levelOffsets(grown, 5, [0.1, 0.5, 0.9]);
    const wide = levelOffsets({ ...grown, inflate: lambda }, 5, [0.1, 0.5, 0.9]);
    wide.forEach((z, l) => expect(z).toBeCloseTo(lambda * plain[l]!, 12));
  });
});

describe('robust selection and the ensemble', () => {
  const row = (model: string, maseByOrigin: number[]) => ({ model, description: '', mase: maseByOrigin.reduce((a, b) => a + b, 0) / maseByOrigin.length, mae: 1, maseByOrigin });

  it('calls a gap within the standard error of the paired per-origin differences a near-tie', async () => {
    const { nearTie } = await import('./backtest.js');
    // 0.99 vs 1.08: the second lost badly at one origin and won at the others.
    const best = row('hw-linear', [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 4.42]);
    const other = row('hw', [0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 4.44]);
    expect(best.mase).toBeCloseTo(0.99, 4);
    expect(other.mase).toBeCloseTo(1.08, 4);
    // differences 0.1 ×7 and 0.02: mean 0.09, sd 0.0283, se 0.01 → a real, consistent gap.
    expect(nearTie(other, best)).toBe(false);
    const noisy = row('hw', [0.2, 0.9, 0.3, 1.2, 0.4, 0.5, 0.6, 4.5]);
    // differences −0.3 … 0.7: se ≈ 0.116 > gap 0.085 → within noise.
    expect(nearTie(noisy, best)).toBe(true);
    expect(nearTie(row('x', [1.01]), row('y', [1]))).toBe(true);
    expect(nearTie(row('x', [1.03]), row('y', [1]))).toBe(false);
  });

  it('among near-ties takes the ensemble, else the simplest; a clear winner wins', async () => {
    const { choose } = await import('./backtest.js');
    const best = row('hw-linear', [0.5, 0.5, 0.5, 4.42]);
    const simple = row('snaive-day', [0.6, 1.2, 0.4, 4.2]);
    const ens = row('ensemble', [0.5, 0.6, 0.7, 4.3]);
    expect(choose([simple, best]).model).toBe('snaive-day');
    expect(choose([simple, best, ens]).model).toBe('ensemble');
    expect(choose([row('naive', [3, 3, 3, 3]), best]).model).toBe('hw-linear');
  });

  it('keeps the best champion unless a challenger beats it by more than half a standard error and 2%', async () => {
    const { choose, clearlyBetter } = await import('./backtest.js');
    const snaive = row('snaive-day', [1.0, 1.1, 0.9, 1.2]);
    const sarima = row('sarima', [0.9, 1.0, 0.8, 1.0]);
    // Gains on sarima 0.1, 0.15, 0.08, 0.1: mean 0.1075, se 0.015 → beyond noise and 2% of 0.925.
    const clear = row('theta', [0.8, 0.85, 0.72, 0.9]);
    expect(clearlyBetter(clear, sarima)).toBe(true);
    expect(choose([snaive, sarima, clear], undefined, ['snaive-day', 'sarima']).model).toBe('theta');
    // theta is best but noisy; the ensemble is within noise of it and taken, yet it gains on
    // sarima 0.02, 0.02, 0, 0.02 (mean 0.015, under 2% of 0.925): the champion is kept.
    const lucky = row('theta', [0.5, 1.3, 0.4, 1.2]);
    const ens = row('ensemble', [0.88, 0.98, 0.8, 0.98]);
    expect(choose([snaive, sarima, lucky, ens]).model).toBe('ensemble');
    expect(clearlyBetter(ens, sarima)).toBe(false);
    expect(choose([snaive, sarima, lucky, ens], undefined, ['snaive-day', 'sarima']).model).toBe('sarima');
    // Gains 0.4, −0.3, 0.4, −0.2: mean 0.075, se 0.19 → noise too.
    expect(clearlyBetter(lucky, sarima)).toBe(false);
    // Ahead at every origin by 1%: consistent, but under 2% of the champion's MASE.
    expect(clearlyBetter(row('theta', [0.891, 0.99, 0.792, 0.99]), sarima)).toBe(false);
    // A champion that was not asked for (not among the scores) changes nothing.
    expect(choose([snaive, clear], undefined, ['snaive-day', 'sarima']).model).toBe('theta');
  });

  it('auto picks the fixed SARIMA on a series SARIMA generated, and seasonal naive on a seasonal random walk', () => {
    // SARIMA(φ,0,θ)(0,1,Θ)24: (1 − B²⁴) yₜ = wₜ, wₜ = φwₜ₋₁ + eₜ + θeₜ₋₁ + Θeₜ₋₂₄ + θΘeₜ₋₂₅.
    const path = (seed: number, phi: number, theta: number, Theta: number) => {
      const rng = seededRng(seed);
      const n = 24 * 22;
      const e = new Float64Array(n);
      const w = new Float64Array(n);
      const y = new Float64Array(n);
      for (let t = 0; t < n; t++) {
        e[t] = 3 * rng.normal();
        w[t] = (t > 0 ? phi * w[t - 1]! + theta * e[t - 1]! : 0) + e[t]! + (t >= 24 ? Theta * e[t - 24]! : 0) + (t >= 25 ? theta * Theta * e[t - 25]! : 0);
        y[t] = t < 24 ? 100 + 30 * Math.sin((2 * Math.PI * t) / 24) + w[t]! : y[t - 24]! + w[t]!;
      }
      return { hist: y.subarray(0, 24 * 21), truth: y.subarray(24 * 21) };
    };
    const heldOut = (r: ReturnType<typeof forecastSeries>, truth: Float64Array) => r.points.reduce((a, p, i) => a + Math.abs(truth[i]! - p.p50), 0) / truth.length;
    const s = path(2, 0.8, 0.3, -0.6);
    const auto = forecastSeries(series(s.hist), { horizon: 24, model: 'auto', origins: 8 });
    // The median of the best three edged ahead in the backtest (noise: without the champions it was chosen).
    expect(auto.model).toBe('sarima');
    const snaive = forecastSeries(series(s.hist), { horizon: 24, model: 'snaive-day', origins: 8 });
    expect(heldOut(auto, s.truth)).toBeLessThan(heldOut(snaive, s.truth));
    // yₜ = yₜ₋₂₄ + eₜ: seasonal naive is the right model (SARIMA nests it; nothing else does better).
    const rw = path(2, 0, 0, 0);
    expect(forecastSeries(series(rw.hist), { horizon: 24, model: 'auto', origins: 8 }).model).toBe('snaive-day');
  });

  it('the ensemble forecasts the step-wise median of its members', async () => {
    const { ensembleOf } = await import('./models/ensemble.js');
    const { naive, mean, drift } = await import('./models/naive.js');
    const y = Float64Array.of(1, 2, 3, 4, 10);
    const ctx = { startMs: 0, intervalMs: H, periods: {}, features: [] };
    // naive 10, 10; mean 4, 4; drift 12.25, 14.5 → median 10, 10.
    const e = ensembleOf([naive.fit(y, ctx), mean.fit(y, ctx), drift.fit(y, ctx)]).forecast(2);
    expect(Array.from(e.mean)).toEqual([10, 10]);
    const y2 = Float64Array.of(1, 2, 3, 4, 5);
    // naive 5; mean 3; drift 6 → 5.
    expect(ensembleOf([naive.fit(y2, ctx), mean.fit(y2, ctx), drift.fit(y2, ctx)]).forecast(1).mean[0]).toBe(5);
  });

  it('backtests the median of the best three as a candidate and names its members', () => {
    const y = syntheticSeries({ n: 24 * 7 * 5, level: 200, slope: 0.05, daily: 40, weekly: 15, noiseSd: 8 }, seededRng(31));
    const r = forecastSeries(series(y), { horizon: 24, model: 'auto', origins: 8 });
    const ens = r.backtest.scores.find((s) => s.model === 'ensemble')!;
    expect(ens.members).toHaveLength(3);
    const ranked = r.backtest.scores.filter((s) => s.model !== 'ensemble' && s.mase !== undefined).sort((a, b) => a.mase! - b.mase!);
    expect(ens.members).toEqual(ranked.slice(0, 3).map((s) => s.model));
    expect(ens.mase).toBeLessThan(ranked[2]!.mase!);
    if (r.model === 'ensemble') expect(forecastToJson(r, 's').members).toEqual(ens.members);
    // One model asked for: no ensemble.
    expect(forecastSeries(series(y), { horizon: 24, model: 'hw', origins: 3 }).backtest.scores.some((s) => s.model === 'ensemble')).toBe(false);
  });
});

describe('a mass at zero', () => {
  it('floors a lower level at 0 when at least that share of the calibration truths were 0', async () => {
    const { zeroFloored, forwardInflation } = await import('./backtest.js');
    // 3 origins × 20 steps, errors i − 9.5 at each, sd 1; the first 4 truths of each origin were 0 (20%).
    const base = Float64Array.from({ length: 20 }, (_, i) => i - 9.5);
    const zero = Uint8Array.from({ length: 60 }, (_, j) => (j % 20 < 4 ? 1 : 0));
    const c = { K: 3, Hb: 20, err: Float64Array.from([...base, ...base, ...base]), sd: new Float64Array(60).fill(1), pred: new Float64Array(60), zero };
    expect(zeroFloored(c, 0.1)).toBe(true);
    expect(zeroFloored(c, 0.2)).toBe(true);
    expect(zeroFloored(c, 0.25)).toBe(false);
    expect(zeroFloored(c, 0.9)).toBe(false);
    expect(zeroFloored({ ...c, zero: undefined }, 0.1)).toBe(false);
    // Floored, the band [0, P90] is one-sided: replayed on origin 2 with P90 = 8.5 (from origins 0
    // and 1), 16 of 20 errors must be ≤ 8.5λ: the 16th smallest is 5.5, λ ≥ 0.647 → 0.65. Not
    // floored, the band is only ever widened: 18 of 20 are inside already, λ = 1.
    expect(forwardInflation(c)).toBeCloseTo(0.65, 12);
    expect(forwardInflation({ ...c, zero: undefined })).toBe(1);
  });

  it('delivers P10 = 0 on a count series that is 0 a third of the time, and reports that band', () => {
    const rng = seededRng(17);
    const y = Float64Array.from({ length: 24 * 14 }, () => (rng.next() < 1 / 3 ? 0 : Math.round(50 + 20 * rng.normal() ** 2)));
    const r = forecastSeries(series(y), { horizon: 24, model: 'auto', origins: 8 });
    for (const p of r.points) expect(p.p10).toBe(0);
    expect(r.points.some((p) => p.p90 > 0)).toBe(true);
    // The backtest's coverage is of that band: every 0 inside it.
    expect(r.chosen.coverage!).toBeGreaterThan(0.7);
    expect(r.chosen.coverage!).toBeLessThan(0.95);
    // No zeros (and a band far from 0), no floor.
    const pos = Float64Array.from(y, (v) => v + 200);
    expect(forecastSeries(series(pos), { horizon: 24, model: 'auto', origins: 8 }).points.every((p) => p.p10 > 0)).toBe(true);
  });
});

describe('quantiles', () => {
  it('quickselect quantiles equal sorted quantiles', async () => {
    const { quantile, quantileOf } = await import('./backtest.js');
    const rng = seededRng(3);
    for (const n of [1, 2, 7, 100, 1001]) {
      const xs = Float64Array.from({ length: n }, () => Math.round(rng.normal() * 5));
      const sorted = xs.slice().sort();
      for (const q of [0, 0.1, 0.5, 0.9, 1]) expect(quantileOf(xs.slice(), q)).toBeCloseTo(quantile(sorted, q), 12);
    }
  });
});

describe('a cap', () => {
  it('clips every quantile at it and says how often', () => {
    const y = syntheticSeries({ n: 24 * 14, level: 90, daily: 8, noiseSd: 3 }, seededRng(51));
    const r = forecastSeries(series(y), { horizon: 24, model: 'hw', origins: 3, cap: 95, quantiles: [0.99] });
    for (const p of r.points) for (const v of [p.p10, p.p50, p.p90, ...p.q]) expect(v).toBeLessThanOrEqual(95);
    expect(r.points.some((p) => p.p90 === 95)).toBe(true);
    const notes = forecastToJson(r, 's').preparation.notes.join(' ');
    expect(notes).toMatch(/quantiles clipped at the cap 95 \(\d+ of 24 steps reached it\)/);
    expect(notes).toMatch(/history values exceed the cap 95/);
  });
});

describe('the backtest scores the band delivered', () => {
  it('clips the point forecast and the band at the cap', async () => {
    const { scoreErrors } = await import('./backtest.js');
    // One origin, 4 steps, sd 1: the Gaussian band pred ± 1.2816. The model says 20 where the
    // truth sits at the cap, 11; then 10 where the truth is 9 and 10.5.
    const y = Float64Array.from([11, 11, 9, 10.5]);
    const pred = Float64Array.from([20, 20, 10, 10]);
    const c = { K: 1, Hb: 4, err: Float64Array.from(y, (v, i) => v - pred[i]!), sd: new Float64Array(4).fill(1), pred };
    const plain = scoreErrors(y, [0], [1], c, [0.1, 0.5, 0.9]);
    // Uncapped: [18.7, 21.3] misses both 11s; MASE (9 + 9 + 1 + 0.5) / 4.
    expect(plain.coverage).toBe(0.5);
    expect(plain.mase).toBeCloseTo(4.875, 12);
    // Capped at 11, the band delivered at the first two steps is [11, 11]: both 11s inside, no error.
    const capped = scoreErrors(y, [0], [1], { ...c, cap: 11 }, [0.1, 0.5, 0.9]);
    expect(capped.coverage).toBe(1);
    expect(capped.mase).toBeCloseTo(0.375, 12);
  });

  it('passes --cap to the backtest, so what it reports is of the clipped forecast', () => {
    // GPUs in use that saturate at a cluster of 95: the truths sit at the cap a third of the time.
    const y = Float64Array.from(syntheticSeries({ n: 24 * 14, level: 92, daily: 8, noiseSd: 2 }, seededRng(52)), (v) => Math.min(95, v));
    const free = forecastSeries(series(y), { horizon: 24, model: 'hw', origins: 4 });
    const capped = forecastSeries(series(y), { horizon: 24, model: 'hw', origins: 4, cap: 95 });
    expect(capped.chosen.mase!).toBeLessThan(free.chosen.mase!);
    // No truth is above the cap: clipping there can only help the band (a P90 of 97 loses pinball).
    expect(capped.chosen.pinball!).toBeLessThan(free.chosen.pinball!);
    expect(capped.chosen.coverage!).toBeGreaterThanOrEqual(free.chosen.coverage!);
  });

  it('scores each origin with a widening factor replayed without it (no leak)', async () => {
    const { forwardInflation, scoreErrors } = await import('./backtest.js');
    // 4 origins × 10 steps, sd 1, every step's scores pooled. Origins 0–2 err by i − 4.5 (±0.5 …
    // ±4.5); origin 3 twice that (±1, ±3 … ±9).
    const base = Array.from({ length: 10 }, (_, i) => i - 4.5);
    const err = Float64Array.from([...base, ...base, ...base, ...base.map((e) => 2 * e)]);
    const pred = new Float64Array(40).fill(100);
    const c = { K: 4, Hb: 10, err, sd: new Float64Array(40).fill(1), pred };
    const y = Float64Array.from(err, (e) => 100 + e);
    // Replayed on all origins: origin 2 (band ±4.5 from 0, 1) all inside; origin 3 (±4.5 from 0–2)
    // 4 of 10; 16 of 20 need |e| ≤ 5 inside, 4.5λ ≥ 5: λ = 1.15 on the grid.
    expect(forwardInflation(c)).toBeCloseTo(1.15, 12);
    // Without origin 3 only origin 2 is replayed: λ = 1. Without 0, 1 or 2, origin 3 is replayed
    // on the two others (±4.5) and needs 8 of 10, |e| ≤ 7: λ = 1.6.
    expect(forwardInflation(c, 3)).toBe(1);
    for (const k of [0, 1, 2]) expect(forwardInflation({ ...c, inflate: 1.15 }, k)).toBeCloseTo(1.6, 12);
    // Scored leave-one-origin-out: origins 0–2 (band ±5 from the others, ×1.6) all inside; origin 3
    // (±4.5, ×1) 4 of 10: 34 of 40. With the factor of all origins, 1.15, it would be 36 of 40.
    const s = scoreErrors(y, [0, 10, 20, 30], [1, 1, 1, 1], { ...c, inflate: forwardInflation(c) }, [0.1, 0.5, 0.9]);
    expect(s.coverage).toBeCloseTo(34 / 40, 12);
  });
});

describe('the forward replay', () => {
  it('finds the factor a plain scan of the grid finds, left-out origins shared or not', async () => {
    const { forwardInflation, inflationsLeavingOut, levelOffsets, zeroFloored } = await import('./backtest.js');
    // The reference: every factor of the grid tried in turn, the band built from levelOffsets.
    const scan = (c: Parameters<typeof forwardInflation>[0], x: number) => {
      const grid = Array.from({ length: 56 }, (_, k) => 0.25 + k * 0.05);
      const clip = (v: number) => Math.min(c.cap ?? Infinity, c.zero ? Math.max(0, v) : v);
      const rows: [number, number, number, number][] = [];
      for (let k = 0; k < c.K; k++) {
        if (k === x || k - (x >= 0 && x < k ? 1 : 0) < 2) continue;
        const fl = zeroFloored(c, 0.1, x, k);
        for (let i = 0; i < c.Hb; i++) {
          const j = k * c.Hb + i;
          const z = levelOffsets({ ...c, inflate: 1 }, i, [0.1, 0.9], x, undefined, k);
          rows.push([fl ? -Infinity : z[0]! * c.sd[j]!, z[1]! * c.sd[j]!, c.pred[j]! + c.err[j]!, c.pred[j]!]);
        }
      }
      if (!rows.length) return 1;
      for (const l of grid.filter((g) => zeroFloored(c, 0.1, x) || g >= 1 - 1e-9)) {
        const inside = rows.filter(([lo, hi, y, p]) => y >= (lo === -Infinity ? -Infinity : clip(p + l * lo)) - 1e-9 && y <= clip(p + l * hi) + 1e-9).length;
        if (inside >= 0.8 * rows.length) return l;
      }
      return grid[grid.length - 1]!;
    };
    const rng = seededRng(23);
    for (let t = 0; t < 16; t++) {
      const K = 3 + (t % 6);
      // Short windows now and then: fewer than 10 scores, the Gaussian offsets; long ones that
      // slide (the sorted window kept step to step); a zero sd (no score) here and there.
      const Hb = t % 4 === 1 ? 3 : t % 4 === 2 ? 25 : 6;
      const N = K * Hb;
      // Truths that drift and are 0 a fifth of the time; a cap now and then.
      const pred = Float64Array.from({ length: N }, () => 5 + 5 * rng.next());
      const truth = Float64Array.from({ length: N }, (_, j) => (rng.next() < 0.2 ? 0 : Math.max(0, pred[j]! + (1 + j / Hb) * rng.normal())));
      const c = { K, Hb, pred, err: Float64Array.from(truth, (v, j) => v - pred[j]!), sd: Float64Array.from({ length: N }, (_, j) => (t % 2 === 0 && j % 7 === 3 ? 0 : 0.5 + (j % 5) / 4)), zero: Uint8Array.from(truth, (v) => (v === 0 ? 1 : 0)), ...(t % 3 === 0 && { cap: 9 }) };
      const shared = inflationsLeavingOut(c);
      expect(forwardInflation(c)).toBeCloseTo(scan(c, -1), 12);
      for (let x = 0; x < K; x++) {
        expect(forwardInflation(c, x)).toBeCloseTo(scan(c, x), 12);
        expect(shared[x]).toBeCloseTo(scan(c, x), 12);
      }
    }
  });
});

describe('the leave-one-origin-out offsets', () => {
  it('are levelOffsets with each origin left out, read off one sorted window per step', async () => {
    const { levelOffsets, offsetsLeavingOut } = await import('./backtest.js');
    const rng = seededRng(29);
    for (let t = 0; t < 12; t++) {
      const K = 2 + (t % 7);
      // Few scores (the Gaussian offsets), long sliding windows, zero sds (no score), odd levels.
      const Hb = t % 3 === 0 ? 4 : 30;
      const N = K * Hb;
      const levels = t % 2 ? [0.1, 0.5, 0.9] : [0.01, 0.1, 0.25, 0.5, 0.9, 0.99];
      const c = { K, Hb, pred: new Float64Array(N), err: Float64Array.from({ length: N }, (_, j) => (1 + j / Hb) * rng.normal()), sd: Float64Array.from({ length: N }, (_, j) => (t % 2 === 0 && j % 5 === 2 ? 0 : 0.5 + rng.next())) };
      const got = offsetsLeavingOut(c, levels);
      for (let k = 0; k < K; k++) {
        for (let i = 0; i < Hb; i++) expect(Array.from(got.subarray((k * Hb + i) * levels.length, (k * Hb + i + 1) * levels.length))).toEqual(levelOffsets(c, i, levels, k));
      }
    }
  });
});
