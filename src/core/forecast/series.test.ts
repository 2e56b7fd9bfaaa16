import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../errors.js';
import { findOutliers, intervalLabel, occupancy, resample, seasonalPeriods, slotTime, type Observation } from './series.js';

const H = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);
const base = { name: 'demand', unit: 'GPUs', intervalMs: H, agg: 'mean' as const, kind: 'samples' as const, fill: 'linear' as const };

describe('intervals from seconds to months', () => {
  it('bins 10-second slots, summing counts', () => {
    const obs = Array.from({ length: 30 }, (_, i) => ({ t: T0 + i * 2000, value: 1 }));
    const s = resample(obs, { ...base, intervalMs: 10_000, agg: 'sum' });
    expect(Array.from(s.values)).toEqual([5, 5, 5, 5, 5, 5]);
    expect(intervalLabel(s)).toBe('10s');
    expect(seasonalPeriods(10_000)).toEqual({ day: 8640, week: 60_480 });
  });

  it('bins calendar months, of unequal lengths, and knows their year', () => {
    // The 31st of January, the 28th of February, the 1st of April: three months apart from March's gap.
    const obs = [Date.UTC(2024, 0, 31, 23), Date.UTC(2024, 1, 29), Date.UTC(2024, 3, 1)].map((t, i) => ({ t, value: 10 * (i + 1) }));
    const s = resample(obs, { ...base, intervalMs: 2_629_746_000, intervalMonths: 1 });
    expect(Array.from(s.values)).toEqual([10, 20, 25, 30]);
    expect(Array.from(s.filled)).toEqual([0, 0, 1, 0]);
    expect(s.startMs).toBe(Date.UTC(2024, 0, 1));
    expect([1, 2, 3, 12].map((i) => new Date(slotTime(s, i)).toISOString().slice(0, 10))).toEqual(['2024-02-01', '2024-03-01', '2024-04-01', '2025-01-01']);
    expect(intervalLabel(s)).toBe('1mo');
    expect(seasonalPeriods(s.intervalMs, 1)).toEqual({ day: 12 });
    expect(seasonalPeriods(3 * 2_629_746_000, 3)).toEqual({ day: 4 });
    const q = resample(obs, { ...base, intervalMs: 3 * 2_629_746_000, intervalMonths: 3 });
    expect(Array.from(q.values)).toEqual([15, 30]);
    expect(new Date(slotTime(q, 1)).toISOString().slice(0, 10)).toBe('2024-04-01');
  });
});

describe('resample', () => {
  it('sorts unsorted input and says so', () => {
    const obs: Observation[] = [2, 0, 1].map((i) => ({ t: T0 + i * H, value: i * 10 }));
    const s = resample(obs, base);
    expect(Array.from(s.values)).toEqual([0, 10, 20]);
    expect(s.report.sorted).toBe(true);
    expect(s.report.notes.join()).toMatch(/not in time order/);
  });

  it('merges duplicate timestamps by the aggregation and counts them', () => {
    const obs = [{ t: T0, value: 2 }, { t: T0, value: 4 }, { t: T0 + H, value: 1 }];
    expect(Array.from(resample(obs, base).values)).toEqual([3, 1]);
    expect(resample(obs, { ...base, agg: 'sum' }).values[0]).toBe(6);
    expect(resample(obs, { ...base, agg: 'max' }).values[0]).toBe(4);
    expect(resample(obs, base).report.duplicatesMerged).toBe(1);
  });

  it('fills gaps by interpolation or forward fill and flags every filled slot', () => {
    const obs = [{ t: T0, value: 0 }, { t: T0 + 4 * H, value: 8 }];
    const lin = resample(obs, base);
    expect(Array.from(lin.values)).toEqual([0, 2, 4, 6, 8]);
    expect(Array.from(lin.filled)).toEqual([0, 1, 1, 1, 0]);
    expect(lin.report.gapsFilled).toBe(3);
    expect(lin.report.filledRuns).toEqual([{ from: T0 + H, to: T0 + 3 * H, count: 3 }]);
    expect(Array.from(resample(obs, { ...base, fill: 'ffill' }).values)).toEqual([0, 0, 0, 0, 8]);
  });

  it('treats empty slots of events as zeros, not gaps', () => {
    const obs = [{ t: T0, value: 1 }, { t: T0 + 60_000, value: 1 }, { t: T0 + 3 * H, value: 1 }];
    const s = resample(obs, { ...base, agg: 'sum', kind: 'events' });
    expect(Array.from(s.values)).toEqual([2, 0, 0, 1]);
    expect(s.report.gapsFilled).toBe(0);
  });

  it('counts NaN values as missing and fills them', () => {
    const obs = [{ t: T0, value: 1 }, { t: T0 + H, value: NaN }, { t: T0 + 2 * H, value: 3 }];
    const s = resample(obs, base);
    expect(Array.from(s.values)).toEqual([1, 2, 3]);
    expect(s.report.missingValues).toBe(1);
    expect(s.filled[1]).toBe(1);
  });

  it('refuses a series with no value at all, clearly', () => {
    expect(() => resample([{ t: T0, value: NaN }], base)).toThrow(InvalidInput);
    expect(() => resample([{ t: T0, value: NaN }], base)).toThrow(/no observation has a value/);
  });

  it('keeps future feature rows beyond the last value', () => {
    const obs = [0, 1, 2, 3].map((i) => ({ t: T0 + i * H, value: i < 2 ? i : NaN, features: [i * 10] }));
    const s = resample(obs, { ...base, featureNames: ['price'] });
    expect(s.values.length).toBe(2);
    expect(Array.from(s.features[0]!.values)).toEqual([0, 10, 20, 30]);
  });
});

