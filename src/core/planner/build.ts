/**
 * The capacity-planning MILP.
 *
 * Sets: periods t = 0..T−1 of Δ hours; workload classes c; purchase options k = (offering o,
 * pricing model m ∈ {on-demand, spot, reserved, on-prem}), each with n_k GPUs of type g_k at an
 * hourly price p_k. cap[k,c] = f[c,g_k]·n_k (0 where class c may not use k: GPU type not listed,
 * region not allowed). a[k,t] = expected spot availability of k in t (1 for other models).
 *
 * Variables
 *   z[k,t] ∈ ℤ≥0   instances of a per-period option (on-demand, spot, on-prem) running in t
 *   r[k]   ∈ ℤ≥0   reserved instances held for the whole horizon (≤ the offer's maximum)
 *   y[k,c,t] ≥ 0   instances of k assigned to class c in t (only where k serves ≥ 2 classes)
 *
 * Minimise  Σ_{k,t} p_k·Δ·a[k,t]·z[k,t] + Σ_k p_k·Δ·T·r[k] + Σ_{k,c,t} e[k,c]·cap[k,c]·Δ·a[k,t]·y[k,c,t]
 *   (e[k,c] = egress $/work unit when k is outside class c's data region; spot is paid while it runs)
 * subject to
 *   coverage   Σ_k cap[k,c]·Δ·a[k,t]·y[k,c,t] ≥ D[c,t]                        ∀ c,t
 *   capacity   Σ_c y[k,c,t] ≤ z[k,t]  (or ≤ r[k] for reserved)               ∀ k,t
 *   spot share Σ_{k spot} cap[k,c]·Δ·a[k,t]·y[k,c,t] ≤ σ_c·D[c,t]             ∀ c,t
 *   quota      Σ_{k of o} z[k,t] + r[k] ≤ q_o                                 ∀ o,t
 *   group      Σ_{k in provider/region} n_k·(z[k,t] + r[k]) ≤ Q_group          ∀ group,t
 *   on-prem    z[k,t] ≤ installed_k;  spot: z[k,t] = 0 where a[k,t] = 0
 *   budget     total cost ≤ B (optional)
 *
 * Lean by construction (each step keeps the optimum):
 *   - an option dominated by another of the same pricing model (no more expensive, at least as
 *     much capacity for every class, no quota of its own, no more egress, same spot availability)
 *     is dropped: any plan using it is no cheaper than one using its dominator instead;
 *   - an option serving one class only, with no egress to it and (spot) no spot share binding it,
 *     has no y: its z enters that class's rows directly (y = z is optimal then, since capacity it
 *     does not assign is paid anyway and nothing else depends on the assignment);
 *   - no z or y where the class it would serve has zero demand in t;
 *   - periods that look alike (the same demand of every class, the same spot availability of
 *     every option) share one set of columns and rows, weighted by how many they are: given the
 *     horizon-wide reserved columns, such periods are the same subproblem, so one optimal answer
 *     serves them all, and the only other coupling row (the budget) sums costs, which this keeps.
 */
import { amortisedUsdPerHour, commitmentsOf, type Commitment, type Offering } from '../catalog/offering.js';
export type { SavingsPlan };
import { priceOf, type PriceModel } from '../catalog/query.js';
import type { Decimal } from '../money.js';
import type { PlanInputs, SavingsPlan, WorkloadClass } from './inputs.js';
import { Decimal as Dec } from '../money.js';
import { LpBuilder, type LpModel } from './lp.js';

export interface PlanOption {
  key: number;
  offering: Offering;
  model: PriceModel;
  priceUsdPerHour: Decimal;
  price: number;
  /** cap[k,c]: work units per hour of one instance for each class (0 = not usable). */
  cap: number[];
  /** a[k,t]. */
  avail: number[];
  /** Egress USD per work unit, per class. */
  egress: number[];
  /** Upper bound on instances (on-prem installed, reserved maximum). */
  upper: number;
  /** The commitment a reserved option buys (its price is the amortised hourly cost). */
  commitment?: Commitment;
  /**
   * Savings plans: `commit` is the plan's spend column (a reserved-like horizon column counting
   * committed cents per hour, price 0.01); `usage` is on-demand usage the plan pays for, priced 0
   * in the objective and drawn from the commitment at `rateUsdPerHour` (on-demand × (1 − discount)).
   */
  sp?: { plan: SavingsPlan; index: number; role: 'commit' | 'usage'; rateUsdPerHour: number; base?: PlanOption };
}

