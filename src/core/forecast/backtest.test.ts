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
    expect(p.origins).toEqual([15]);
    expect(planOrigins(57, 10, 8, 1)).toEqual({ origins: [33, 35, 37, 39, 41, 43, 45, 47], horizon: 10 });
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
