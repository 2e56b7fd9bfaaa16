/**
 * Roll-ups of GPU samples: per bucket (a minute, an hour) the count, min, mean and max of each
 * reading, so peaks survive the averaging, plus the additive figures the usage report is made of
 * (observed, busy and gap seconds, utilisation-seconds, energy). Those are attributed exactly as
 * usage.ts does (interval (t0, t1] takes the utilisation read at t1; energy by the trapezoid,
 * split linearly at bucket boundaries; an interval longer than maxGapS is a gap), so the usage and
 * energy of any period made of whole buckets are those of the raw samples, up to float rounding.
 *
 * `beforeMs` is the first sample kept raw: samples before it are counted in the buckets, and
 * every interval ending at or before it, so the raw intervals from it on and the buckets never
 * overlap nor leave a hole. Idle time (runs ≥ minIdleS, as usage.ts finds them) is kept too.
 */
import { type Decimal } from '../money.js';
import type { GpuSeries } from './model.js';
import { type UsageOptions, type UsagePeriod, energyCost, hoursCost, idlePeriods, segmentKwh } from './usage.js';

export interface Stat {
  n: number;
  min: number;
  max: number;
  sum: number;
}

export interface GpuRollup {
  gpuId: string;
  startMs: number;
  bucketMs: number;
  samples: number;
  util: Stat;
  power: Stat;
  memUsed: Stat;
  observedS: number;
  busyS: number;
  /** Σ utilisation × seconds, and the seconds with a utilisation reading: the time-weighted mean. */
  utilS: number;
  utilObsS: number;
  energyKwh: number;
  gapS: number;
  idleS: number;
  idleEnergyKwh: number;
}

export interface RollupOptions {
  maxGapS: number;
  idleUtilPct: number;
  minIdleS: number;
}

const emptyStat = (): Stat => ({ n: 0, min: Infinity, max: -Infinity, sum: 0 });

function add(s: Stat, x: number): void {
  if (!Number.isFinite(x)) return;
  s.n++;
  s.sum += x;
  if (x < s.min) s.min = x;
  if (x > s.max) s.max = x;
}

function merge(a: Stat, b: Stat): Stat {
  return { n: a.n + b.n, min: Math.min(a.min, b.min), max: Math.max(a.max, b.max), sum: a.sum + b.sum };
}

export function mean(s: Stat): number | null {
  return s.n > 0 ? s.sum / s.n : null;
}

function empty(gpuId: string, startMs: number, bucketMs: number): GpuRollup {
  return { gpuId, startMs, bucketMs, samples: 0, util: emptyStat(), power: emptyStat(), memUsed: emptyStat(), observedS: 0, busyS: 0, utilS: 0, utilObsS: 0, energyKwh: 0, gapS: 0, idleS: 0, idleEnergyKwh: 0 };
}

/**
 * Buckets of `bucketMs` (aligned to multiples of it, UTC) for the samples with tsMs < beforeMs,
 * and the intervals ending at them.
 */