export interface ModelMap {
  T: number;
  options: PlanOption[];
  /** Options before dominance pruning. */
  optionsConsidered: number;
  /** zCol[k][t] column or −1; reserved options use rCol instead. */
  zCol: Int32Array[];
  rCol: number[];
  /** One y column per (option, class, period type); t is the type's representative, w its size. */
  y: { k: number; c: number; t: number; w: number; col: number }[];
  /** unmet[c][t] column (elastic models only) or −1; periods of one type share a column. */
  unmetCol: Int32Array[];
  /** Period types: the periods each stands for (its first is the representative). */
  periodTypes: number[][];
  /** A family label per row: cover:<class>, capacity, spot:<class>, quota:<offering>, group:<label>, budget. */
  rowFamily: string[];
}

export interface BuildOptions {
  /** Add unmet-demand columns at this price per work unit: the model is then always feasible. */
  elasticPenalty?: number;
  /** Build only these period types (indices into periodTypes): a subproblem of the full model. */
  onlyTypes?: number[];
  /**
   * Reserved instances fixed by option key: their columns keep their names but get fixed bounds
   * and no cost (the caller adds the reserved cost once), so period subproblems can be solved
   * one by one.
   */
  fixReserved?: number[];
  /** Options and period types from an earlier build of the same inputs (saves the pruning). */
  reuse?: { options: PlanOption[]; considered: number; periodTypes: number[][] };
}

const MODELS: PriceModel[] = ['on-demand', 'spot', 'reserved', 'on-prem'];

/**
 * The class an option serves directly (its z in that class's rows, no y), or −1. Only an option
 * serving one class qualifies, and only when nothing depends on how much of its capacity is
 * assigned: no egress (paid on the work served, not on idle capacity) and no spot share (it
 * bounds the spot work serving demand). The shortcut once ignored both: it charged egress on idle
 * capacity and capped spot at whole instances (two 8-GPU instances with 0.90 of egress were
 * priced 9.44, and a dearer plan at 9.32 reported as optimal).
 */
export function directClass(k: PlanOption, inp: PlanInputs): number {
  let only = -1;
  for (let c = 0; c < k.cap.length; c++) {
    if (k.cap[c]! <= 0) continue;
    if (only >= 0) return -1;
    only = c;
  }
  if (only < 0 || k.egress[only] !== 0) return -1;
  if (k.model === 'spot' && inp.classes[only]!.spotShare < 1) return -1;
  return only;
}

export function regionAllowed(cls: WorkloadClass, o: Offering): boolean {
  if (!cls.regions?.length) return true;
  return cls.regions.some((r) => r === o.region || r === `${o.provider}/${o.region}` || r === o.provider);
}

export function groupLabel(g: { provider: string; region?: string }): string {
  return g.region ? `${g.provider}/${g.region}` : g.provider;
}

function inGroup(o: Offering, g: { provider: string; region?: string }): boolean {
  return o.provider === g.provider && (g.region === undefined || o.region === g.region);
}

