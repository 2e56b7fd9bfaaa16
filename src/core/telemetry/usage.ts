/**
 * GPU usage, energy and idle time from telemetry series. Pure: series in, records out.
 *
 * - Each pair of consecutive samples (t0, t1] is an interval. An interval longer than `maxGapS` is
 *   a gap: the collector was down, so it counts as unobserved (no energy, no busy or idle time)
 *   rather than being bridged by a guess.
 * - Utilisation: nvidia-smi and DCGM report the share of the PAST sample period with a kernel
 *   running, so (t0, t1] takes the value read at t1. Busy = that value > `idleUtilPct`.
 * - Energy: trapezoid rule over power, split linearly at period boundaries; kWh.
 * - Idle period: consecutive idle intervals (no gap between) lasting at least `minIdleS`.
 */
import { Decimal, ZERO, dec } from '../money.js';
import type { GpuSeries } from './model.js';

export interface UsageOptions {
  fromMs?: number;
  toMs?: number;
  /** Period length; omitted = one period spanning the data. */
  intervalMs?: number;
  maxGapS: number;
  idleUtilPct: number;
  minIdleS: number;
  /** Electricity price per kWh (facility meter) and PUE; without a price, energy has no cost. */
  pricePerKwh?: Decimal;
  pue: Decimal;
  currency: string;
  /** Hourly price of each GPU (allocation cost); without one, idle time has no cost. */
  gpuPricePerHour: (gpuId: string) => Decimal | undefined;
}

export const DEFAULT_USAGE_OPTIONS = { maxGapS: 60, idleUtilPct: 0, minIdleS: 600 } as const;

export interface UsagePeriod {
  gpuId: string;
  startMs: number;
  endMs: number;
  samples: number;
  /** Time covered by samples (gaps excluded). */
  observedS: number;
  busyS: number;
  busyFraction: number;
  /** Time-weighted mean utilisation over observed time, %. */
  meanUtilPct: number | null;
  peakMemUsedMiB: number | null;
  energyKwh: number;
  /** Energy × PUE × price per kWh; undefined without a price. */
  energyCost: Decimal | undefined;
  /** Time inside idle periods (≥ minIdleS). */
  idleS: number;
  idleEnergyKwh: number;
  /** Idle hours × the GPU's hourly price; undefined without a price. */
  idleCost: Decimal | undefined;
  gapS: number;
}

export interface IdlePeriod {
  gpuId: string;
  startMs: number;
  endMs: number;
  durationS: number;
  energyKwh: number;
  meanPowerW: number | null;
}

/** Idle periods of one series (see module doc). */
export function idlePeriods(s: GpuSeries, o: Pick<UsageOptions, 'maxGapS' | 'idleUtilPct' | 'minIdleS' | 'fromMs' | 'toMs'>): IdlePeriod[] {
  const out: IdlePeriod[] = [];
  const t = s.tsMs;
  let start = -1;
  let energy = 0;
  const close = (end: number) => {
    const durationS = (t[end]! - t[start]!) / 1000;
    if (durationS >= o.minIdleS) {
      out.push({ gpuId: s.gpu.gpuId, startMs: t[start]!, endMs: t[end]!, durationS, energyKwh: energy, meanPowerW: energy > 0 ? (energy * 3_600_000) / durationS : null });
    }
    start = -1;
    energy = 0;
  };
  for (let i = 0; i + 1 < t.length; i++) {
    const t0 = Math.max(t[i]!, o.fromMs ?? -Infinity);
    const t1 = Math.min(t[i + 1]!, o.toMs ?? Infinity);
    const dtS = (t[i + 1]! - t[i]!) / 1000;
    const idle = t1 > t0 && dtS <= o.maxGapS && isIdle(s.utilGpuPct[i + 1]!, o.idleUtilPct);
    if (idle) {
      if (start < 0) start = i;
      energy += segmentKwh(s, i, t[i]!, t[i + 1]!);
    } else if (start >= 0) close(i);
  }
  if (start >= 0) close(t.length - 1);
  return out;
}

function isIdle(util: number, threshold: number): boolean {
  return Number.isFinite(util) && util <= threshold;
}

function powerAt(s: GpuSeries, i: number, tMs: number): number {
  const t0 = s.tsMs[i]!;
  const t1 = s.tsMs[i + 1]!;
  const p0 = s.powerW[i]!;
  const p1 = s.powerW[i + 1]!;
  return t1 === t0 ? p0 : p0 + ((p1 - p0) * (tMs - t0)) / (t1 - t0);
}

/** kWh of interval i between a and b (a, b inside it), trapezoid on linearly interpolated power. */
export function segmentKwh(s: GpuSeries, i: number, a: number, b: number): number {
  const pa = powerAt(s, i, a);
  const pb = powerAt(s, i, b);
  if (!Number.isFinite(pa) || !Number.isFinite(pb)) return 0;
  return ((pa + pb) / 2) * ((b - a) / 1000) / 3_600_000;
}

