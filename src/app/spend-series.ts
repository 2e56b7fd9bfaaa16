/**
 * Billing in the workspace as a forecastable series (daily effective cost), and a budget forecaster
 * that uses the forecasting models on it instead of the run rate when there is enough history.
 */
import type { Series } from '../core/forecast/series.js';
import { resample } from '../core/forecast/series.js';
import type { BudgetPeriod, SpendForecaster } from '../core/finops/budget.js';
import { runRate } from '../core/finops/budget.js';
import { Decimal, dec } from '../core/money.js';
import type { BillingStore, Dimension, ReportQuery } from './billing-ports.js';
import { billingReport, dimensionLabel } from './billing.js';
import { runForecast } from './forecast.js';
import type { TelemetryStore } from './telemetry-ports.js';

const DAY_MS = 86_400_000;
/** Fewer days of history than this and the run rate is the better guess. */
export const MIN_MODEL_DAYS = 14;

/**
 * Daily effective cost. With `to`, the charges starting before it, and (`fillTo`) the series runs
 * through the day before `to` even when the last days had no charge in scope: those are zeros, and
 * a forecast made from the series then starts on the right day.
 */
export async function dailySpendSeries(billing: BillingStore, q: { currency?: string; to?: string; fillTo?: boolean; where?: ReportQuery['where'] } = {}): Promise<Series | undefined> {
  const rows = await billing.billingReport({ by: [], granularity: 'day', ...(q.to && { to: q.to }), ...(q.where && { where: q.where }) });
  const currency = q.currency ?? rows[0]?.currency;
  const obs = rows.filter((r) => r.currency === currency).map((r) => ({ t: Date.parse(`${r.period}T00:00:00Z`), value: Number(r.effective) }));
  if (obs.length === 0) return undefined;
  // Only when the currency was not asked for: a budget's forecast is in the budget's currency by design.
  const others = q.currency === undefined ? leftOut(rows, currency!) : undefined;
  if (q.to && q.fillTo) {
    const lastDay = Math.floor(Date.parse(q.to) / DAY_MS) * DAY_MS - (Date.parse(q.to) % DAY_MS === 0 ? DAY_MS : 0);
    if (obs.every((o) => o.t < lastDay)) obs.push({ t: lastDay, value: 0 });
  }
  // Days without a charge are true zeros, not gaps.
  const series = resample(obs, { name: 'effective cost per day', unit: currency ?? 'USD', intervalMs: DAY_MS, agg: 'sum', kind: 'events', fill: 'zero' });
  if (others) series.report.notes.push(others);
  return series;
}

/**
 * A forecast of spend is in one currency; spend in the others is left out, and said to be: the
 * series (labelled in its currency) must not read as the whole bill.
 */
function leftOut(rows: { currency: string }[], currency: string): string | undefined {
  const others = [...new Set(rows.map((r) => r.currency))].filter((c) => c !== currency).sort();
  return others.length ? `spend in ${others.join(', ')} is left out: a forecast is in one currency (${currency} here; --currency for another)` : undefined;
}

/** How a group without a value of the dimension (an untagged charge) is keyed. */
export const NO_VALUE_KEY = '(none)';

/**
 * Daily effective cost per value of one dimension (`--by ServiceName`, `--by tag:team`): the `top`
 * groups by cost keep their keys, the rest fold into "(other)". Every group's series spans the same
 * days (from the first charge of any group to the last), days without a charge being zeros, so the
 * forecasts line up. One currency: `currency`, else the first row's (the report's order).
 */
