/**
 * Waste in GPU telemetry, each finding a Recommendation with a MONTHLY saving (730 h a month):
 *
 * - release:    idle (idle periods) ≥ 95% of the observed time → give the GPU back: price × 730.
 * - autostop:   idle periods exist → stop after N minutes idle saves Σ max(0, idle − N) / observed
 *               of the month at the GPU's price (idle spells assumed to recur as observed).
 * Under-used: mean utilisation while busy < lowUtilPct, or peak memory < lowMemPct of the GPU's.
 * - share:      under-used, and its mean busy utilisation and peak memory fit in
 *               fewer MIG slices → pay for k/slices of the GPU: (1 − k/slices) × price × busy hours.
 * - smaller:    under-used, and a cheaper model holds its peak memory (+20%) and its compute (mean busy
 *               utilisation × TFLOPS, +25%) → (price − cheaper) × busy hours. Only for a GPU in the table.
 * - spot:       a known spot price and work that tolerates preemption → (price − spot) × busy hours.
 * `release`, `share`, `smaller` and `spot` are alternatives for the same hours (exclusiveGroup
 * `hours:<gpu>`): the best is the GPU's recommendation, the others its `alternatives`, never added
 * to a total. `autostop` saves idle hours, which none of them price, so it adds.
 */
import { Decimal, dec } from '../money.js';
import { oneSavingPerHour, type Recommendation } from '../finops/scenario-savings.js';
import { GPU_PRICES, type GpuPriceEntry } from './gpu-prices.js';
import type { GpuInfo } from './model.js';
import type { IdlePeriod, UsagePeriod } from './usage.js';

export const HOURS_PER_MONTH = 730;

export interface WasteOptions {
  lowUtilPct: number;
  /** Under-used also when peak memory stays below this share of the GPU's memory (%). */
  lowMemPct: number;
  /** Autostop timeout: idle spells shorter than this are not recovered. */
  autostopAfterS: number;
  currency: string;
}

export interface GpuPrice {
  pricePerHour: Decimal;
  /** Where the price came from: `--gpu-price-per-hour`, the workspace's cost model, or a table entry with its date. */
  source: string;
  /** The price's currency when it is not the report's (an owned GPU priced by a scenario in EUR). */
  currency?: string;
  entry: GpuPriceEntry | undefined;
}

export interface GpuWaste {
  gpu: GpuInfo;
  price: GpuPrice | undefined;
  observedS: number;
  idleS: number;
  busyS: number;
  meanUtilBusyPct: number | null;
  peakMemUsedMiB: number | null;
  idlePeriods: IdlePeriod[];
  /** Busy but barely (see lowUseSpells); listed, priced through `share`. */
  lowUseSpells: IdlePeriod[];
  underUsed: boolean;
  recommendations: Recommendation[];
}

