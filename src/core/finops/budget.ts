/**
 * Budgets: burn to date, a forecast to the end of the period, alerts, and the actions that would
 * close a forecast overrun. Pure: spend and savings come in, a status record goes out.
 *
 *   run-rate forecast = spend to date / elapsed days × days in period
 *   overrun           = forecast − budget (when positive)
 * Actions are ordered by saving per unit of effort; each says how much of the gap is closed so far.
 */
import { Decimal, ZERO, dec, sum } from '../money.js';
import { savingPerEffort, type Recommendation } from './scenario-savings.js';

export interface BudgetPeriod {
  start: string;
  end: string;
  /** Where the data ends: burn is measured up to here. */
  asOf: string;
}

/** The calendar month (UTC) that contains `asOf`. */
export function monthOf(asOf: string): BudgetPeriod {
  const d = new Date(asOf);
  const start = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
  const end = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  return { start: start.toISOString(), end: end.toISOString(), asOf: d.toISOString() };
}

/** A forecast of the period's total from spend so far; swappable for a fitted model. */
export type SpendForecaster = (spendToDate: Decimal, period: BudgetPeriod) => Decimal;

export const runRate: SpendForecaster = (spent, p) => {
  const elapsed = Date.parse(p.asOf) - Date.parse(p.start);
  const total = Date.parse(p.end) - Date.parse(p.start);
  if (elapsed <= 0) return spent;
  return spent.times(total).div(Math.min(elapsed, total));
};

export interface Alert {
  threshold: number;
  /** `actual`: spend has passed it; `forecast`: the forecast will. */
  kind: 'actual' | 'forecast';
  amount: Decimal;
}

export interface Action extends Recommendation {
  /** Share of the overrun closed by this action and those before it. */
  closesCumulative: Decimal;
}

export interface BudgetStatus {
  name: string;
  currency: string;
  amount: Decimal;
  period: BudgetPeriod;
  spent: Decimal;
  spentShare: Decimal;
  forecast: Decimal;
  forecastShare: Decimal;
  overrun: Decimal;
  alerts: Alert[];
  actions: Action[];
  /** True when the listed actions together close the forecast overrun. */
  closesGap: boolean;
}

export function budgetStatus(b: { name: string; amount: Decimal; currency: string; thresholds: number[] }, period: BudgetPeriod, spent: Decimal, candidates: Recommendation[], forecaster: SpendForecaster = runRate): BudgetStatus {
  const forecast = forecaster(spent, period);
  const share = (x: Decimal) => (b.amount.gt(0) ? x.div(b.amount) : ZERO);
  const alerts: Alert[] = [];
  for (const t of [...b.thresholds].sort((x, y) => x - y)) {
    const level = b.amount.times(t).div(100);
    if (spent.gte(level)) alerts.push({ threshold: t, kind: 'actual', amount: level });
    else if (forecast.gte(level)) alerts.push({ threshold: t, kind: 'forecast', amount: level });
  }
  const overrun = Decimal.max(ZERO, forecast.minus(b.amount));
  const actions: Action[] = [];
  if (overrun.gt(0)) {
    let closed = ZERO;
    const ordered = candidates.filter((c) => c.saving.gt(0)).sort((x, y) => savingPerEffort(y).comparedTo(savingPerEffort(x)) || x.id.localeCompare(y.id));
    for (const c of ordered) {
      closed = closed.plus(c.saving);
      actions.push({ ...c, closesCumulative: Decimal.min(dec(1), closed.div(overrun)) });
    }
  }
  const total = sum(actions.map((a) => a.saving));
  return { name: b.name, currency: b.currency, amount: b.amount, period, spent, spentShare: share(spent), forecast, forecastShare: share(forecast), overrun, alerts, actions, closesGap: overrun.gt(0) && total.gte(overrun) };
}
