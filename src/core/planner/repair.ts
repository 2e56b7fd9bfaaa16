/**
 * A rounding heuristic for one period subproblem: from the LP relaxation's solution, round every
 * instance count down, then cover what each class is left short of with the cheapest whole
 * instances that quotas, installed counts and spot shares allow. The result is checked against
 * every row and bound of the model before it is returned, so a wrong guess costs a MILP solve,
 * never a wrong plan. With the LP objective as the bound, a good rounding proves the gap without
 * branch-and-bound; where it does not, the caller solves the MILP.
 */
import { directClass, type ModelMap } from './build.js';
import type { PlanInputs } from './inputs.js';
import { violations, type LpModel } from './lp.js';

const EPS = 1e-9;

export function roundAndRepair(inp: PlanInputs, model: LpModel, map: ModelMap, lp: ArrayLike<number>): Float64Array | undefined {
  const v = Float64Array.from(lp);
  const Δ = inp.periodHours;
  for (let j = 0; j < v.length; j++) if (model.colInteger[j]) v[j] = Math.max(model.colLower[j]!, Math.floor(v[j]! + 1e-7));
  // The representative period of this subproblem: any period whose column exists.
  const yByOwner = new Map<number, ModelMap['y']>();
  for (const y of map.y) {
    const k = map.options[y.k]!;
    const owner = k.model === 'reserved' ? map.rCol[k.key]! : map.zCol[k.key]![y.t]!;
    yByOwner.set(owner, [...(yByOwner.get(owner) ?? []), y]);
  }
  for (const [owner, ys] of yByOwner) {
    const total = ys.reduce((s, y) => s + lp[y.col]!, 0);
    if (total > v[owner]! + EPS) for (const y of ys) v[y.col] = (lp[y.col]! * v[owner]!) / total;
  }
  const t = map.y[0]?.t ?? firstPeriod(map);
  if (t === undefined) return check(model, v);
  const C = inp.classes.length;
  const cover = new Array<number>(C).fill(0);
  const spot = new Array<number>(C).fill(0);
  const usedByOffering = new Map<string, number>();
  const usedByGroup = inp.groupQuotas.map(() => 0);
  const groupsOf = (k: (typeof map.options)[number]) => inp.groupQuotas.map((g, i) => (k.offering.provider === g.provider && (g.region === undefined || k.offering.region === g.region) ? i : -1)).filter((i) => i >= 0);
  const ownerOf = (k: (typeof map.options)[number]) => (k.model === 'reserved' ? map.rCol[k.key]! : map.zCol[k.key]![t]!);
  const single = (k: (typeof map.options)[number]) => directClass(k, inp);
  for (const k of map.options) {
    const col = ownerOf(k);
    if (col < 0) continue;
    const n = v[col]!;
    usedByOffering.set(k.offering.id, (usedByOffering.get(k.offering.id) ?? 0) + n);
    for (const g of groupsOf(k)) usedByGroup[g]! += n * k.offering.gpuCount;
    const s = single(k);
    if (s >= 0) {
      const w = k.cap[s]! * Δ * k.avail[t]!;
      cover[s]! += n * w;
      if (k.model === 'spot') spot[s]! += n * w;
    }
  }
  for (const y of map.y) {
    const k = map.options[y.k]!;
    const w = k.cap[y.c]! * Δ * k.avail[t]!;
    cover[y.c]! += v[y.col]! * w;
    if (k.model === 'spot') spot[y.c]! += v[y.col]! * w;
  }
  for (let c = 0; c < C; c++) {
    const cls = inp.classes[c]!;
    const need = (cls.demand[t] ?? 0) - cover[c]!;
    if (need <= 1e-7) continue;
    let best: { k: (typeof map.options)[number]; n: number; cost: number; ycol: number } | undefined;
    for (const k of map.options) {
      const col = ownerOf(k);
      // Savings-plan usage is bounded by its commitment row: the rounding does not add to it.
      if (col < 0 || k.cap[c]! <= 0 || k.model === 'reserved' || k.sp) continue;
      const w = k.cap[c]! * Δ * k.avail[t]!;
      const n = Math.ceil(need / w - 1e-9);
      if (v[col]! + n > model.colUpper[col]! + EPS) continue;
      if ((usedByOffering.get(k.offering.id) ?? 0) + n > (inp.offeringQuota[k.offering.id] ?? Infinity)) continue;
      if (groupsOf(k).some((g) => usedByGroup[g]! + n * k.offering.gpuCount > inp.groupQuotas[g]!.maxGpus)) continue;
      const s = single(k);
      const ycol = s >= 0 ? -1 : (map.y.find((y) => y.k === k.key && y.c === c)?.col ?? -2);
      if (ycol === -2) continue;
      if (k.model === 'spot' && cls.spotShare < 1 && spot[c]! + (s >= 0 ? n * w : need) > cls.spotShare * (cls.demand[t] ?? 0) + 1e-7) continue;
      const cost = n * model.colCost[col]! + (ycol >= 0 ? (need / w) * model.colCost[ycol]! : 0);
      if (!best || cost < best.cost - 1e-12) best = { k, n, cost, ycol };
    }
    if (!best) return undefined;
    const col = ownerOf(best.k);
    const w = best.k.cap[c]! * Δ * best.k.avail[t]!;
    v[col]! += best.n;
    if (best.ycol >= 0) v[best.ycol]! += need / w;
    usedByOffering.set(best.k.offering.id, (usedByOffering.get(best.k.offering.id) ?? 0) + best.n);
    for (const g of groupsOf(best.k)) usedByGroup[g]! += best.n * best.k.offering.gpuCount;
    if (best.k.model === 'spot') spot[c]! += best.ycol >= 0 ? need : best.n * w;
  }
  return check(model, v);
}

function firstPeriod(map: ModelMap): number | undefined {
  for (const z of map.zCol) for (let t = 0; t < z.length; t++) if (z[t]! >= 0) return t;
  return undefined;
}

/** The solution if it satisfies every bound, integrality and row (with a small tolerance), else undefined. */
function check(model: LpModel, v: Float64Array): Float64Array | undefined {
  return violations(model, v).length === 0 ? v : undefined;
}
