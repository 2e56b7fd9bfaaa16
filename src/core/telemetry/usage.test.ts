import { totalSaving } from '../finops/scenario-savings.js';
import { describe, expect, it } from 'vitest';
import { dec } from '../money.js';
import { toSeries, type GpuInfo, type GpuSample } from './model.js';
import { parseSmiHeader, parseSmiNumber, parseSmiTimestamp, isNvidiaSmiHeader } from './nvidia-smi.js';
import { gpuUsage, idlePeriods, lowUseSpells, type UsageOptions } from './usage.js';
import { gpuWaste } from './waste.js';
import { defaultGpuPrice } from './gpu-prices.js';

const gpu: GpuInfo = { gpuId: 'GPU-a', host: 'h', index: '0', model: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559 };
const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const opts = (o: Partial<UsageOptions> = {}): UsageOptions => ({ maxGapS: 60, idleUtilPct: 0, minIdleS: 600, pue: dec(1), currency: 'USD', gpuPricePerHour: () => dec('2'), ...o });

/** Samples every `stepS` from `fromS` to `toS` (inclusive) with util/power given by f(t seconds). */
function samples(fromS: number, toS: number, stepS: number, f: (t: number) => { u: number; p: number; m?: number }): GpuSample[] {
  const out: GpuSample[] = [];
  for (let t = fromS; t <= toS; t += stepS) {
    const { u, p, m } = f(t);
    out.push({ gpuId: 'GPU-a', tsMs: T0 + t * 1000, utilGpuPct: u, utilMemPct: null, memUsedMiB: m ?? 1000, powerW: p });
  }
  return out;
}

describe('nvidia-smi cells', () => {
  it('reads headers with units and aliases', () => {
    expect(parseSmiHeader(' power.draw [W]')).toEqual({ name: 'power.draw', unit: 'W', header: 'power.draw [W]' });
    expect(parseSmiHeader('utilization.gpu [%]').name).toBe('utilization.gpu');
    expect(parseSmiHeader('gpu_uuid').name).toBe('uuid');
    expect(isNvidiaSmiHeader(['timestamp', 'power.draw [W]'])).toBe(true);
    expect(isNvidiaSmiHeader(['date', 'value'])).toBe(false);
  });
  it('reads values with units and missing markers', () => {
    expect(parseSmiNumber(' 71.81 W', 'W')).toEqual({ ok: true, value: 71.81 });
    expect(parseSmiNumber('0 %', '%')).toEqual({ ok: true, value: 0 });
    expect(parseSmiNumber('[N/A]', 'W')).toEqual({ ok: true, value: null });
    expect(parseSmiNumber('[Not Supported]', 'W')).toEqual({ ok: true, value: null });
    expect(parseSmiNumber('71.81 MHz', 'W').ok).toBe(false);
    expect(parseSmiNumber('lots', undefined).ok).toBe(false);
  });
  it('reads timestamps as UTC plus the stated offset, and rejects impossible dates', () => {
    expect(parseSmiTimestamp('2024/05/01 12:00:00.123')).toBe(T0 + 123);
    expect(parseSmiTimestamp('2024/05/01 14:00:00.000', 120)).toBe(T0);
    expect(parseSmiTimestamp('2024/02/31 12:00:00')).toBeUndefined();
    expect(parseSmiTimestamp('2024-05-01T12:00:00Z')).toBe(T0);
    expect(parseSmiTimestamp('yesterday')).toBeUndefined();
  });
});