/** `usage` must be whole-range periods (one per GPU). */
export function gpuWaste(gpu: GpuInfo, usage: UsagePeriod, idle: IdlePeriod[], price: GpuPrice | undefined, o: WasteOptions, lowUse: IdlePeriod[] = []): GpuWaste {
  const recs: Recommendation[] = [];
  const observedS = usage.observedS;
  const idleS = usage.idleS;
  const busyS = usage.busyS;
  // Mean utilisation while busy: the time-weighted mean over all observed time, with idle time (0%) taken out.
  const meanBusy = usage.meanUtilPct !== null && busyS > 0 ? (usage.meanUtilPct * observedS) / busyS : null;
  const memTotal = gpu.memoryTotalMiB ?? (price?.entry ? price.entry.memoryGiB * 1024 : null);
  const memShare = memTotal && usage.peakMemUsedMiB !== null ? usage.peakMemUsedMiB / memTotal : null;
  const underUsed = meanBusy !== null && (meanBusy < o.lowUtilPct || (memShare !== null && memShare * 100 < o.lowMemPct));
  const currency = price?.currency ?? o.currency;
  const base = { resource: gpu.gpuId, currency, billedAs: [gpu.host] };
  // The table's cloud prices (smaller GPU, spot) are USD: compared only with a USD price.
  const usd = currency === 'USD';
  const hours = { exclusiveGroup: `hours:${gpu.gpuId}` };
  const idleShare = observedS > 0 ? idleS / observedS : 0;
  const busyShare = observedS > 0 ? busyS / observedS : 0;
  const label = `${gpu.model ?? 'GPU'} ${gpu.host}:${gpu.index}`;
  const p = price?.pricePerHour;
  const priceNote = price ? `at ${p!.toDecimalPlaces(6).toFixed()} ${currency}/h (${price.source})` : 'no hourly price known: pass --gpu-price-per-hour';
  const monthly = (share: number, perHour: Decimal) => dec(share.toFixed(6)).times(HOURS_PER_MONTH).times(perHour);

  if (observedS > 0 && idleShare >= 0.95) {
    recs.push({ ...base, ...hours, id: `release:${gpu.gpuId}`, action: 'release', title: `Release ${label}: idle ${pctText(idleShare)} of the observed time`, saving: p ? monthly(1, p) : dec(0), effort: 'low', basis: `whole GPU for ${HOURS_PER_MONTH} h/month ${priceNote}` });
  } else if (idle.length > 0 && observedS > 0) {
    const recoverS = idle.reduce((a, x) => a + Math.max(0, x.durationS - o.autostopAfterS), 0);
    const mins = o.autostopAfterS / 60;
    recs.push({
      ...base,
      id: `autostop:${gpu.gpuId}`,
      action: 'autostop',
      title: `Autostop ${label} after ${fmtMinutes(mins)} idle: ${idle.length} idle period(s), ${pctText(idleShare)} of the time`,
      saving: p ? monthly(recoverS / observedS, p) : dec(0),
      effort: 'low',
      basis: `${(recoverS / 3600).toFixed(3)} h of ${(observedS / 3600).toFixed(3)} h observed is idle beyond the timeout; assumed to recur, × ${HOURS_PER_MONTH} h/month ${priceNote}`,
    });
  }
  if (underUsed && busyShare > 0) {
    const slices = price?.entry?.migSlices ?? 0;
    if (slices > 0 && memShare !== null) {
      const need = Math.max(1, Math.ceil(Math.max(memShare, meanBusy! / 100) * slices));
      if (need < slices) {
        recs.push({
          ...base,
          ...hours,
          id: `share:${gpu.gpuId}`,
          action: 'share',
          title: `Share ${label} (MIG ${need}/${slices} or fractional GPU): mean ${meanBusy!.toFixed(0)}% busy, peak memory ${pctText(memShare)}`,
          saving: p ? monthly(busyShare, p.times(1 - need / slices)) : dec(0),
          effort: 'medium',
          basis: `needs ${need} of ${slices} slices for its busy ${pctText(busyShare)} of the time ${priceNote}`,
        });
      }
    }
    if (p && usd && usage.peakMemUsedMiB !== null) {
      const peakGiB = usage.peakMemUsedMiB / 1024;
      // Keep 20% headroom on memory and 25% on compute (mean busy utilisation × this GPU's TFLOPS).
      const needTflops = price?.entry ? (price.entry.tflops * meanBusy!) / 100 * 1.25 : Infinity;
      const cheaper = GPU_PRICES.filter((e) => e.memoryGiB >= peakGiB * 1.2 && e.tflops >= needTflops && e.onDemandUsdPerHour.lt(p)).sort((a, b) => a.onDemandUsdPerHour.cmp(b.onDemandUsdPerHour))[0];
      if (cheaper) {
        recs.push({
          ...base,
          ...hours,
          id: `smaller:${gpu.gpuId}`,
          action: 'smaller-gpu',
          title: `Move ${label} to ${cheaper.model}: peak memory ${peakGiB.toFixed(1)} GiB fits its ${cheaper.memoryGiB} GiB, mean ${meanBusy!.toFixed(0)}% busy fits its ${cheaper.tflops} TFLOPS`,
          saving: monthly(busyShare, p.minus(cheaper.onDemandUsdPerHour)),
          effort: 'medium',
          basis: `${cheaper.model} at ${cheaper.onDemandUsdPerHour.toFixed()} USD/h (${cheaper.source}, ${cheaper.asOf}) for the busy ${pctText(busyShare)} of the time; check it runs the kernels fast enough`,
        });
      }
    }
  }
  const spot = price?.entry?.spotUsdPerHour;
  if (p && usd && spot && spot.lt(p) && busyShare > 0) {
    recs.push({
      ...base,
      ...hours,
      id: `spot:${gpu.gpuId}`,
      action: 'spot',
      title: `Run ${label}'s interruptible work on spot`,
      saving: monthly(busyShare, p.minus(spot)),
      effort: 'medium',
      basis: `spot ${spot.toFixed()} USD/h (${price!.entry!.source}, ${price!.entry!.asOf}) for the busy ${pctText(busyShare)} of the time; only for checkpointed training or retryable batch work`,
    });
  }
  return { gpu, price, observedS, idleS, busyS, meanUtilBusyPct: meanBusy, peakMemUsedMiB: usage.peakMemUsedMiB, idlePeriods: idle, lowUseSpells: lowUse, underUsed, recommendations: oneSavingPerHour(recs) };
}

function pctText(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function fmtMinutes(m: number): string {
  return m >= 1 ? `${Number(m.toFixed(1))} min` : `${Math.round(m * 60)} s`;
}
