/**
 * The JSON contract of a plan: what `penny plan --json` prints, what the API's plan jobs return and
 * what a plan run records. Money as exact decimal strings. One place, used by every adapter.
 */
import type { PlanResult } from './plan.js';
import { SCHEMA_VERSIONS } from './contracts.js';
import { builtinDateSpan } from '../core/catalog/builtin.js';
import { Decimal, toPlain } from '../core/money.js';
import type { Commitment } from '../core/catalog/offering.js';

const rec = (m: Record<string, Decimal>) => Object.fromEntries(Object.entries(m).sort().map(([k, v]) => [k, toPlain(v)]));

const commitmentJson = (c: Commitment) => ({ name: c.name, termYears: c.termYears ?? null, payment: c.payment, upfrontUsd: toPlain(c.upfrontUsd), usdPerHour: toPlain(c.usdPerHour) });

/** Hours in a month: 8,760 / 12. */
export const HOURS_PER_MONTH = 730;

export function planToJson(r: PlanResult, catalogs: string[], currency?: { code: string; perUsd: Decimal }) {
  const p = r.plan;
  const hours = new Decimal(r.inputs.periods).times(r.inputs.periodHours);
  const perMonthUsd = hours.gt(0) ? p.totalUsd.div(hours).times(HOURS_PER_MONTH) : p.totalUsd;
  const conv = (x: Decimal) => toPlain(x.times(currency!.perUsd).toDecimalPlaces(6));
  return {
    schemaVersion: SCHEMA_VERSIONS.plan,
    scenario: r.inputs.name,
    currency: 'USD',
    periodHours: r.inputs.periodHours,
    periods: r.inputs.periods,
    catalogs: catalogs.map((c) => (c === 'builtin' ? `builtin (${builtinDateSpan()})` : c)),
    solver: { name: r.solver, status: r.status, method: r.method, objective: r.objective, bound: r.bound, gap: r.gap, nodes: r.work.nodes, maxNodes: r.work.maxNodes, ...(r.work.stoppedBy && { stoppedBy: r.work.stoppedBy }) },
    model: r.model,
    timingsS: r.timings,
    plan: p.lines.map((l) => ({
      offering: l.offeringId,
      provider: l.provider,
      region: l.region,
      instanceType: l.instanceType,
      gpu: l.gpu,
      gpuCount: l.gpuCount,
      priceModel: l.priceModel,
      priceUsdPerHour: toPlain(l.priceUsdPerHour),
      ...(l.commitment && { commitment: commitmentJson(l.commitment) }),
      ...(l.savingsPlan && { savingsPlan: { name: l.savingsPlan.name, role: l.savingsPlan.role, ...(l.savingsPlan.committedUsdPerHour && { committedUsdPerHour: toPlain(l.savingsPlan.committedUsdPerHour) }), ...(l.savingsPlan.usageRateUsdPerHour && { usageRateUsdPerHour: toPlain(l.savingsPlan.usageRateUsdPerHour) }) } }),
      runs: l.runs,
      instanceHours: toPlain(l.instanceHours),
      costUsd: toPlain(l.costUsd),
    })),
    totalUsd: toPlain(p.totalUsd),
    perMonthUsd: toPlain(perMonthUsd.toDecimalPlaces(6)),
    ...(currency &&
      currency.code !== 'USD' && {
        inCurrency: { currency: currency.code, perUsd: toPlain(currency.perUsd), total: conv(p.totalUsd), perMonth: conv(perMonthUsd), costByPriceModel: Object.fromEntries(Object.entries(p.byPriceModel).sort().map(([k, v]) => [k, conv(v)])) },
      }),
    egressUsd: toPlain(p.egressUsd),
    costByPriceModel: rec(p.byPriceModel),
    costByProvider: rec(p.byProvider),
    costByGpu: rec(p.byGpu),
    onPremCapexSunkUsd: toPlain(p.onPremCapexUsd),
    baselines: r.baselines.map((b) => ({ name: b.name, feasible: b.feasible, totalUsd: b.totalUsd ? toPlain(b.totalUsd) : null, unmet: b.unmet, note: b.note })),
    savings: r.savings.map((s) => ({ baseline: s.baseline, baselineUsd: toPlain(s.baselineUsd), savingUsd: toPlain(s.savingUsd), share: s.share })),
    ...(r.savingSplit && { savingSplit: { fromUsd: toPlain(r.savingSplit.fromUsd), planUsd: toPlain(r.savingSplit.planUsd), parts: r.savingSplit.parts.map((x) => ({ part: x.part, usd: toPlain(x.usd), rungUsd: toPlain(x.rungUsd) })) } }),
    commitments: r.commitments.map((c) => ({
      offering: c.offeringId,
      name: c.name,
      termYears: c.termYears ?? null,
      payment: c.payment,
      upfrontUsd: toPlain(c.upfrontUsd),
      usdPerHour: toPlain(c.usdPerHour),
      amortisedUsdPerHour: toPlain(c.amortisedUsdPerHour),
      onDemandUsdPerHour: c.onDemandUsdPerHour ? toPlain(c.onDemandUsdPerHour) : null,
      breakEvenUtilisation: c.breakEvenUtilisation ?? null,
      instances: c.instances,
      termCostUsd: c.termCostUsd ? toPlain(c.termCostUsd) : null,
    })),
    savingsPlans: r.savingsPlans.map((p) => ({ name: p.name, provider: p.provider, termYears: p.termYears, payment: p.payment, discount: p.discount, committedUsdPerHour: toPlain(p.committedUsdPerHour), breakEvenUtilisation: p.breakEvenUtilisation, usedShare: p.usedShare, upfrontUsd: toPlain(p.upfrontUsd) })),
    explanations: r.explanations.map((e) => ({
      constraint: e.constraint,
      relaxation: e.relaxation,
      savingUsd: toPlain(e.savingUsd),
      pricedOn: e.pricedOn,
      savingRangeUsd: e.savingRangeUsd ? { low: toPlain(e.savingRangeUsd.low), high: toPlain(e.savingRangeUsd.high) } : null,
      lpSavingUsd: toPlain(e.lpSavingUsd),
      marginalUsd: e.marginalUsd ? toPlain(e.marginalUsd) : null,
    })),
  };
}

