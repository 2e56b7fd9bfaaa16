/** GPU telemetry reports as exact JSON: what `penny gpu … --json` prints and the API returns. */
import { recommendationToJson, totalSaving } from '../core/finops/scenario-savings.js';
import type { Decimal } from '../core/money.js';
import { HOURS_PER_MONTH } from '../core/telemetry/waste.js';
import type { UsageReport, WasteReport } from './telemetry.js';

export function optionsJson(o: { fromMs?: number; toMs?: number; intervalMs?: number; maxGapS: number; idleUtilPct: number; minIdleS: number; pricePerKwh?: Decimal; pue: Decimal; currency: string }) {
  return { from: o.fromMs !== undefined ? new Date(o.fromMs).toISOString() : undefined, to: o.toMs !== undefined ? new Date(o.toMs).toISOString() : undefined, intervalMs: o.intervalMs, maxGapS: o.maxGapS, idleUtilPct: o.idleUtilPct, minIdleS: o.minIdleS, pricePerKwh: o.pricePerKwh?.toFixed(), pue: o.pue.toFixed(), currency: o.currency };
}

/** `currency` only where the price is not in the report's currency (an owned GPU priced in EUR). */
export function priceJson(p: { pricePerHour: Decimal; source: string; currency?: string } | undefined) {
  return p ? { pricePerHour: p.pricePerHour.toFixed(), source: p.source, ...(p.currency && { currency: p.currency }) } : null;
}


export function usageReportToJson(r: UsageReport) {
  return {
  options: optionsJson(r.options),
  // `utilisation`: the sparkline cells (mean utilisation %, null where no sample), whole range.
  gpus: r.gpus.map((g) => ({ ...g, price: priceJson(r.prices.get(g.gpuId)), ...(r.utilisation.has(g.gpuId) && { utilisation: r.utilisation.get(g.gpuId)!.map((x) => (Number.isFinite(x) ? x : null)) }) })),
  periods: r.periods.map((p) => ({
    ...p,
    start: new Date(p.startMs).toISOString(),
    end: new Date(p.endMs).toISOString(),
    energyCost: p.energyCost?.toFixed(),
    idleCost: p.idleCost?.toFixed() ?? null,
  })),
};
}

export function wasteReportToJson(r: WasteReport) {
  return {
  options: { ...optionsJson(r.options), lowUtilPct: r.lowUtilPct, lowMemPct: r.lowMemPct, autostopAfterS: r.autostopAfterS, hoursPerMonth: HOURS_PER_MONTH },
  gpus: r.gpus.map((g) => ({
    gpu: g.gpu,
    price: priceJson(g.price),
    observedS: g.observedS,
    idleS: g.idleS,
    busyS: g.busyS,
    meanUtilBusyPct: g.meanUtilBusyPct,
    peakMemUsedMiB: g.peakMemUsedMiB,
    underUsed: g.underUsed,
    idlePeriods: g.idlePeriods.map((p) => ({ ...p, start: new Date(p.startMs).toISOString(), end: new Date(p.endMs).toISOString() })),
    lowUseSpells: g.lowUseSpells.map((p) => ({ ...p, start: new Date(p.startMs).toISOString(), end: new Date(p.endMs).toISOString() })),
  })),
  recommendations: r.recommendations.map(recommendationToJson),
  /** Monthly, each GPU-hour once (the best of each set of alternatives), in the report's currency. */
  savingTotal: totalSaving(r.recommendations.filter((x) => x.currency === r.options.currency)).toFixed(),
  /** The same per currency: an owned GPU is priced in its scenario's currency, the price table in USD. */
  savingTotals: [...new Set(r.recommendations.map((x) => x.currency))].sort().map((currency) => ({ currency, saving: totalSaving(r.recommendations.filter((x) => x.currency === currency)).toFixed() })),
  notes: r.notes,
};
}
