/**
 * Billing in the workspace as a forecastable series (daily effective cost), and a budget forecaster
 * that uses the forecasting models on it instead of the run rate when there is enough history.
 */
import type { Series } from '../core/forecast/series.js';
import { resample } from '../core/forecast/series.js';
import type { BudgetPeriod, SpendForecaster } from '../core/finops/budget.js';
import { runRate } from '../core/finops/budget.js';
import { Decimal, dec } from '../core/money.js';
import type { BillingStore, ReportQuery } from './billing-ports.js';
import { runForecast } from './forecast.js';
import type { TelemetryStore } from './telemetry-ports.js';

const DAY_MS = 86_400_000;
/** Fewer days of history than this and the run rate is the better guess. */
export const MIN_MODEL_DAYS = 14;

export async function dailySpendSeries(billing: BillingStore, q: { currency?: string; to?: string; where?: ReportQuery['where'] } = {}): Promise<Series | undefined> {
  const rows = await billing.billingReport({ by: [], granularity: 'day', ...(q.to && { to: q.to }), ...(q.where && { where: q.where }) });
  const currency = q.currency ?? rows[0]?.currency;
  const obs = rows.filter((r) => r.currency === currency).map((r) => ({ t: Date.parse(`${r.period}T00:00:00Z`), value: Number(r.effective) }));
  if (obs.length === 0) return undefined;
  // Days without a charge are true zeros, not gaps.
  return resample(obs, { name: 'effective cost per day', unit: currency ?? 'USD', intervalMs: DAY_MS, agg: 'sum', kind: 'events', fill: 'zero' });
}

export interface ModelForecast {
  forecaster: SpendForecaster;
  /** How the forecast was made, for the report. */
  method: () => string;
}

/**
 * Spend so far + the model's P50 for each remaining day of the period. The series is the budget
 * scope's daily spend up to the start of the last (possibly partial) day of the data.
 */
export function modelForecaster(series: Series | undefined): ModelForecast {
  let used = 'run rate (spend so far / days elapsed × days in the month)';
  const forecaster: SpendForecaster = (spent: Decimal, p: BudgetPeriod) => {
    const asOf = Date.parse(p.asOf);
    const remainingDays = Math.ceil((Date.parse(p.end) - asOf) / DAY_MS);
    if (!series || series.values.length < MIN_MODEL_DAYS || remainingDays <= 0) return runRate(spent, p);
    const outcome = runForecast(series, { horizon: remainingDays, source: 'workspace billing', origins: 3 });
    const ahead = outcome.json.points.filter((pt) => Date.parse(pt.t) >= asOf && Date.parse(pt.t) < Date.parse(p.end));
    used = `${outcome.json.model} on ${series.values.length} days of spend (P50 of the ${ahead.length} days left; MASE ${(outcome.json.metrics as { mase: number }).mase.toFixed(2)} in backtest)`;
    return spent.plus(ahead.reduce((a, pt) => a.plus(dec(Math.max(0, pt.p50).toFixed(6))), new Decimal(0)));
  };
  return { forecaster, method: () => used };
}

/**
 * GPU telemetry in the workspace as a forecastable series: GPUs busy per interval, the sum over
 * GPUs of each one's mean utilisation in the interval (3 GPUs at 50% = 1.5 GPUs busy).
 */
export async function gpuBusySeries(telemetry: TelemetryStore, intervalMs: number): Promise<Series | undefined> {
  const gpus = await telemetry.listGpus();
  const perSlot = new Map<number, number>();
  for (const g of gpus) {
    const obs = (await telemetry.samples(g.gpuId)).filter((s) => s.utilGpuPct !== null).map((s) => ({ t: s.tsMs, value: s.utilGpuPct! / 100 }));
    if (obs.length === 0) continue;
    const one = resample(obs, { name: g.gpuId, unit: 'GPUs', intervalMs, agg: 'mean', kind: 'samples', fill: 'linear' });
    one.values.forEach((v, i) => {
      const t = one.startMs + i * intervalMs;
      perSlot.set(t, (perSlot.get(t) ?? 0) + v);
    });
  }
  if (perSlot.size === 0) return undefined;
  const obs = [...perSlot.entries()].map(([t, value]) => ({ t, value }));
  return resample(obs, { name: 'GPUs busy', unit: 'GPUs', intervalMs, agg: 'sum', kind: 'samples', fill: 'linear' });
}
