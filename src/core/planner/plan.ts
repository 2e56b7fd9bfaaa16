/**
 * decode(solution) → Plan: what to buy, per period in run-length form, with every cost
 * recomputed exactly in Decimal from the integer solution (the solver's float objective is only
 * used to report the gap).
 */
import type { Commitment } from '../catalog/offering.js';
import type { PriceModel } from '../catalog/query.js';
import { Decimal, ZERO, sum } from '../money.js';
import { directClass, type ModelMap, type PlanOption } from './build.js';
import type { PlanInputs } from './inputs.js';

export interface Run {
  /** First and last period (inclusive) and the instance count throughout. */
  from: number;
  to: number;
  count: number;
}

export interface PlanLine {
  offeringId: string;
  provider: string;
  region: string;
  instanceType: string;
  gpu: string;
  gpuCount: number;
  priceModel: PriceModel;
  /** For a reserved line: the amortised hourly cost of its commitment. */
  priceUsdPerHour: Decimal;
  /** The commitment a reserved line buys. */
  commitment?: Commitment;
  /**
   * A savings plan's line: its commitment (priceModel reserved, `committedUsdPerHour`, runs count
   * cents per hour), or on-demand usage it pays for (cost 0 here: paid from the commitment).
   */
  savingsPlan?: { name: string; provider: string; termYears: number; payment: string; discount: number; role: 'commit' | 'usage'; committedUsdPerHour?: Decimal; usageRateUsdPerHour?: Decimal };
  runs: Run[];
  instanceHours: Decimal;
  costUsd: Decimal;
}

export interface Plan {
  lines: PlanLine[];
  totalUsd: Decimal;
  egressUsd: Decimal;
  byPriceModel: Record<string, Decimal>;
  byProvider: Record<string, Decimal>;
  byGpu: Record<string, Decimal>;
  /** Sunk capex of the on-prem pools the catalogs list, reported apart (not in totalUsd). */
  onPremCapexUsd: Decimal;
  /** Work units unmet per class (elastic models only; otherwise all zero). */
  unmet: Record<string, number>;
}

export function runs(counts: number[]): Run[] {
  const out: Run[] = [];
  for (let t = 0; t < counts.length; t++) {
    const n = counts[t]!;
    const last = out[out.length - 1];
    if (last && last.count === n && last.to === t - 1) last.to = t;
    else if (n > 0) out.push({ from: t, to: t, count: n });
  }
  return out;
}

export function formatRuns(rs: Run[]): string {
  return rs.map((r) => `${r.from === r.to ? `t${r.from}` : `t${r.from}–${r.to}`} ×${r.count}`).join(', ');
}

const decOf = (x: number) => new Decimal(String(x));

/** Cost of a list of lines plus egress, broken down three ways. */
export function summarise(lines: PlanLine[], egressUsd: Decimal) {
  const add = (m: Record<string, Decimal>, k: string, v: Decimal) => (m[k] = (m[k] ?? ZERO).plus(v));
  const byPriceModel: Record<string, Decimal> = {};
  const byProvider: Record<string, Decimal> = {};
  const byGpu: Record<string, Decimal> = {};
  for (const l of lines) {
    add(byPriceModel, l.priceModel, l.costUsd);
    add(byProvider, l.provider, l.costUsd);
    add(byGpu, l.gpu, l.costUsd);
  }
  if (egressUsd.gt(0)) add(byPriceModel, 'egress', egressUsd);
  return { byPriceModel, byProvider, byGpu, totalUsd: sum(lines.map((l) => l.costUsd)).plus(egressUsd) };
}