export function planOptions(inp: PlanInputs): { options: PlanOption[]; considered: number } {
  const T = inp.periods;
  const all: PlanOption[] = [];
  const ones = new Array<number>(T).fill(1);
  for (const o of inp.offerings) {
    const cap = inp.classes.map((c) => (regionAllowed(c, o) ? (c.throughput[o.gpu] ?? 0) * o.gpuCount : 0));
    if (cap.every((x) => x <= 0)) continue;
    const egress = inp.classes.map((c) => (c.data && c.data.region !== o.region ? c.data.gbPerWorkUnit * c.data.egressUsdPerGb.toNumber() : 0));
    for (const model of MODELS) {
      if (inp.allow?.[model] === false) continue;
      if (model === 'reserved') {
        // One option per commitment: the MILP sizes each (1- or 3-year, each way of paying).
        for (const c of commitmentsOf(o)) {
          const upper = c.maxInstances ?? Infinity;
          if (upper <= 0) continue;
          const p = amortisedUsdPerHour(c);
          all.push({ key: 0, offering: o, model, priceUsdPerHour: p, price: p.toNumber(), cap, avail: ones, egress, upper, commitment: c });
        }
        continue;
      }
      const p = priceOf(o, model);
      if (p === undefined) continue;
      let avail = ones;
      if (model === 'spot') {
        const tr = inp.spot.byOffering[o.id];
        avail = tr ? Array.from({ length: T }, (_, t) => tr[t % tr.length]!) : new Array<number>(T).fill(inp.spot.defaultAvailability);
        if (avail.every((a) => a <= 0)) continue;
      }
      const upper = model === 'on-prem' ? o.onPrem!.installed : Infinity;
      if (upper <= 0) continue;
      all.push({ key: 0, offering: o, model, priceUsdPerHour: p, price: p.toNumber(), cap, avail, egress, upper });
    }
  }
  if (inp.allow?.reserved !== false) all.push(...savingsPlanOptions(inp, all));
  // Stable, input-order-independent option order: shuffled catalogs give the same model.
  all.sort((a, b) => (a.offering.id < b.offering.id ? -1 : a.offering.id > b.offering.id ? 1 : MODELS.indexOf(a.model) - MODELS.indexOf(b.model) || (a.commitment?.name ?? '').localeCompare(b.commitment?.name ?? '') || (a.sp?.index ?? -1) - (b.sp?.index ?? -1)));
  const limited = (k: PlanOption) => k.sp !== undefined || k.upper !== Infinity || inp.offeringQuota[k.offering.id] !== undefined || inp.groupQuotas.some((g) => inGroup(k.offering, g));
  const sameAvail = (a: number[], b: number[]) => a === b || a.every((v, i) => v === b[i]);
  const dominates = (a: PlanOption, b: PlanOption) =>
    a.model === b.model &&
    a.sp === undefined &&
    b.sp === undefined &&
    a.model !== 'on-prem' &&
    !limited(a) &&
    a.price <= b.price &&
    a.cap.every((v, c) => v >= b.cap[c]!) &&
    a.egress.every((v, c) => v <= b.egress[c]! || b.cap[c] === 0) &&
    sameAvail(a.avail, b.avail);
  const kept: PlanOption[] = [];
  for (let i = 0; i < all.length; i++) {
    const b = all[i]!;
    let dominated = false;
    for (let j = 0; j < all.length && !dominated; j++) {
      if (i === j) continue;
      const a = all[j]!;
      if (!dominates(a, b)) continue;
      // Exact ties: keep the first, drop the rest.
      const tie = a.price === b.price && a.cap.every((v, c) => v === b.cap[c]) && a.egress.every((v, c) => v === b.egress[c]);
      dominated = !tie || j < i;
    }
    if (!dominated) kept.push(b);
  }
  kept.forEach((k, i) => (k.key = i));
  return { options: kept, considered: all.length };
}

/**
 * For each savings plan: its commitment column (an option of the reserved kind with no capacity,
 * counting cents per hour) and one usage option per on-demand option it covers. Sorted in with the
 * rest by offering id: the commitment's pseudo-offering is `savings-plan/<provider>/<name>`.
 */
function savingsPlanOptions(inp: PlanInputs, all: PlanOption[]): PlanOption[] {
  const out: PlanOption[] = [];
  const C = inp.classes.length;
  (inp.savingsPlans ?? []).forEach((plan, index) => {
    const covered = all.filter((k) => k.model === 'on-demand' && k.offering.provider === plan.provider && (!plan.regions?.length || plan.regions.includes(k.offering.region)) && (!plan.gpus?.length || plan.gpus.includes(k.offering.gpu)));
    if (covered.length === 0) return;
    const offering: Offering = { id: `savings-plan/${plan.provider}/${plan.name}`, provider: 'savings-plan', region: plan.provider, instanceType: plan.name, gpu: '(savings plan)', gpuCount: 1, source: 'scenario' };
    const cent = new Dec('0.01');
    out.push({ key: 0, offering, model: 'reserved', priceUsdPerHour: cent, price: 0.01, cap: new Array<number>(C).fill(0), avail: covered[0]!.avail, egress: new Array<number>(C).fill(0), upper: plan.maxUsdPerHour !== undefined ? Math.floor(plan.maxUsdPerHour * 100) : Infinity, sp: { plan, index, role: 'commit', rateUsdPerHour: 0 } });
    for (const k of covered) {
      out.push({ ...k, priceUsdPerHour: new Dec(0), price: 0, sp: { plan, index, role: 'usage', rateUsdPerHour: k.price * (1 - plan.discount), base: k } });
    }
  });
  return out;
}

export function periodTypes(inp: PlanInputs, options: PlanOption[]): number[][] {
  const byKey = new Map<string, number[]>();
  const spot = options.filter((k) => k.model === 'spot');
  for (let t = 0; t < inp.periods; t++) {
    const key = inp.classes.map((c) => c.demand[t] ?? 0).join(',') + '|' + spot.map((k) => k.avail[t]).join(',');
    const list = byKey.get(key);
    if (list) list.push(t);
    else byKey.set(key, [t]);
  }
  return [...byKey.values()];
}

