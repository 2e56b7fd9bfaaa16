import { describe, expect, it } from 'vitest';
import { dec } from '../money.js';
import { toSeries, type GpuInfo, type GpuSample } from './model.js';
import { mean, mergeUsage, reRoll, rollUp, usageFromRollups } from './rollup.js';
import { seededRng } from '../rng.js';
import { DEFAULT_USAGE_OPTIONS, gpuUsage } from './usage.js';

const gpu: GpuInfo = { gpuId: 'G', host: 'h', index: '0', model: null, memoryTotalMiB: null };
const usageOpts = { ...DEFAULT_USAGE_OPTIONS, pue: dec(1), currency: 'USD', gpuPricePerHour: () => undefined };

describe('telemetry roll-ups', () => {
  it('keeps count, min, mean and max per minute, and the additive usage figures, by hand', () => {
    // Samples every 30 s from 00:00:00 to 00:02:00; power 100, 700 (a peak), 100, 100, 300 W.
    const samples: GpuSample[] = [100, 700, 100, 100, 300].map((p, i) => ({ gpuId: 'G', tsMs: i * 30_000, utilGpuPct: i === 1 ? 90 : 0, utilMemPct: null, memUsedMiB: 10 * i, powerW: p }));
    const rows = rollUp(toSeries(gpu, samples), 60_000, Infinity, { maxGapS: 60, idleUtilPct: 0, minIdleS: 600 });
    expect(rows.map((r) => [r.startMs, r.samples, r.power.min, mean(r.power), r.power.max])).toEqual([
      [0, 2, 100, 400, 700],
      [60_000, 2, 100, 100, 100],
      [120_000, 1, 300, 300, 300],
    ]);
    // Interval (0, 30] reads 90% at 30 s → 30 busy seconds in minute 0. Energy: trapezoids
    // (100+700)/2×30 + (700+100)/2×30 = 24,000 J in minute 0; 100×30 + (100+300)/2×30 = 9,000 J in minute 1.
    expect(rows[0]!.busyS).toBe(30);
    expect(rows[0]!.energyKwh * 3.6e6).toBeCloseTo(24_000, 6);
    expect(rows[1]!.energyKwh * 3.6e6).toBeCloseTo(9_000, 6);
    // The last sample opens minute 2 but no interval ends after it.
    expect(rows[2]!.observedS).toBe(0);
    const hour = reRoll(rows, 3_600_000);
    expect(hour).toHaveLength(1);
    expect(hour[0]!.power.max).toBe(700);
    expect(hour[0]!.samples).toBe(5);
    expect(mean(hour[0]!.power)).toBe(260);
  });

  it('rolls up only samples before the cut', () => {
    const samples: GpuSample[] = [0, 1, 2, 3].map((m) => ({ gpuId: 'G', tsMs: m * 60_000, utilGpuPct: 50, utilMemPct: null, memUsedMiB: null, powerW: 200 }));
    const rows = rollUp(toSeries(gpu, samples), 60_000, 2 * 60_000, { maxGapS: 60, idleUtilPct: 0, minIdleS: 600 });
    expect(rows.map((r) => r.startMs)).toEqual([0, 60_000]);
    // Samples at 0 and 60 s rolled up; intervals (0, 60] and (60, 120] too: raw keeps 120 s on.
    expect(rows.reduce((a, r) => a + r.samples, 0)).toBe(2);
    expect(rows.reduce((a, r) => a + r.observedS, 0)).toBe(120);
  });

  it('raw samples after the cut plus roll-ups before it give the usage of the raw samples', () => {
    // Six hours of 10 s samples with idle stretches, bursts and a 5-minute collector gap.
    const rng = seededRng(151);
    const samples: GpuSample[] = [];
    for (let t = 0; t < 6 * 3600; t += 10) {
      if (t > 7200 && t < 7500) continue;
      const phase = Math.floor(t / 1800) % 3;
      const util = phase === 0 ? 0 : Math.round(rng.next() * (phase === 1 ? 20 : 100));
      samples.push({ gpuId: 'G', tsMs: 1_700_000_000_000 + t * 1000, utilGpuPct: util, utilMemPct: null, memUsedMiB: util * 100, powerW: 70 + util * 6 });
    }
    const series = toSeries(gpu, samples);
    const cutMs = series.tsMs[1200]!;
    const kept = toSeries(gpu, samples.filter((x) => x.tsMs >= cutMs));
    const minutes = rollUp(series, 60_000, cutMs, DEFAULT_USAGE_OPTIONS);
    for (const intervalMs of [undefined, 3_600_000]) {
      const o = { ...usageOpts, pricePerKwh: dec('0.2'), ...(intervalMs && { intervalMs }) };
      const all = gpuUsage([series], o);
      for (const rolled of [minutes, reRoll(minutes, 3_600_000)]) {
        const merged = mergeUsage(gpuUsage([kept], o), usageFromRollups(rolled, o, () => undefined), o, () => undefined);
        const total = (ps: typeof all, f: (p: (typeof all)[number]) => number) => ps.reduce((a, p) => a + f(p), 0);
        for (const f of [(p: (typeof all)[number]) => p.energyKwh, (p: (typeof all)[number]) => p.busyS, (p: (typeof all)[number]) => p.observedS, (p: (typeof all)[number]) => p.gapS]) {
          expect(total(merged, f)).toBeCloseTo(total(all, f), 6);
        }
        // (Without an interval gpuUsage leaves the last sample out of its count, so compare with the series.)
        expect(total(merged, (p) => p.samples)).toBe(intervalMs ? total(all, (p) => p.samples) : series.tsMs.length);
        // Idle runs that straddle the cut are split in two; each half is still found if ≥ 10 min.
        expect(Math.abs(total(merged, (p) => p.idleS) - total(all, (p) => p.idleS))).toBeLessThanOrEqual(600);
        if (intervalMs && rolled === minutes) expect(merged.map((p) => p.startMs)).toEqual(all.map((p) => p.startMs));
      }
    }
  });
});