export function rollUp(s: GpuSeries, bucketMs: number, beforeMs: number, o: RollupOptions): GpuRollup[] {
  const buckets = new Map<number, GpuRollup>();
  const at = (k: number) => {
    let b = buckets.get(k);
    if (!b) buckets.set(k, (b = empty(s.gpu.gpuId, k * bucketMs, bucketMs)));
    return b;
  };
  const t = s.tsMs;
  for (let i = 0; i < t.length && t[i]! < beforeMs; i++) {
    const b = at(Math.floor(t[i]! / bucketMs));
    b.samples++;
    add(b.util, s.utilGpuPct[i]!);
    add(b.power, s.powerW[i]!);
    add(b.memUsed, s.memUsedMiB[i]!);
  }
  const idle = idlePeriods(s, o);
  let p = 0;
  for (let i = 0; i + 1 < t.length && t[i + 1]! <= beforeMs; i++) {
    const lo = t[i]!;
    const hi = t[i + 1]!;
    if (!(hi > lo)) continue;
    const gap = (hi - lo) / 1000 > o.maxGapS;
    const u = s.utilGpuPct[i + 1]!;
    while (p < idle.length && idle[p]!.endMs <= lo) p++;
    const inIdle = p < idle.length && idle[p]!.startMs <= lo && idle[p]!.endMs >= hi;
    for (let a = lo; a < hi; ) {
      const k = Math.floor(a / bucketMs);
      const e = Math.min(hi, (k + 1) * bucketMs);
      const segS = (e - a) / 1000;
      const b = at(k);
      if (gap) b.gapS += segS;
      else {
        b.observedS += segS;
        const kwh = segmentKwh(s, i, a, e);
        b.energyKwh += kwh;
        if (Number.isFinite(u)) {
          b.utilS += u * segS;
          b.utilObsS += segS;
          if (u > o.idleUtilPct) b.busyS += segS;
        }
        if (inIdle) {
          b.idleS += segS;
          b.idleEnergyKwh += kwh;
        }
      }
      a = e;
    }
  }
  return [...buckets.values()].sort((x, y) => x.startMs - y.startMs);
}

/** Coarser buckets from finer ones (minutes → hours): sums add, min of mins, max of maxes. */
export function reRoll(rows: GpuRollup[], bucketMs: number): GpuRollup[] {
  const out = new Map<string, GpuRollup>();
  for (const r of rows) {
    if (bucketMs % r.bucketMs !== 0) throw new RangeError(`cannot roll ${r.bucketMs} ms buckets into ${bucketMs} ms`);
    const startMs = Math.floor(r.startMs / bucketMs) * bucketMs;
    const key = `${r.gpuId}\u0000${startMs}`;
    const b = out.get(key) ?? empty(r.gpuId, startMs, bucketMs);
    out.set(key, {
      ...b,
      samples: b.samples + r.samples,
      util: merge(b.util, r.util),
      power: merge(b.power, r.power),
      memUsed: merge(b.memUsed, r.memUsed),
      observedS: b.observedS + r.observedS,
      busyS: b.busyS + r.busyS,
      utilS: b.utilS + r.utilS,
      utilObsS: b.utilObsS + r.utilObsS,
      energyKwh: b.energyKwh + r.energyKwh,
      gapS: b.gapS + r.gapS,
      idleS: b.idleS + r.idleS,
      idleEnergyKwh: b.idleEnergyKwh + r.idleEnergyKwh,
    });
  }
  return [...out.values()].sort((a, b) => (a.gpuId < b.gpuId ? -1 : a.gpuId > b.gpuId ? 1 : a.startMs - b.startMs));
}

/**
 * Usage periods from roll-ups, on the grid gpuUsage uses (periods aligned to the interval; one
 * period per GPU without one). A bucket longer than the period counts in the period of its start.
 */