/** Usage per GPU and period. Periods with no observed time are left out. */
export function gpuUsage(series: GpuSeries[], o: UsageOptions): UsagePeriod[] {
  const out: UsagePeriod[] = [];
  for (const s of series) {
    const t = s.tsMs;
    if (t.length === 0) continue;
    const from = o.fromMs ?? t[0]!;
    const to = o.toMs ?? t[t.length - 1]!;
    if (!(to > from)) continue;
    const step = o.intervalMs ?? to - from;
    // Period starts are aligned to multiples of the interval (UTC), so hourly periods start on the hour.
    const origin = o.intervalMs ? Math.floor(from / step) * step : from;
    const idle = idlePeriods(s, o);
    const buckets = new Map<number, Acc>();
    const acc = (k: number): Acc => {
      let a = buckets.get(k);
      if (!a) buckets.set(k, (a = { samples: 0, observedS: 0, busyS: 0, utilS: 0, utilObsS: 0, peakMem: NaN, energy: 0, idleS: 0, idleEnergy: 0, gapS: 0 }));
      return a;
    };
    const bucketOf = (ms: number) => Math.min(Math.floor((ms - origin) / step), Math.floor((to - origin - 1e-9) / step));
    for (let i = 0; i < t.length; i++) {
      if (t[i]! < from || t[i]! > to) continue;
      const a = acc(bucketOf(t[i]!));
      a.samples++;
      if (Number.isFinite(s.memUsedMiB[i]!)) a.peakMem = Number.isFinite(a.peakMem) ? Math.max(a.peakMem, s.memUsedMiB[i]!) : s.memUsedMiB[i]!;
    }
    let p = 0;
    for (let i = 0; i + 1 < t.length; i++) {
      const lo = Math.max(t[i]!, from);
      const hi = Math.min(t[i + 1]!, to);
      if (!(hi > lo)) continue;
      const gap = (t[i + 1]! - t[i]!) / 1000 > o.maxGapS;
      const u = s.utilGpuPct[i + 1]!;
      while (p < idle.length && idle[p]!.endMs <= lo) p++;
      const inIdle = p < idle.length && idle[p]!.startMs <= lo && idle[p]!.endMs >= hi;
      // Split the interval at period boundaries.
      for (let a = lo; a < hi; ) {
        const k = bucketOf(a);
        const b = Math.min(hi, origin + (k + 1) * step);
        const segS = (b - a) / 1000;
        const x = acc(k);
        if (gap) x.gapS += segS;
        else {
          x.observedS += segS;
          const kwh = segmentKwh(s, i, a, b);
          x.energy += kwh;
          if (Number.isFinite(u)) {
            x.utilS += u * segS;
            x.utilObsS += segS;
            if (u > o.idleUtilPct) x.busyS += segS;
          }
          if (inIdle) {
            x.idleS += segS;
            x.idleEnergy += kwh;
          }
        }
        if (b <= a) break;
        a = b;
      }
    }
    const price = o.gpuPricePerHour(s.gpu.gpuId);
    for (const [k, a] of [...buckets].sort((x, y) => x[0] - y[0])) {
      if (a.observedS <= 0 && a.gapS <= 0) continue;
      const startMs = o.intervalMs ? origin + k * step : from;
      out.push({
        gpuId: s.gpu.gpuId,
        startMs,
        endMs: o.intervalMs ? startMs + step : to,
        samples: a.samples,
        observedS: a.observedS,
        busyS: a.busyS,
        busyFraction: a.utilObsS > 0 ? a.busyS / a.utilObsS : 0,
        meanUtilPct: a.utilObsS > 0 ? a.utilS / a.utilObsS : null,
        peakMemUsedMiB: Number.isFinite(a.peakMem) ? a.peakMem : null,
        energyKwh: a.energy,
        energyCost: o.pricePerKwh ? energyCost(a.energy, o.pricePerKwh, o.pue) : undefined,
        idleS: a.idleS,
        idleEnergyKwh: a.idleEnergy,
        idleCost: price ? hoursCost(a.idleS, price) : undefined,
        gapS: a.gapS,
      });
    }
  }
  return out;
}

interface Acc {
  samples: number;
  observedS: number;
  busyS: number;
  utilS: number;
  utilObsS: number;
  peakMem: number;
  energy: number;
  idleS: number;
  idleEnergy: number;
  gapS: number;
}

/** kWh is a measurement (float); it becomes exact money here, at a stated 9 decimals of kWh. */
export function energyCost(kwh: number, pricePerKwh: Decimal, pue: Decimal): Decimal {
  return dec(kwh.toFixed(9)).times(pue).times(pricePerKwh);
}

export function hoursCost(seconds: number, pricePerHour: Decimal): Decimal {
  return dec(seconds.toFixed(3)).div(3600).times(pricePerHour);
}

export function totalOf(xs: (Decimal | undefined)[]): Decimal | undefined {
  return xs.some((x) => x === undefined) ? undefined : xs.reduce<Decimal>((a, b) => a.plus(b!), ZERO);
}

/**
 * Low-use spells: runs of intervals (no gap between) where the GPU is busy but barely, with
 * idleUtilPct < utilisation ≤ maxUtilPct, lasting at least minDurationS. Kernels that keep a GPU
 * allocated and "not idle" while using a few percent of it — candidates for sharing.
 */
export function lowUseSpells(s: GpuSeries, o: { maxGapS: number; idleUtilPct: number; maxUtilPct: number; minDurationS: number }): IdlePeriod[] {
  const out: IdlePeriod[] = [];
  const t = s.tsMs;
  let start = -1;
  let energy = 0;
  const close = (end: number) => {
    const durationS = (t[end]! - t[start]!) / 1000;
    if (durationS >= o.minDurationS) out.push({ gpuId: s.gpu.gpuId, startMs: t[start]!, endMs: t[end]!, durationS, energyKwh: energy, meanPowerW: energy > 0 ? (energy * 3_600_000) / durationS : null });
    start = -1;
    energy = 0;
  };
  for (let i = 0; i + 1 < t.length; i++) {
    const u = s.utilGpuPct[i + 1]!;
    const low = (t[i + 1]! - t[i]!) / 1000 <= o.maxGapS && Number.isFinite(u) && u > o.idleUtilPct && u <= o.maxUtilPct;
    if (low) {
      if (start < 0) start = i;
      energy += segmentKwh(s, i, t[i]!, t[i + 1]!);
    } else if (start >= 0) close(i);
  }
  if (start >= 0) close(t.length - 1);
  return out;
}
