/**
 * The two plans a MILP must beat, computed exactly in Decimal, each running the servers the user
 * already owns (on-prem pools) where they serve:
 *  (a) all on-demand: owned servers first, then per class the one on-demand offering with the
 *      lowest total cost that covers the rest in every period within its quota, whole instances;
 *  (b) greedy by performance-cost ratio (the rule of the source documents): per period and class,
 *      options (on-demand, spot, on-prem) sorted by work units per dollar, best first, each filled
 *      up to its remaining quota, availability and the class's spot share, until demand is met.
 *      Reserved capacity is left out: the rule has no notion of a commitment over the horizon.
 * Neither shares an instance between classes. A baseline that cannot cover demand says by how much.
 */
import { Decimal, ZERO, sum } from '../money.js';
import { planOptions, type PlanOption } from './build.js';
import type { PlanInputs } from './inputs.js';
import { lineFor, summarise, type PlanLine } from './plan.js';

export interface Baseline {
  name: string;
  feasible: boolean;
  totalUsd?: Decimal;
  lines: PlanLine[];
  byPriceModel?: Record<string, Decimal>;
  /** Why it is infeasible, per class. */
  unmet: Record<string, number>;
  note: string;
}

const EPS = 1e-9;
const decOf = (x: number) => new Decimal(String(x));

/**
 * On-prem servers the user owns, filled first in every period (they cost only their energy): per
 * class in order, pools by work units per dollar, whole servers, within the installed counts. No
 * server is shared between classes. Returns the server counts per pool and what each class still
 * needs, per period, with the egress of the work the servers serve.
 */
function ownedFirst(inp: PlanInputs): { counts: Map<number, number[]>; options: PlanOption[]; rest: number[][]; egress: number } {
  const T = inp.periods;
  const Δ = inp.periodHours;
  const onPrem = inp.allow?.['on-prem'] === false ? [] : planOptions({ ...inp, allow: { 'on-demand': false, spot: false, reserved: false, 'on-prem': true } }).options;
  const counts = new Map<number, number[]>();
  const rest = inp.classes.map((c) => c.demand.slice(0, T).map((d) => d ?? 0));
  let egress = 0;
  for (let t = 0; t < T; t++) {
    inp.classes.forEach((_, c) => {
      const ranked = onPrem
        .filter((k) => k.cap[c]! > 0)
        .map((k) => ({ k, ratio: k.cap[c]! / (k.price + k.egress[c]! * k.cap[c]!) }))
        .sort((a, b) => b.ratio - a.ratio || (a.k.offering.id < b.k.offering.id ? -1 : 1));
      for (const { k } of ranked) {
        const need = rest[c]![t]!;
        if (need <= EPS) break;
        const arr = counts.get(k.key) ?? new Array<number>(T).fill(0);
        const per = k.cap[c]! * Δ;
        const n = Math.min(Math.ceil(need / per - EPS), k.upper - arr[t]!);
        if (n <= 0) continue;
        arr[t]! += n;
        counts.set(k.key, arr);
        const work = Math.min(need, n * per);
        egress += work * k.egress[c]!;
        rest[c]![t] = Math.max(0, need - n * per);
      }
    });
  }
  return { counts, options: onPrem, rest, egress };
}

/**
 * (a) All on-demand: the servers the user owns first (so that owning hardware is not counted as
 * the plan's saving), then per class the one on-demand offering with the lowest total cost that
 * covers what they leave, every period, within its quota, in whole instances. `owned: false` is
 * the same rule with no servers at all, the list-price start of the saving split.
 */