export function usageFromRollups(rows: GpuRollup[], o: UsageOptions, price: (gpuId: string) => Decimal | undefined): UsagePeriod[] {
  const out = new Map<string, UsagePeriod & { utilS: number; utilObsS: number }>();
  for (const r of rows) {
    if (o.fromMs !== undefined && r.startMs < o.fromMs) continue;
    if (o.toMs !== undefined && r.startMs + r.bucketMs > o.toMs) continue;
    const startMs = o.intervalMs ? Math.floor(r.startMs / o.intervalMs) * o.intervalMs : r.startMs;
    const key = o.intervalMs ? `${r.gpuId}\u0000${startMs}` : r.gpuId;
    const p = out.get(key);
    const endMs = o.intervalMs ? startMs + o.intervalMs : r.startMs + r.bucketMs;
    if (!p) {
      out.set(key, { gpuId: r.gpuId, startMs, endMs, samples: r.samples, observedS: r.observedS, busyS: r.busyS, busyFraction: 0, meanUtilPct: null, peakMemUsedMiB: r.memUsed.n ? r.memUsed.max : null, energyKwh: r.energyKwh, energyCost: undefined, idleS: r.idleS, idleEnergyKwh: r.idleEnergyKwh, idleCost: undefined, gapS: r.gapS, utilS: r.utilS, utilObsS: r.utilObsS });
      continue;
    }
    p.startMs = Math.min(p.startMs, startMs);
    p.endMs = Math.max(p.endMs, endMs);
    p.samples += r.samples;
    p.observedS += r.observedS;
    p.busyS += r.busyS;
    p.energyKwh += r.energyKwh;
    p.idleS += r.idleS;
    p.idleEnergyKwh += r.idleEnergyKwh;
    p.gapS += r.gapS;
    p.utilS += r.utilS;
    p.utilObsS += r.utilObsS;
    if (r.memUsed.n) p.peakMemUsedMiB = Math.max(p.peakMemUsedMiB ?? -Infinity, r.memUsed.max);
  }
  return [...out.values()].map(({ utilS, utilObsS, ...p }) => finish({ ...p, busyFraction: utilObsS > 0 ? p.busyS / utilObsS : 0, meanUtilPct: utilObsS > 0 ? utilS / utilObsS : null }, o, price));
}

function finish(p: UsagePeriod, o: UsageOptions, price: (gpuId: string) => Decimal | undefined): UsagePeriod {
  const gpuPrice = price(p.gpuId);
  return { ...p, energyCost: o.pricePerKwh ? energyCost(p.energyKwh, o.pricePerKwh, o.pue) : undefined, idleCost: gpuPrice ? hoursCost(p.idleS, gpuPrice) : undefined };
}

/**
 * Raw periods and roll-up periods of the same GPU and period added together (the raw samples and
 * the roll-ups never cover the same time). Mean utilisation and busy fraction are re-weighted by
 * the time each side observed.
 */
export function mergeUsage(raw: UsagePeriod[], rolled: UsagePeriod[], o: UsageOptions, price: (gpuId: string) => Decimal | undefined): UsagePeriod[] {
  const key = (p: UsagePeriod) => (o.intervalMs ? `${p.gpuId}\u0000${p.startMs}` : p.gpuId);
  const out = new Map<string, UsagePeriod>();
  for (const p of [...rolled, ...raw]) {
    const q = out.get(key(p));
    if (!q) {
      out.set(key(p), p);
      continue;
    }
    const obs = q.observedS + p.observedS;
    const meanOf = (a: number | null, wa: number, b: number | null, wb: number) => (a === null ? b : b === null ? a : (a * wa + b * wb) / (wa + wb || 1));
    out.set(
      key(p),
      finish(
        {
          gpuId: p.gpuId,
          startMs: Math.min(q.startMs, p.startMs),
          endMs: Math.max(q.endMs, p.endMs),
          samples: q.samples + p.samples,
          observedS: obs,
          busyS: q.busyS + p.busyS,
          busyFraction: meanOf(q.busyFraction, q.observedS, p.busyFraction, p.observedS) ?? 0,
          meanUtilPct: meanOf(q.meanUtilPct, q.observedS, p.meanUtilPct, p.observedS),
          peakMemUsedMiB: q.peakMemUsedMiB === null ? p.peakMemUsedMiB : p.peakMemUsedMiB === null ? q.peakMemUsedMiB : Math.max(q.peakMemUsedMiB, p.peakMemUsedMiB),
          energyKwh: q.energyKwh + p.energyKwh,
          energyCost: undefined,
          idleS: q.idleS + p.idleS,
          idleEnergyKwh: q.idleEnergyKwh + p.idleEnergyKwh,
          idleCost: undefined,
          gapS: q.gapS + p.gapS,
        },
        o,
        price,
      ),
    );
  }
  return [...out.values()].sort((a, b) => (a.gpuId < b.gpuId ? -1 : a.gpuId > b.gpuId ? 1 : a.startMs - b.startMs));
}