describe('gpu usage', () => {
  it('integrates power by the trapezoid rule: 100 W for one hour is 0.1 kWh, costed with PUE', () => {
    const s = toSeries(gpu, samples(0, 3600, 1, () => ({ u: 50, p: 100 })));
    const [p] = gpuUsage([s], opts({ pricePerKwh: dec('0.30'), pue: dec('1.5') }));
    expect(p!.energyKwh).toBeCloseTo(0.1, 10);
    expect(p!.energyCost!.toFixed(6)).toBe('0.045000');
    expect(p!.busyFraction).toBe(1);
    expect(p!.meanUtilPct).toBeCloseTo(50, 10);
  });

  it('integrates a ramp exactly and splits it at period boundaries', () => {
    // Power rises linearly 0 → 360 W over 2 h, sampled every 7 s (not aligned to the hour).
    const s = toSeries(gpu, samples(0, 7200, 7, (t) => ({ u: 10, p: t / 20 })));
    const ps = gpuUsage([s], opts({ intervalMs: 3_600_000 }));
    expect(ps).toHaveLength(2);
    const last = Math.floor(7200 / 7) * 7; // last sample time
    const expected = (last / 20 / 2) * last / 3_600_000; // area of the triangle, Wh → kWh
    expect(ps[0]!.energyKwh + ps[1]!.energyKwh).toBeCloseTo(expected, 9);
    expect(ps[0]!.energyKwh).toBeCloseTo((180 / 2) * 1 / 1000, 9); // 0 → 180 W over the first hour
  });

  it('does not bridge gaps longer than maxGapS', () => {
    const a = samples(0, 600, 1, () => ({ u: 100, p: 300 }));
    const b = samples(4200, 4800, 1, () => ({ u: 100, p: 300 }));
    const [p] = gpuUsage([toSeries(gpu, [...a, ...b])], opts());
    expect(p!.observedS).toBe(1200);
    expect(p!.gapS).toBe(3600);
    expect(p!.energyKwh).toBeCloseTo(0.1, 9);
  });

  it('finds idle periods of at least minIdleS and prices them at the GPU rate', () => {
    // busy 10 min, idle 20 min, busy 5 min, idle 2 min (too short), busy 3 min
    const f = (t: number) => ({ u: t < 600 || (t >= 1800 && t < 2100) || t >= 2220 ? 80 : 0, p: 200 });
    const s = toSeries(gpu, samples(0, 2400, 1, f));
    const idle = idlePeriods(s, opts());
    expect(idle).toHaveLength(1);
    // The sample at 600 s reads 0%: it describes (599, 600], so idle runs from 599 s to the last 0% sample at 1799 s.
    expect(idle[0]!.startMs).toBe(T0 + 599_000);
    expect(idle[0]!.durationS).toBe(1200);
    const [p] = gpuUsage([s], opts());
    expect(p!.idleS).toBe(1200);
    expect(p!.idleCost!.toFixed(6)).toBe(dec(1200).div(3600).times(2).toFixed(6));
  });

  it('finds low-use spells: busy, but at a few percent, for long enough', () => {
    // 5 min at 80%, 15 min at 4%, 5 min idle, 2 min at 6% (too short), then 80%.
    const f = (t: number) => ({ u: t < 300 ? 80 : t < 1200 ? 4 : t < 1500 ? 0 : t < 1620 ? 6 : 80, p: 150 });
    const spells = lowUseSpells(toSeries(gpu, samples(0, 2000, 1, f)), { maxGapS: 60, idleUtilPct: 0, maxUtilPct: 10, minDurationS: 600 });
    expect(spells.map((x) => [(x.startMs - T0) / 1000, x.durationS])).toEqual([[299, 900]]);
  });

  it('gives the same result for shuffled input', () => {
    const xs = samples(0, 1000, 1, (t) => ({ u: t % 300 < 100 ? 0 : 60, p: 100 + (t % 17) }));
    const shuffled = [...xs].sort((a, b) => ((a.tsMs * 7919) % 1009) - ((b.tsMs * 7919) % 1009));
    expect(gpuUsage([toSeries(gpu, shuffled)], opts({ minIdleS: 50 }))).toEqual(gpuUsage([toSeries(gpu, xs)], opts({ minIdleS: 50 })));
  });
});

describe('gpu waste', () => {
  const price = { pricePerHour: dec('2.95'), source: 'test', entry: defaultGpuPrice('NVIDIA H100 80GB HBM3') };
  const o = { lowUtilPct: 40, lowMemPct: 25, autostopAfterS: 600, currency: 'USD' };

  it('recommends release for a GPU idle the whole time, at the monthly price', () => {
    const s = toSeries(gpu, samples(0, 7200, 10, () => ({ u: 0, p: 70 })));
    const [u] = gpuUsage([s], opts());
    const w = gpuWaste(gpu, u!, idlePeriods(s, opts()), price, o);
    expect(w.recommendations.map((r) => r.action)).toEqual(['release']);
    expect(w.recommendations[0]!.saving.toFixed(2)).toBe('2153.50'); // 2.95 × 730
  });

  it('recommends autostop for recurring idle time, and sharing for an under-used GPU', () => {
    // 1 h busy at 20% with 8 GiB, then 1 h idle: autostop after 10 min recovers 50 of 120 minutes.
    const s = toSeries(gpu, samples(0, 7200, 10, (t) => ({ u: t <= 3600 ? 20 : 0, p: 150, m: 8192 })));
    const [u] = gpuUsage([s], opts());
    const w = gpuWaste(gpu, u!, idlePeriods(s, opts()), price, o);
    const by = Object.fromEntries(w.recommendations.flatMap((r) => [r, ...(r.alternatives ?? [])]).map((r) => [r.action, r]));
    expect(w.underUsed).toBe(true);
    expect(by.autostop!.saving.toNumber()).toBeCloseTo((3000 / 7200) * 730 * 2.95, 1);
    // 20% busy and 10% of memory: 2 of 7 MIG slices.
    expect(by.share!.title).toContain('MIG 2/7');
    expect(by.share!.saving.toNumber()).toBeCloseTo((3600 / 7200) * 730 * 2.95 * (5 / 7), 1);
    // Sharing, an A100 40GB (1.10/h) and spot (1.25/h) price the same busy half of the month: the
    // best (share, 769.21) counts; the others are its alternatives, best first; autostop adds.
    expect(w.recommendations.map((r) => r.action)).toEqual(['autostop', 'share']);
    expect(by.share!.alternatives!.map((r) => [r.action, r.saving.toFixed()])).toEqual([['smaller-gpu', '675.25'], ['spot', '620.5']]);
    expect(totalSaving(w.recommendations).toFixed()).toBe(by.autostop!.saving.plus(by.share!.saving).toFixed());
  });

  it('recommends nothing for a well-used GPU without a spot price', () => {
    const s = toSeries(gpu, samples(0, 3600, 10, () => ({ u: 95, p: 600, m: 70000 })));
    const [u] = gpuUsage([s], opts());
    const w = gpuWaste(gpu, u!, idlePeriods(s, opts()), { ...price, entry: undefined }, o);
    expect(w.recommendations).toEqual([]);
  });
});