export function buildModel(inp: PlanInputs, opts: BuildOptions = {}): { model: LpModel; map: ModelMap } {
  const T = inp.periods;
  const Δ = inp.periodHours;
  const C = inp.classes.length;
  const { options, considered } = opts.reuse ?? planOptions(inp);
  const allTypes = opts.reuse?.periodTypes ?? periodTypes(inp, options);
  const types = opts.onlyTypes ? opts.onlyTypes.map((p) => allTypes[p]!) : allTypes;
  const P = types.length;
  const b = new LpBuilder(inp.name);
  const zCol = options.map(() => new Int32Array(T).fill(-1));
  const rCol = options.map(() => -1);
  const unmetCol = inp.classes.map(() => new Int32Array(T).fill(-1));
  const ys: ModelMap['y'] = [];
  const rowFamily: string[] = [];
  const users = options.map((k) => k.cap.map((v, c) => (v > 0 ? c : -1)).filter((c) => c >= 0));

  // Coverage terms gathered per (c, period type); spot terms likewise for the spot-share rows.
  const cover: { idx: number[]; val: number[] }[] = Array.from({ length: C * P }, () => ({ idx: [], val: [] }));
  const spotTerms: { idx: number[]; val: number[] }[] = Array.from({ length: C * P }, () => ({ idx: [], val: [] }));
  const costTerms: { idx: number[]; val: number[] } = { idx: [], val: [] };
  const addCost = (col: number, v: number) => {
    if (v !== 0) {
      costTerms.idx.push(col);
      costTerms.val.push(v);
    }
  };
  const demand = (c: number, t: number) => inp.classes[c]!.demand[t] ?? 0;

  for (const k of options) {
    const us = users[k.key]!;
    const single = directClass(k, inp);
    const horizon = k.model === 'reserved';
    if (horizon) {
      let cost = k.price * Δ * T;
      if (single >= 0) cost += k.egress[single]! * k.cap[single]! * Δ * T;
      const fixed = opts.fixReserved?.[k.key];
      if (fixed !== undefined) rCol[k.key] = b.addCol(`r${k.key}`, 0, fixed, fixed, true);
      else {
        rCol[k.key] = b.addCol(`r${k.key}`, cost, 0, k.upper, true);
        addCost(rCol[k.key]!, cost);
      }
    }
    for (let p = 0; p < P; p++) {
      const ts = types[p]!;
      const t = ts[0]!;
      const w = ts.length;
      const a = k.avail[t]!;
      if (a <= 0) continue;
      const active = us.filter((c) => demand(c, t) > 0);
      if (active.length === 0) continue;
      let owner: number;
      if (horizon) owner = rCol[k.key]!;
      else {
        let cost = k.price * Δ * a * w;
        if (single >= 0) cost += k.egress[single]! * k.cap[single]! * Δ * a * w;
        // Never more instances than would cover every class it serves on its own: a valid bound
        // (costs are non-negative) that keeps branching and cuts on a short leash.
        let ub = Math.min(k.upper, inp.offeringQuota[k.offering.id] ?? Infinity);
        for (const g of inp.groupQuotas) if (inGroup(k.offering, g)) ub = Math.min(ub, Math.floor(g.maxGpus / k.offering.gpuCount));
        ub = Math.min(ub, active.reduce((n, c) => n + Math.ceil(demand(c, t) / (k.cap[c]! * Δ * a) - 1e-9), 0));
        owner = b.addCol(`z${k.key}_${t}`, cost, 0, ub, true);
        for (const tt of ts) zCol[k.key]![tt] = owner;
        addCost(owner, cost);
      }
      if (single >= 0) {
        const cv = k.cap[single]! * Δ * a;
        cover[single * P + p]!.idx.push(owner);
        cover[single * P + p]!.val.push(cv);
        if (k.model === 'spot') {
          spotTerms[single * P + p]!.idx.push(owner);
          spotTerms[single * P + p]!.val.push(cv);
        }
        continue;
      }
      const capIdx: number[] = [owner];
      const capVal: number[] = [-1];
      for (const c of active) {
        const cost = k.egress[c]! * k.cap[c]! * Δ * a * w;
        const col = b.addCol(`y${k.key}_${c}_${t}`, cost, 0, Infinity, false);
        addCost(col, cost);
        ys.push({ k: k.key, c, t, w, col });
        capIdx.push(col);
        capVal.push(1);
        const cv = k.cap[c]! * Δ * a;
        cover[c * P + p]!.idx.push(col);
        cover[c * P + p]!.val.push(cv);
        if (k.model === 'spot') {
          spotTerms[c * P + p]!.idx.push(col);
          spotTerms[c * P + p]!.val.push(cv);
        }
      }
      b.addRow(`cap${k.key}_${t}`, capIdx, capVal, -Infinity, 0);
      rowFamily.push('capacity');
    }
  }

  for (let c = 0; c < C; c++) {
    const cls = inp.classes[c]!;
    for (let p = 0; p < P; p++) {
      const ts = types[p]!;
      const t = ts[0]!;
      const d = demand(c, t);
      if (d <= 0) continue;
      const row = cover[c * P + p]!;
      if (opts.elasticPenalty !== undefined) {
        const u = b.addCol(`unmet${c}_${t}`, opts.elasticPenalty * ts.length, 0, Infinity, false);
        for (const tt of ts) unmetCol[c]![tt] = u;
        row.idx.push(u);
        row.val.push(1);
      }
      b.addRow(`cover${c}_${t}`, row.idx, row.val, d, Infinity);
      rowFamily.push(`cover:${cls.name}`);
      const sp = spotTerms[c * P + p]!;
      if (sp.idx.length && cls.spotShare < 1) {
        b.addRow(`spot${c}_${t}`, sp.idx, sp.val, -Infinity, cls.spotShare * d);
        rowFamily.push(`spot:${cls.name}`);
      }
    }
  }

  // Savings plans: in each period, the usage they pay for (at the discounted rate) is at most the
  // commitment (cents per hour, so 0.01 × the column).
  for (const c of options) {
    if (c.sp?.role !== 'commit' || rCol[c.key]! < 0) continue;
    const usage = options.filter((k) => k.sp?.role === 'usage' && k.sp.index === c.sp!.index);
    for (let p = 0; p < P; p++) {
      const t = types[p]![0]!;
      const idx: number[] = [];
      const val: number[] = [];
      for (const k of usage) {
        const col = zCol[k.key]![t]!;
        if (col < 0) continue;
        idx.push(col);
        val.push(k.sp!.rateUsdPerHour * k.avail[t]!);
      }
      if (idx.length === 0) continue;
      idx.push(rCol[c.key]!);
      val.push(-0.01);
      b.addRow(`sp${c.sp.index}_${t}`, idx, val, -Infinity, 0);
      rowFamily.push(`savings:${c.sp.plan.name}`);
    }
  }

  // Quotas: per offering, per provider/region group; each period type.
  const byOffering = new Map<string, PlanOption[]>();
  for (const k of options) byOffering.set(k.offering.id, [...(byOffering.get(k.offering.id) ?? []), k]);
  const quotaRow = (name: string, family: string, ks: PlanOption[], coef: (k: PlanOption) => number, limit: number) => {
    let reservedOnlyDone = false;
    for (let p = 0; p < P; p++) {
      const t = types[p]![0]!;
      const idx: number[] = [];
      const val: number[] = [];
      let perPeriod = false;
      for (const k of ks) {
        const col = k.model === 'reserved' ? rCol[k.key]! : zCol[k.key]![t]!;
        if (col >= 0) {
          idx.push(col);
          val.push(coef(k));
          if (k.model !== 'reserved') perPeriod = true;
        }
      }
      if (idx.length === 0) continue;
      // A row over reserved columns only is the same in every period: write it once.
      if (!perPeriod) {
        if (reservedOnlyDone) continue;
        reservedOnlyDone = true;
      }
      b.addRow(`${name}_${t}`, idx, val, -Infinity, limit);
      rowFamily.push(family);
    }
  };
  [...byOffering.keys()].sort().forEach((id, i) => {
    const q = inp.offeringQuota[id];
    if (q !== undefined) quotaRow(`quota${i}`, `quota:${id}`, byOffering.get(id)!, () => 1, q);
  });
  inp.groupQuotas.forEach((g, i) => {
    const ks = options.filter((k) => inGroup(k.offering, g));
    if (ks.length) quotaRow(`group${i}`, `group:${groupLabel(g)}`, ks, (k) => k.offering.gpuCount, g.maxGpus);
  });
  if (inp.budgetUsd !== undefined && costTerms.idx.length && !opts.onlyTypes) {
    b.addRow('budget', costTerms.idx, costTerms.val, -Infinity, inp.budgetUsd.toNumber());
    rowFamily.push('budget');
  }
  return { model: b.m, map: { T, options, optionsConsidered: considered, zCol, rCol, y: ys, unmetCol, periodTypes: allTypes, rowFamily } };
}
