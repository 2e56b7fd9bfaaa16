/**
 * Commitment counts by local search. Reserved instances and term commitments are held over the
 * whole horizon, so they are the only integers that couple the periods. The whole model's LP
 * relaxation gives fractional counts; rounded, they are where the search starts. A count is then
 * moved by ±1 while the plan gets cheaper, the plan for a given set of counts being priced as a
 * period pass would start it: each period type's LP relaxation with the counts fixed, rounded to
 * whole instances (`roundAndRepair`). That price is a real plan's cost (an upper bound), so a move
 * is accepted only when it gives a cheaper plan, not merely a cheaper relaxation: rounding 1.25
 * eight-GPU instances up is what makes two reserved one-GPU instances worth it, which the LP does
 * not see.
 *
 * Deterministic: counts are tried in option order, +1 before −1, a move that improves is repeated
 * in its direction, and the search stops after `maxTries` priced sets of counts (a work limit, not
 * a time limit) or a sweep with no improvement. Savings-plan commitments (a rate in whole cents)
 * are not moved: one cent per hour is no step, and the LP's rate rounded to the cent is kept.
 */
import { buildModel, type ModelMap, type PlanOption } from '../core/planner/build.js';
import type { PlanInputs } from '../core/planner/inputs.js';
import { objectiveOf, type LpModel } from '../core/planner/lp.js';
import { roundAndRepair } from '../core/planner/repair.js';
import type { Solver } from './ports.js';

export interface CommitmentSearch {
  /** Counts per option key (reserved options only), the best found. */
  fix: number[];
  /** Cost of the rounded plan with those counts (what the search minimised). */
  objective: number;
  /** Sum of the period types' LP relaxations with those counts fixed (a bound for these counts only). */
  lpObjective: number;
  /** Sets of counts priced, and moves accepted. */
  tries: number;
  moves: number;
}

/** Default work limit: sets of counts priced (each one LP per period type). */
export const DEFAULT_SEARCH_TRIES = 48;

/**
 * The cost of the plan that rounding gives with these counts fixed, and the LP bound for them.
 * Infinity where the counts leave some period type without a plan (infeasible, or a rounding
 * that fails: then the counts are not judged, the search moves on).
 */
export async function priceCounts(inputs: PlanInputs, model: LpModel, map: ModelMap, solver: Solver, fix: number[]): Promise<{ objective: number; lpObjective: number }> {
  let fixed = 0;
  for (const k of map.options) if (k.model === 'reserved' && map.rCol[k.key]! >= 0) fixed += model.colCost[map.rCol[k.key]!]! * fix[k.key]!;
  const reuse = { options: map.options, considered: map.optionsConsidered, periodTypes: map.periodTypes };
  let objective = fixed;
  let lpObjective = fixed;
  for (let p = 0; p < map.periodTypes.length; p++) {
    const built = buildModel(inputs, { onlyTypes: [p], reuse, fixReserved: fix });
    if (built.model.colNames.length === 0 && built.model.rowNames.length === 0) continue;
    const lp = await solver.solve(built.model, { relax: true });
    if (lp.status !== 'optimal') return { objective: Infinity, lpObjective: Infinity };
    const rounded = roundAndRepair(inputs, built.model, built.map, lp.values);
    if (!rounded) return { objective: Infinity, lpObjective: Infinity };
    objective += objectiveOf(built.model, rounded);
    lpObjective += lp.objective;
  }
  return { objective, lpObjective };
}

export async function searchCommitments(inputs: PlanInputs, model: LpModel, map: ModelMap, solver: Solver, starts: number[][], maxTries = DEFAULT_SEARCH_TRIES): Promise<CommitmentSearch | undefined> {
  let tries = 0;
  const seen = new Map<string, { objective: number; lpObjective: number }>();
  const price = async (fix: number[]) => {
    const key = fix.join(',');
    let r = seen.get(key);
    if (!r) {
      tries++;
      r = await priceCounts(inputs, model, map, solver, fix);
      seen.set(key, r);
    }
    return r;
  };
  // The first start that gives a plan (nearest rounding, then up, then down).
  let best: { fix: number[]; objective: number; lpObjective: number } | undefined;
  for (const s of starts) {
    if (tries >= maxTries) break;
    const r = await price(s);
    if (Number.isFinite(r.objective)) {
      best = { fix: [...s], ...r };
      break;
    }
  }
  if (!best) return undefined;
  const movable: PlanOption[] = map.options.filter((k) => k.model === 'reserved' && !k.sp && map.rCol[k.key]! >= 0);
  let moves = 0;
  const better = (o: number) => o < best!.objective - 1e-9 * Math.max(1, Math.abs(best!.objective));
  for (let improved = true; improved && tries < maxTries; ) {
    improved = false;
    for (const k of movable) {
      for (const d of [1, -1]) {
        // Repeat a move that pays in its direction: LP counts can be off by more than one.
        for (;;) {
          if (tries >= maxTries) break;
          const n = best.fix[k.key]! + d;
          if (n < 0 || n > k.upper) break;
          const fix: number[] = [...best.fix];
          fix[k.key] = n;
          const r = await price(fix);
          if (!better(r.objective)) break;
          best = { fix, ...r };
          moves++;
          improved = true;
        }
      }
    }
  }
  return { ...best, tries, moves };
}