export async function dailySpendSeriesBy(billing: BillingStore, dim: Dimension, q: { top?: number; to?: string; currency?: string } = {}): Promise<{ key: string; series: Series }[]> {
  const rows = await billingReport(billing, { by: [dim], granularity: 'day', ...(q.top !== undefined && { top: q.top }), ...(q.to && { to: q.to }) });
  const currency = q.currency ?? rows[0]?.currency;
  const kept = rows.filter((r) => r.currency === currency);
  if (kept.length === 0) return [];
  // Only when the currency was not asked for: a budget's forecast is in the budget's currency by design.
  const others = q.currency === undefined ? leftOut(rows, currency!) : undefined;
  const days = kept.map((r) => Date.parse(`${r.period}T00:00:00Z`));
  const first = Math.min(...days);
  const last = Math.max(...days);
  const groups = new Map<string, { t: number; value: number }[]>();
  kept.forEach((r, i) => {
    const key = r.keys[0] ?? NO_VALUE_KEY;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push({ t: days[i]!, value: Number(r.effective) });
  });
  const label = dimensionLabel(dim);
  return [...groups.entries()]
    .sort(([a], [b]) => (a === '(other)' ? 1 : b === '(other)' ? -1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([key, obs]) => {
      // Zeros at both ends: a group that started late or stopped early spent nothing on those days.
      obs.sort((a, b) => a.t - b.t);
      if (obs[0]!.t > first) obs.unshift({ t: first, value: 0 });
      if (obs[obs.length - 1]!.t < last) obs.push({ t: last, value: 0 });
      const series = resample(obs, { name: `effective cost per day · ${label}=${key}`, unit: currency ?? 'USD', intervalMs: DAY_MS, agg: 'sum', kind: 'events', fill: 'zero' });
      if (others) series.report.notes.push(others);
      return { key, series };
    });
}

export interface ModelForecast {
  forecaster: SpendForecaster;
  /** How the forecast was made, for the report. */
  method: () => string;
}

const RUN_RATE = 'run rate (spend so far / days elapsed × days in the month)';

/**
 * Spend so far + the model's P50 for what is left of the period: the day `asOf` falls in counts for
 * its part after `asOf`, then each whole day to the end. The series must be the budget scope's
 * daily spend through the day before the one `asOf` falls in (dailySpendSeries with `fillTo`).
 * Fewer than MIN_MODEL_DAYS days, or a model the backtest could not score, and the run rate is used.
 */
export function modelForecaster(series: Series | undefined): ModelForecast {
  let used = RUN_RATE;
  const forecaster: SpendForecaster = (spent: Decimal, p: BudgetPeriod) => {
    const asOf = Date.parse(p.asOf);
    const end = Date.parse(p.end);
    const firstDay = Math.floor(asOf / DAY_MS) * DAY_MS;
    const days = Math.ceil((end - firstDay) / DAY_MS);
    if (!series || asOf >= end) return runRate(spent, p);
    if (series.values.length < MIN_MODEL_DAYS) {
      used = `${RUN_RATE}: ${series.values.length} days of history, fewer than the ${MIN_MODEL_DAYS} a model needs`;
      return runRate(spent, p);
    }
    const seriesEnd = series.startMs + (series.values.length - 1) * series.intervalMs;
    const horizon = Math.round((end - seriesEnd) / DAY_MS) - 1;
    const outcome = runForecast(series, { horizon, source: 'workspace billing', origins: 3 });
    const mase = (outcome.json.metrics as { mase: number | null }).mase;
    if (mase === null) {
      used = `${RUN_RATE}: no model could be scored in a backtest on ${series.values.length} days of history over the ${days} days left`;
      return runRate(spent, p);
    }
    const ahead = outcome.json.points.filter((pt) => Date.parse(pt.t) >= firstDay && Date.parse(pt.t) < end);
    let rest = new Decimal(0);
    for (const pt of ahead) {
      const t = Date.parse(pt.t);
      const value = dec(Math.max(0, pt.p50).toFixed(6));
      // The day `asOf` falls in: only its part after `asOf` is still to come.
      rest = rest.plus(t < asOf ? value.times(t + DAY_MS - asOf).div(DAY_MS) : value);
    }
    used = `${outcome.json.model} on ${series.values.length} days of spend (P50 of the ${days} days left; MASE ${mase.toFixed(2)} in backtest)`;
    return spent.plus(rest);
  };
  return { forecaster, method: () => used };
}

/**
 * GPU telemetry in the workspace as a forecastable series: GPUs busy per interval, the sum over
 * GPUs of each one's mean utilisation in the interval (3 GPUs at 50% = 1.5 GPUs busy).
 */
export async function gpuBusySeries(telemetry: TelemetryStore, intervalMs: number): Promise<Series | undefined> {
  return gpuBusySeriesFrom(await gpuBusySlots(telemetry, intervalMs), intervalMs);
}

/**
 * GPUs busy per slot start (the sum over GPUs of each one's mean utilisation in the slot): what
 * a server sends a CLI beside it, which then builds the same series as a local run.
 */
export async function gpuBusySlots(telemetry: TelemetryStore, intervalMs: number): Promise<{ t: number; value: number }[]> {
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
  return [...perSlot.entries()].map(([t, value]) => ({ t, value }));
}

export function gpuBusySeriesFrom(slots: { t: number; value: number }[], intervalMs: number): Series | undefined {
  if (slots.length === 0) return undefined;
  return resample(slots, { name: 'GPUs busy', unit: 'GPUs', intervalMs, agg: 'sum', kind: 'samples', fill: 'linear' });
}