/** Exact cost of holding `counts[t]` instances of an option over the horizon. */
export function lineFor(k: PlanOption, counts: number[], inp: PlanInputs): PlanLine {
  const Δ = decOf(inp.periodHours);
  if (k.sp) {
    const { plan, role } = k.sp;
    const base = role === 'usage' ? lineFor(k.sp.base!, counts, inp) : undefined;
    const hours = Δ.times(counts.length);
    const committed = new Decimal(counts[0] ?? 0).div(100);
    const o = k.offering;
    const sp = { name: plan.name, provider: plan.provider, termYears: plan.termYears, payment: plan.payment, discount: plan.discount, role, ...(role === 'commit' && { committedUsdPerHour: committed }) };
    if (base) return { ...base, priceUsdPerHour: ZERO, costUsd: ZERO, savingsPlan: { ...sp, usageRateUsdPerHour: base.priceUsdPerHour.times(new Decimal(1).minus(decOf(plan.discount))) } };
    return { offeringId: o.id, provider: o.provider, region: o.region, instanceType: o.instanceType, gpu: o.gpu, gpuCount: 0, priceModel: 'reserved', priceUsdPerHour: committed, runs: runs(counts), instanceHours: ZERO, costUsd: committed.times(hours), savingsPlan: sp };
  }
  let hours = ZERO;
  let cost = ZERO;
  for (let t = 0; t < counts.length; t++) {
    const n = counts[t]!;
    if (n === 0) continue;
    // Spot is paid while it runs: the expected available share of the period.
    const h = Δ.times(n).times(k.model === 'spot' ? decOf(k.avail[t]!) : 1);
    hours = hours.plus(h);
    cost = cost.plus(h.times(k.priceUsdPerHour));
  }
  const o = k.offering;
  return { offeringId: o.id, provider: o.provider, region: o.region, instanceType: o.instanceType, gpu: o.gpu, gpuCount: o.gpuCount, priceModel: k.model, priceUsdPerHour: k.priceUsdPerHour, ...(k.commitment && { commitment: k.commitment }), runs: runs(counts), instanceHours: hours, costUsd: cost };
}

export function decode(inp: PlanInputs, map: ModelMap, values: ArrayLike<number>): Plan {
  const T = map.T;
  const Δ = inp.periodHours;
  const lines: PlanLine[] = [];
  // Work delivered by option k to class c in t (for egress): from y, or all of a single-class z.
  const egressByClass = inp.classes.map(() => 0);
  for (const y of map.y) {
    const k = map.options[y.k]!;
    const v = Math.max(0, values[y.col]!);
    egressByClass[y.c]! += v * y.w * k.cap[y.c]! * Δ * k.avail[y.t]! * k.egress[y.c]!;
  }
  for (const k of map.options) {
    const counts = new Array<number>(T).fill(0);
    if (k.model === 'reserved') {
      const r = map.rCol[k.key]! >= 0 ? Math.round(values[map.rCol[k.key]!]!) : 0;
      counts.fill(r);
    } else {
      for (let t = 0; t < T; t++) {
        const col = map.zCol[k.key]![t]!;
        if (col >= 0) counts[t] = Math.round(values[col]!);
      }
    }
    if (counts.every((n) => n === 0)) continue;
    const c = directClass(k, inp);
    if (c >= 0) {
      for (let t = 0; t < T; t++) egressByClass[c]! += counts[t]! * k.cap[c]! * Δ * k.avail[t]! * k.egress[c]!;
    }
    lines.push(lineFor(k, counts, inp));
  }
  lines.sort((a, b) => b.costUsd.comparedTo(a.costUsd) || a.offeringId.localeCompare(b.offeringId) || a.priceModel.localeCompare(b.priceModel) || (a.commitment?.name ?? '').localeCompare(b.commitment?.name ?? '') || (a.savingsPlan?.name ?? '').localeCompare(b.savingsPlan?.name ?? ''));
  // Egress comes from continuous assignments: cents are exact enough, and stable across solvers.
  const egressUsd = sum(egressByClass.map((e) => decOf(e).toDecimalPlaces(6)));
  const unmet: Record<string, number> = {};
  inp.classes.forEach((c, ci) => {
    let u = 0;
    // Periods of one type share a column: each period counts its own unmet demand.
    for (let t = 0; t < T; t++) {
      const col = map.unmetCol[ci]![t]!;
      if (col >= 0) u += Math.max(0, values[col]!);
    }
    unmet[c.name] = u;
  });
  const onPremCapexUsd = sum(inp.offerings.filter((o) => o.onPrem?.capexUsd).map((o) => o.onPrem!.capexUsd!));
  return { lines, egressUsd, onPremCapexUsd, unmet, ...summarise(lines, egressUsd) };
}