export function allOnDemandBaseline(inp: PlanInputs, opts: { owned?: boolean } = {}): Baseline {
  const Δ = inp.periodHours;
  const owned = opts.owned !== false;
  const { options } = planOptions({ ...inp, allow: { 'on-demand': true, spot: false, reserved: false, 'on-prem': false } });
  const own = owned ? ownedFirst(inp) : undefined;
  const lines: PlanLine[] = own ? [...own.counts.entries()].map(([key, arr]) => lineFor(own.options[key]!, arr, inp)) : [];
  const unmet: Record<string, number> = {};
  let egress = own ? decOf(own.egress).toDecimalPlaces(6) : ZERO;
  const chosen: string[] = [];
  inp.classes.forEach((cls, c) => {
    const need = own ? own.rest[c]! : cls.demand;
    if (need.every((d) => d <= EPS)) {
      unmet[cls.name] = 0;
      chosen.push(`${cls.name}: owned servers`);
      return;
    }
    let best: { cost: Decimal; line: PlanLine; egress: Decimal } | undefined;
    for (const k of options) {
      if (k.cap[c]! <= 0) continue;
      const q = inp.offeringQuota[k.offering.id] ?? Infinity;
      const counts = need.map((d) => (d > EPS ? Math.ceil(d / (k.cap[c]! * Δ) - EPS) : 0));
      if (counts.some((n) => n > q)) continue;
      const line = lineFor(k, counts, inp);
      const e = decOf(k.egress[c]!).times(decOf(sum(need.map((d) => decOf(Math.max(0, d)))).toNumber())).toDecimalPlaces(6);
      const cost = line.costUsd.plus(e);
      if (!best || cost.lt(best.cost)) best = { cost, line, egress: e };
    }
    if (best) {
      lines.push(best.line);
      egress = egress.plus(best.egress);
      chosen.push(`${cls.name}: ${own?.rest[c]!.some((d, t) => d < (cls.demand[t] ?? 0) - EPS) ? 'owned servers, then ' : ''}${best.line.offeringId}`);
      unmet[cls.name] = 0;
    } else unmet[cls.name] = sum(need.map(decOf)).toNumber();
  });
  const feasible = Object.values(unmet).every((u) => u <= EPS);
  const s = summarise(lines, egress);
  return {
    name: owned ? 'all on-demand' : 'all on-demand, nothing owned',
    feasible,
    ...(feasible && { totalUsd: s.totalUsd, byPriceModel: s.byPriceModel }),
    lines,
    unmet,
    note: feasible ? `${owned && own!.counts.size ? 'owned servers first, then the ' : ''}cheapest on-demand offering per class (${chosen.join('; ')})` : 'no single on-demand offering covers every period within its quota for some class',
  };
}

export function greedyBaseline(inp: PlanInputs): Baseline {
  const T = inp.periods;
  const Δ = inp.periodHours;
  const { options } = planOptions({ ...inp, allow: { ...inp.allow, reserved: false } });
  const counts = new Map<number, number[]>();
  const unmet: Record<string, number> = {};
  let egress = 0;
  const groupOf = (k: PlanOption) => inp.groupQuotas.map((g, i) => (k.offering.provider === g.provider && (g.region === undefined || k.offering.region === g.region) ? i : -1)).filter((i) => i >= 0);
  for (let t = 0; t < T; t++) {
    const usedByOffering = new Map<string, number>();
    const usedGroup = inp.groupQuotas.map(() => 0);
    inp.classes.forEach((cls, c) => {
      let rest = cls.demand[t] ?? 0;
      let spotLeft = cls.spotShare * rest;
      // Work units per dollar: throughput over price (egress included), best first.
      const ranked = options
        .filter((k) => k.cap[c]! > 0 && k.avail[t]! > 0)
        .map((k) => ({ k, ratio: k.cap[c]! / (k.price + k.egress[c]! * k.cap[c]!) }))
        .sort((a, b) => b.ratio - a.ratio || (a.k.offering.id < b.k.offering.id ? -1 : a.k.offering.id > b.k.offering.id ? 1 : 0));
      for (const { k } of ranked) {
        if (rest <= EPS) break;
        const per = k.cap[c]! * Δ * k.avail[t]!;
        let n = Math.ceil(rest / per - EPS);
        const id = k.offering.id;
        n = Math.min(n, (inp.offeringQuota[id] ?? Infinity) - (usedByOffering.get(id) ?? 0));
        if (k.model === 'on-prem') n = Math.min(n, k.upper - (counts.get(k.key)?.[t] ?? 0));
        for (const g of groupOf(k)) n = Math.min(n, Math.floor((inp.groupQuotas[g]!.maxGpus - usedGroup[g]!) / k.offering.gpuCount));
        if (k.model === 'spot') n = Math.min(n, Math.floor(spotLeft / per + EPS));
        if (n <= 0) continue;
        const arr = counts.get(k.key) ?? new Array<number>(T).fill(0);
        arr[t]! += n;
        counts.set(k.key, arr);
        usedByOffering.set(id, (usedByOffering.get(id) ?? 0) + n);
        for (const g of groupOf(k)) usedGroup[g]! += n * k.offering.gpuCount;
        const work = Math.min(rest, n * per);
        if (k.model === 'spot') spotLeft -= n * per;
        egress += work * k.egress[c]!;
        rest -= n * per;
      }
      if (rest > EPS) unmet[cls.name] = (unmet[cls.name] ?? 0) + rest;
    });
  }
  for (const cls of inp.classes) unmet[cls.name] ??= 0;
  const lines = [...counts.entries()].map(([key, arr]) => lineFor(options[key]!, arr, inp));
  const egressUsd = decOf(egress).toDecimalPlaces(6);
  const s = summarise(lines, egressUsd);
  const feasible = Object.values(unmet).every((u) => u <= EPS);
  return {
    name: 'greedy by perf/cost',
    feasible,
    ...(feasible && { totalUsd: s.totalUsd, byPriceModel: s.byPriceModel }),
    lines,
    unmet,
    note: feasible ? 'options sorted by work units per dollar, filled in order each period' : 'quotas or spot share stop the greedy fill before demand is met',
  };
}