describe('occupancy', () => {
  it('weights spans by the share of each slot they cover', () => {
    const s = occupancy([{ start: T0 + H / 2, end: T0 + 2 * H, amount: 2 }, { start: T0, end: T0 + 3 * H, amount: 1 }], { name: 'gpus', unit: 'GPUs', startMs: T0, endMs: T0 + 3 * H, intervalMs: H });
    expect(Array.from(s.values)).toEqual([2, 3, 1]);
  });
});

describe('outliers and periods', () => {
  it('reports a spike without removing it', () => {
    const values = Float64Array.from({ length: 100 }, (_, i) => 10 + (i % 3));
    values[50] = 500;
    const s = { name: 'x', unit: '', startMs: T0, intervalMs: H, values, filled: new Uint8Array(100), features: [], report: {} as never };
    const out = findOutliers(s);
    expect(out).toHaveLength(1);
    expect(out[0]!.t).toBe(T0 + 50 * H);
    expect(values[50]).toBe(500);
  });

  it('finds no outliers on a straight trend, and still finds a spike at either end', () => {
    const series = (values: Float64Array) => ({ name: 'x', unit: '', startMs: T0, intervalMs: H, values, filled: new Uint8Array(values.length), features: [], report: {} as never });
    // The ends' windows are one-sided: measured against the window's median alone, the first and
    // last points of any trend looked like outliers (a ramp 0..47 reported 10 of them).
    const ramp = Float64Array.from({ length: 48 }, (_, i) => i);
    expect(findOutliers(series(ramp))).toEqual([]);
    const noisy = Float64Array.from({ length: 100 }, (_, i) => 100 + 2 * i + (i % 3));
    expect(findOutliers(series(noisy))).toEqual([]);
    const spiked = Float64Array.from(noisy);
    spiked[99] = 2000;
    spiked[0] = -900;
    expect(findOutliers(series(spiked)).map((o) => o.t).sort()).toEqual([T0, T0 + 99 * H]);
  });

  it('knows the day and week in slots', () => {
    expect(seasonalPeriods(H)).toEqual({ day: 24, week: 168 });
    expect(seasonalPeriods(86_400_000)).toEqual({ week: 7 });
    expect(seasonalPeriods(60_000)).toEqual({ day: 1440, week: 10080 });
  });
});

describe('occupancy at the trace end', () => {
  it('leaves out a partial last slot and never counts more than a slot', () => {
    const s = occupancy([{ start: T0, end: T0 + 2.5 * H, amount: 4 }], { name: 'gpus', unit: 'GPUs', startMs: T0, endMs: T0 + 2.5 * H, intervalMs: H });
    expect(Array.from(s.values)).toEqual([4, 4]);
    expect(s.report.notes.join()).toMatch(/partial/);
  });
});

describe('order does not matter', () => {
  it('gives the same series from shuffled observations', async () => {
    const { seededRng } = await import('../rng.js');
    const rng = seededRng(5);
    const obs: Observation[] = Array.from({ length: 200 }, (_, i) => ({ t: T0 + Math.floor(i / 2) * H + (i % 2) * 60_000, value: Math.round(rng.next() * 100) }));
    const a = resample(obs, { ...base, agg: 'sum' });
    const shuffled = obs.slice();
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const b = resample(shuffled, { ...base, agg: 'sum' });
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    expect(b.report.sorted).toBe(true);
  });
});
