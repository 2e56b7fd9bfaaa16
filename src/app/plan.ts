/**
 * Use case: plan capacity. Build the MILP, solve it behind the Solver port, decode the plan with
 * exact costs, compute the two baselines, and explain: which constraints bind and what relaxing
 * each would save (re-solves), or, when no plan exists, what demand cannot be met and what to
 * change.
 */
import { Infeasible, Unbounded } from '../core/errors.js';
import { amortisedUsdPerHour, breakEvenUtilisation, commitmentsOf, HOURS_PER_TERM_YEAR } from '../core/catalog/offering.js';
import { Decimal, ZERO } from '../core/money.js';
import { allOnDemandBaseline, greedyBaseline, type Baseline } from '../core/planner/baselines.js';
import { buildModel, groupLabel, planOptions, regionAllowed, type ModelMap } from '../core/planner/build.js';
import type { PlanInputs } from '../core/planner/inputs.js';
import { activities, objectiveOf, type LpModel } from '../core/planner/lp.js';
import { roundAndRepair } from '../core/planner/repair.js';
import { DEFAULT_SEARCH_TRIES, searchCommitments } from './commitment-search.js';
import { decode, formatRuns, runs, type Plan } from '../core/planner/plan.js';
import type { SolveResult, Solver } from './ports.js';

export interface PlanOptions {
  mipRelGap?: number;
  /**
   * Work limit of the whole plan, in branch-and-bound nodes over all its solves (default
   * DEFAULT_MAX_NODES). Where a hard plan stops is decided by work done, never by the clock, so the
   * same input gives the same plan on any machine and under any load.
   */
  maxNodes?: number;
  /** Wall-clock safety stop in seconds (default 600); a plan it cut is marked `stoppedBy: 'time'`. */
  timeLimitS?: number;
  /** Re-solve with each binding constraint relaxed to price it (default true). */
  explain?: boolean;
  /** Most re-solves for explanations. */
  maxExplanations?: number;
  /**
   * How many explanations (the largest by their LP saving) are priced on the integer plan: the
   * relaxed MILP solved like the plan, with its own node budget (default 3, what the summary shows;
   * 0 = all on the LP relaxation). The rest keep the LP's figure and say so.
   */
  integerExplanations?: number;
  /** Split the saving into owning, placement, committing and spot (two more solves; default: as `explain`). */
  splitSaving?: boolean;
}

/**
 * Where the saving comes from: a ladder of plans, each allowed one more way of buying than the
 * last, from all on-demand at list price with nothing owned down to the plan. Each part is the
 * difference of two rungs; a rung with no plan (the quotas need spot, say) merges its part into
 * the next one's label ("placement + committing").
 */
export interface SavingSplit {
  /** The start: all on-demand at list price, nothing owned. */
  fromUsd: Decimal;
  planUsd: Decimal;
  parts: { part: string; usd: Decimal; rungUsd: Decimal }[];
}

export interface Explanation {
  constraint: string;
  /** What relaxing means here, e.g. "without this quota", "spot share 1.0". */
  relaxation: string;
  /**
   * What relaxing it saves: on the integer plan (the plan's cost − the relaxed plan's, both solved
   * to the gap) where `pricedOn` is 'integer plan', else on the LP relaxation.
   */
  savingUsd: Decimal;
  pricedOn: 'integer plan' | 'LP relaxation';
  /**
   * Integer plan only: where the true saving (between the two optima) lies, given the proved
   * bounds: [plan's bound − relaxed plan's cost, plan's cost − relaxed plan's bound], at least 0.
   */
  savingRangeUsd?: { low: Decimal; high: Decimal };
  /** The LP relaxation's saving, kept beside an integer one for comparison. */
  lpSavingUsd: Decimal;
  /** Sum of the LP duals of its rows: what one more unit (instance, GPU, work unit of spot, USD) is worth, summed over periods. */
  marginalUsd?: Decimal;
}

/** A commitment offer the plan could take, priced and sized. */
export interface CommitmentOffer {
  offeringId: string;
  name: string;
  termYears?: number;
  payment: 'none' | 'partial' | 'all';
  upfrontUsd: Decimal;
  usdPerHour: Decimal;
  amortisedUsdPerHour: Decimal;
  onDemandUsdPerHour?: Decimal;
  /** Share of hours an instance must be busy for the commitment to beat on-demand (amortised / on-demand). */
  breakEvenUtilisation?: number;
  /** Instances the plan commits to (0: not worth it here). */
  instances: number;
  /** Total over the term for those instances: upfront + hourly × term hours (absent for a horizon-only rate). */
  termCostUsd?: Decimal;
}

/** A savings plan the plan could commit to: the commitment chosen, what it pays for, its break-even. */
export interface SavingsPlanReport {
  name: string;
  provider: string;
  termYears: number;
  payment: string;
  discount: number;
  committedUsdPerHour: Decimal;
  /** Share of the committed dollars usage must draw for the plan to beat on-demand: 1 − discount. */
  breakEvenUtilisation: number;
  /** Share of the committed dollars the plan's usage draws over the horizon. */
  usedShare: number;
  /** Paid at the start of the term: all upfront the whole term's commitment, partial half of it. */
  upfrontUsd: Decimal;
}

export interface Saving {
  baseline: string;
  baselineUsd: Decimal;
  savingUsd: Decimal;
  /** saving / baseline. */
  share: number;
}

export interface PlanResult {
  inputs: PlanInputs;
  plan: Plan;
  solver: string;
  status: SolveResult['status'];
  objective: number;
  bound: number;
  gap: number;
  model: { columns: number; rows: number; integers: number; optionsConsidered: number; optionsKept: number };
  timings: { buildS: number; solveS: number; totalS: number };
  baselines: Baseline[];
  savings: Saving[];
  explanations: Explanation[];
  /** Every commitment offer in the inputs: amortised rate, break-even utilisation, instances taken. */
  commitments: CommitmentOffer[];
  /** Every savings plan in the inputs, with the commitment chosen (0 when not worth it). */
  savingsPlans: SavingsPlanReport[];
  /** Where the saving against all on-demand at list price comes from (absent when not asked for, or no such baseline). */
  savingSplit?: SavingSplit;
  /** How the model was solved: whole, or period by period (see solveByPeriods). */
  method: string;
  /** Work done: branch-and-bound nodes over every solve, the limit, and which limit stopped it, if any. */
  work: { nodes: number; maxNodes: number; stoppedBy?: 'nodes' | 'time' };
}

/**
 * HiGHS closes these models mostly at the root: the 168 × 300 × 4 benchmark proves 0.5% in 22
 * nodes, its reserved variants (seeds 1, 4, 5, 6) in 22–102 (measured 2026-12-02). 20,000 leaves
 * room for far harder instances and still stops one that cannot close.
 */
export const DEFAULT_MAX_NODES = 20_000;
export const DEFAULT_SAFETY_TIME_LIMIT_S = 600;

const now = () => performance.now() / 1000;

/**
 * A plan's work budget. Branch-and-bound nodes decide where a hard solve stops (HiGHS runs
 * single-threaded with a fixed seed, so nodes are deterministic); the wall clock is a safety stop
 * only, and a result it cut says so. Every MILP solve of the plan draws on the same budget.
 */
export class Work {
  nodes = 0;
  stoppedBy?: 'nodes' | 'time';
  private readonly t0 = now();
  constructor(
    readonly maxNodes: number,
    readonly timeLimitS: number,
  ) {}
  left(): number {
    return Math.max(0, this.maxNodes - this.nodes);
  }
  overTime(): boolean {
    if (now() - this.t0 > this.timeLimitS) this.stoppedBy = 'time';
    return this.stoppedBy === 'time';
  }
  exhausted(): boolean {
    if (this.left() <= 0) this.stoppedBy ??= 'nodes';
    return this.left() <= 0 || this.overTime();
  }
  /** Options for the next MILP solve: what is left of the budget (at least one node). */
  opts(): { maxNodes: number; timeLimitS: number } {
    return { maxNodes: Math.max(1, this.left()), timeLimitS: Math.max(1, this.timeLimitS - (now() - this.t0)) };
  }
  spend<T extends SolveResult>(r: T): T {
    this.nodes += r.nodes ?? 0;
    if (r.limit === 'time') this.stoppedBy = 'time';
    else if (r.limit === 'nodes') this.stoppedBy ??= 'nodes';
    return r;
  }
  /** A share of what is left, for a sub-search; its nodes count against this budget when merged. */
  share(fraction: number): Work {
    return new Work(Math.max(1, Math.floor(this.left() * fraction)), Math.max(1, this.timeLimitS - (now() - this.t0)));
  }
  merge(child: Work): void {
    this.nodes += child.nodes;
    if (child.stoppedBy === 'time') this.stoppedBy = 'time';
  }
  report(): PlanResult['work'] {
    return { nodes: this.nodes, maxNodes: this.maxNodes, ...(this.stoppedBy && { stoppedBy: this.stoppedBy }) };
  }
}

export function build(inputs: PlanInputs, elasticPenalty?: number): { model: LpModel; map: ModelMap; buildS: number } {
  const t0 = now();
  const r = buildModel(inputs, elasticPenalty !== undefined ? { elasticPenalty } : {});
  return { ...r, buildS: now() - t0 };
}

export async function planCapacity(inputs: PlanInputs, solver: Solver, opts: PlanOptions = {}): Promise<PlanResult & { lp: LpModel; values: Float64Array }> {
  const gapTarget = opts.mipRelGap ?? 0.005;
  const t0 = now();
  const { model, map, buildS } = build(inputs);
  const work = new Work(opts.maxNodes ?? DEFAULT_MAX_NODES, opts.timeLimitS ?? DEFAULT_SAFETY_TIME_LIMIT_S);
  const sol = await solveByPeriods(inputs, model, map, solver, gapTarget, work);
  if (sol.status === 'unbounded') {
    throw new Unbounded('the planning model is unbounded: some cost is negative', 'Check that no price, egress cost or energy price is negative.');
  }
  if (sol.status === 'error') throw new Error(`${solver.name} failed: ${sol.message ?? 'solver error'}`);
  if (sol.overBudget && inputs.budgetUsd) {
    // Known without the elastic re-solves of diagnose(): even the cheapest plan's bound is above it.
    const { boundUsd, planUsd, gap, undecided } = sol.overBudget;
    const usd = (x: number) => `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    if (undecided) {
      throw new Infeasible(
        `no plan within the budget of ${usd(inputs.budgetUsd.toNumber())} was found in the time limit, nor a proof that none exists`,
        [`cheapest plan found: ${usd(planUsd)}; no plan can cost less than ${usd(boundUsd)}`],
        `To fix: raise the budget to ${Math.ceil(planUsd)} USD (the plan found), or give the solver more time.`,
      );
    }
    const b = inputs.budgetUsd.toNumber();
    throw new Infeasible(
      boundUsd > b ? `no plan fits the budget of ${usd(b)}: the cheapest plan costs at least ${usd(boundUsd)}` : `no plan fits the budget of ${usd(b)} (the solver proved it on the whole model)`,
      [`cheapest plan found without the budget: ${usd(planUsd)}, proved within ${(gap * 100).toFixed(2)}% of the cheapest possible`, ...(boundUsd > b ? [`budget: ${usd(b)}, short by at least ${usd(boundUsd - b)}`] : [])],
      `To fix: raise the budget to ${Math.ceil(planUsd)} USD (the plan found), or lower the demand.`,
    );
  }
  if (sol.status === 'infeasible' || sol.status === 'no-solution') {
    throw await diagnose(inputs, solver, sol.status === 'no-solution' ? 'no plan found within the time limit' : undefined);
  }
  const plan = decode(inputs, map, sol.values);
  const baselines = [allOnDemandBaseline(inputs), greedyBaseline(inputs)];
  const savings = baselines
    .filter((b) => b.feasible && b.totalUsd)
    .map((b) => {
      const s = b.totalUsd!.minus(plan.totalUsd);
      return { baseline: b.name, baselineUsd: b.totalUsd!, savingUsd: s, share: b.totalUsd!.gt(0) ? s.div(b.totalUsd!).toNumber() : 0 };
    });
  const explanations = opts.explain === false ? [] : await explainBinding(inputs, solver, model, map, sol, plan, gapTarget, opts);
  const savingSplit = (opts.splitSaving ?? opts.explain !== false) ? await splitSaving(inputs, solver, plan, gapTarget, opts) : undefined;
  const solveS = sol.solveS;
  return {
    inputs,
    plan,
    solver: solver.name,
    status: sol.status,
    method: sol.method,
    objective: sol.objective,
    bound: sol.bound,
    gap: sol.gap,
    model: { columns: model.colNames.length, rows: model.rowNames.length, integers: model.colInteger.filter(Boolean).length, optionsConsidered: map.optionsConsidered, optionsKept: map.options.length },
    timings: { buildS, solveS, totalS: now() - t0 },
    baselines,
    savings,
    explanations,
    commitments: commitmentOffers(inputs, plan),
    savingsPlans: savingsPlanReports(inputs, plan),
    ...(savingSplit && { savingSplit }),
    work: work.report(),
    lp: model,
    values: sol.values,
  };
}

// ---------------------------------------------------------------------------------------------
// Solving: whole, or period by period

/**
 * Periods are coupled only through reserved columns (held all horizon) and the budget row. A
 * branch-and-bound over one model of 168 nearly independent period problems pays for every
 * combination of their open nodes; solved one by one, each closes on its own. So:
 *  - no reserved option and no budget: each period type is its own MILP; the plan's objective
 *    and bound are the sums of theirs (so the proved gap is at most the largest sub-gap);
 *  - reserved options but no budget: the whole model is solved first (with the time limit); then
 *    the reserved counts it chose are fixed and every period type re-solved alone, which can only
 *    lower the cost; the bound stays the whole model's;
 *  - a budget caps the cost the objective minimises: solved without it first (solveUnderBudget),
 *    the whole model with it only when the budget falls between that plan's bound and its cost.
 * The exported model is always the whole one: another solver checks the same problem.
 */
/** A solve, how it was done, and, when a budget alone rules every plan out, by how much. */
type Solved = SolveResult & { method: string; overBudget?: { boundUsd: number; planUsd: number; gap: number; undecided?: boolean } };

export async function solveByPeriods(inputs: PlanInputs, model: LpModel, map: ModelMap, solver: Solver, gap: number, work: Work, searchTries = DEFAULT_SEARCH_TRIES): Promise<Solved> {
  const t0 = now();
  const reserved = map.options.filter((k) => k.model === 'reserved' && map.rCol[k.key]! >= 0);
  if (inputs.budgetUsd !== undefined) return solveUnderBudget(inputs, inputs.budgetUsd.toNumber(), model, solver, gap, work);
  if (reserved.length === 0) {
    const pass = await periodPass(inputs, model, map, solver, gap, work);
    if ('failed' in pass) return { ...pass.failed, solveS: now() - t0, method: 'period by period' };
    const g = relGap(pass.objective, pass.bound);
    return { status: g <= gap + 1e-9 ? 'optimal' : 'feasible', objective: pass.objective, bound: pass.bound, gap: g, values: pass.values, solveS: now() - t0, method: `period by period (${pass.types} period types, ${pass.milps} needed branch-and-bound)` };
  }
  // Commitment counts couple the periods. The whole model's LP relaxation gives a bound and
  // fractional counts, rounded (to the nearest, else up, else down), fixed, and every period type
  // solved alone, to a target set by the whole model's bound, not only by the pass's own: the
  // pass's bound holds for those counts only. If that misses, a ±1 local search priced on rounded
  // plans (commitment-search.ts) tries other counts. A plan within the gap of the LP bound needs
  // no whole-model branch-and-bound. Measured on the committed week generator at 120 periods
  // (2026-12-03): before, the rounding's pass stopped at 0.49% of its own bound but 0.60% of the
  // whole model's, and the whole model took 559 nodes (193 s CPU); aimed at the bound, 25 s CPU.
  const lpWhole = await solver.solve(model, { relax: true });
  let best: { objective: number; values: Float64Array; how: string } | undefined;
  let bound = -Infinity;
  // Reserved counts already solved period by period: the same counts give the same pass.
  const seen = new Set<string>();
  if (lpWhole.status === 'optimal') {
    bound = lpWhole.objective;
    const starts = [Math.round, Math.ceil, Math.floor].map((round) => {
      const fix: number[] = [];
      for (const k of reserved) {
        // Nudge so an LP value of 2.0000001 floors and ceils to 2, not 3.
        const x = lpWhole.values[map.rCol[k.key]!]!;
        const r = round === Math.floor ? Math.floor(x + 1e-7) : round === Math.ceil ? Math.ceil(x - 1e-7) : Math.round(x);
        fix[k.key] = Math.min(k.upper, Math.max(0, r));
      }
      return fix;
    });
    const target = bound / (1 - gap);
    const within = () => best !== undefined && relGap(best.objective, bound) <= gap;
    for (const fix of starts) {
      if (best) break;
      const key = fix.join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      const pass = await periodPass(inputs, model, map, solver, gap, work, fix, target);
      if (!('failed' in pass)) best = { objective: pass.objective, values: pass.values, how: 'commitment counts from the LP relaxation, then period by period' };
    }
    // Only when the rounding misses: the search costs an LP per period type per set of counts.
    if (!within() && !work.exhausted()) {
      const search = await searchCommitments(inputs, model, map, solver, starts, searchTries);
      if (search && !seen.has(search.fix.join(','))) {
        seen.add(search.fix.join(','));
        const pass = await periodPass(inputs, model, map, solver, gap, work, search.fix, target);
        if (!('failed' in pass) && (!best || pass.objective < best.objective - 1e-9 * Math.abs(best.objective)))
          best = { objective: pass.objective, values: pass.values, how: `commitment counts from the LP relaxation, local search (${search.tries} tried, ${search.moves} moved), then period by period` };
      }
    }
    if (best && relGap(best.objective, bound) <= gap) return { status: 'optimal', objective: best.objective, bound, gap: relGap(best.objective, bound), values: best.values, solveS: now() - t0, method: best.how };
  }
  // The best plan so far is the whole model's first incumbent: branch-and-bound then has only to
  // raise the bound to it (or find better), not to find a plan from scratch.
  const whole = work.spend(await solver.solve(model, { mipRelGap: gap, ...work.opts(), ...(best && { start: best.values }) }));
  if (hasPlan(whole)) {
    bound = Math.max(bound, whole.bound);
    if (!best || whole.objective < best.objective - 1e-9 * Math.abs(best.objective)) best = { objective: whole.objective, values: whole.values, how: 'whole model' };
    else best.how += ', bound from the whole model';
    const fix: number[] = [];
    for (const k of reserved) fix[k.key] = Math.round(whole.values[map.rCol[k.key]!]!);
    // Its reserved counts fixed, each period re-solved alone: often better (unless those are the
    // counts of a pass already made, as when branch-and-bound only proved the start it was given).
    if (seen.has(fix.join(','))) return finish();
    const pass = await periodPass(inputs, model, map, solver, gap, work, fix, bound / (1 - gap));
    if (!('failed' in pass) && pass.objective < best.objective - 1e-9) best = { objective: pass.objective, values: pass.values, how: 'whole model, then period by period with its reserved counts' };
  } else if (!best) return { ...whole, method: 'whole model' };
  return finish();
  function finish(): Solved {
    const g = relGap(best!.objective, bound);
    return { status: g <= gap + 1e-9 ? 'optimal' : 'feasible', objective: best!.objective, bound, gap: g, values: best!.values, solveS: now() - t0, method: best!.how };
  }
}

/**
 * The budget row caps the very cost the objective minimises, so it cannot change which plan is
 * cheapest, only whether one is allowed: the model is first solved without it, as fast as the
 * periods allow. A plan within the budget is then the answer (its bound holds for the budgeted
 * model too); a bound above the budget proves that no plan fits it. Only when the budget falls
 * between the two is the whole model solved with its budget row. Measured on the benchmark's
 * instance with a budget 1% above its optimum: 60 s to the time limit and a plan at a 0.82% gap,
 * against 3.4 s and the unbudgeted plan (0.50%).
 */
async function solveUnderBudget(inputs: PlanInputs, budget: number, model: LpModel, solver: Solver, gap: number, work: Work): Promise<Solved> {
  const t0 = now();
  const { budgetUsd: _, ...free } = inputs;
  const loose = buildModel(free);
  let r = await solveByPeriods(free, loose.model, loose.map, solver, gap, work);
  const tol = 1e-9 * Math.max(1, Math.abs(budget));
  // The budget between the plan's bound and its cost: closer to the cheapest plan, one of the two
  // usually moves past it (a tighter gap costs more branch-and-bound per period, not a whole model).
  if (hasPlan(r) && r.objective > budget + tol && r.bound <= budget + tol) {
    const tighter = Math.max(1e-4, (budget - r.bound) / (2 * budget));
    const half = work.share(0.5);
    const t = await solveByPeriods(free, loose.model, loose.map, solver, tighter, half);
    work.merge(half);
    // Kept when it decides the question or finds a cheaper plan (the message then quotes it).
    if (hasPlan(t) && (t.objective <= budget + tol || t.bound > budget + tol || t.objective < r.objective)) r = { ...t, method: `${t.method} to a ${(tighter * 100).toPrecision(2)}% gap` };
  }
  if (hasPlan(r) && r.objective <= budget + tol) return { ...r, method: `${r.method}; the budget does not bind` };
  if (r.status === 'infeasible' || r.status === 'unbounded' || r.status === 'error') return r;
  if (Number.isFinite(r.bound) && r.bound > budget + tol) {
    return { status: 'infeasible', objective: NaN, bound: r.bound, gap: NaN, values: new Float64Array(0), solveS: now() - t0, method: r.method, overBudget: { boundUsd: r.bound, planUsd: r.objective, gap: r.gap } };
  }
  const whole = work.spend(await solver.solve(model, { mipRelGap: gap, ...work.opts() }));
  if (whole.status === 'infeasible' && hasPlan(r)) {
    // Every plan exists without the budget, none with it: the budget alone rules them out.
    return { ...whole, solveS: now() - t0, method: 'whole model (the budget binds)', overBudget: { boundUsd: r.bound, planUsd: r.objective, gap: r.gap } };
  }
  if (whole.status === 'no-solution' && hasPlan(r)) {
    // Neither a plan within the budget nor a proof that none exists, within the time: say so,
    // with both figures, rather than run the elastic diagnosis on the whole model.
    return { ...whole, solveS: now() - t0, method: 'whole model (the budget binds)', overBudget: { boundUsd: Math.max(r.bound, Number.isFinite(whole.bound) ? whole.bound : -Infinity), planUsd: r.objective, gap: r.gap, undecided: true } };
  }
  return { ...whole, solveS: now() - t0, method: 'whole model (the budget binds)' };
}

/**
 * The whole model's independent blocks, one per period type, when it has them: with no reserved
 * option and no budget nothing couples the periods, so the whole model is block-diagonal and its
 * optimum is the sum of the blocks' (each block keeps the whole model's column and row names).
 * Another solver can then check the exported problem block by block where the whole MILP is too
 * big for it. Undefined when the periods are coupled.
 */
export function independentBlocks(inputs: PlanInputs, map: ModelMap): LpModel[] | undefined {
  if (inputs.budgetUsd !== undefined || map.options.some((k) => k.model === 'reserved' && map.rCol[k.key]! >= 0)) return undefined;
  const reuse = { options: map.options, considered: map.optionsConsidered, periodTypes: map.periodTypes };
  return map.periodTypes.map((_, p) => buildModel(inputs, { onlyTypes: [p], reuse }).model).filter((m) => m.colNames.length > 0 || m.rowNames.length > 0);
}

const hasPlan = (s: SolveResult) => s.status === 'optimal' || s.status === 'feasible';
const relGap = (objective: number, bound: number) => Math.max(0, (objective - bound) / Math.max(1e-9, Math.abs(objective)));

/**
 * One pass over the period types with the reserved counts fixed (or none). For each type: its LP
 * relaxation (a valid bound) and a rounding of its solution (a valid plan, checked row by row).
 * The pass's gap is the sum of absolute gaps over the sum of objectives; while it is above the
 * target, the MILP of the type carrying the most absolute gap is solved. Where rounding is good,
 * no branch-and-bound runs.
 *
 * With counts fixed, the pass's bound holds for those counts only; the plan is judged against the
 * whole model's bound. `targetObjective` (that bound / (1 − gap)) is then the cost to reach: once
 * every type has had its MILP, types are solved again to a tighter gap (half of what the pass
 * still needs, relative), the one with the most absolute gap first, until the plan reaches the
 * target, the pass's own bound shows it cannot, or the work budget is spent.
 */
async function periodPass(inputs: PlanInputs, model: LpModel, map: ModelMap, solver: Solver, gap: number, work: Work, fix?: number[], targetObjective?: number): Promise<{ objective: number; bound: number; values: Float64Array; milps: number; types: number } | { failed: SolveResult }> {
  const index = new Map(model.colNames.map((n, j) => [n, j]));
  const values = new Float64Array(model.colNames.length);
  let fixedCost = 0;
  if (fix) {
    for (const k of map.options) {
      if (k.model !== 'reserved' || map.rCol[k.key]! < 0) continue;
      const col = map.rCol[k.key]!;
      values[col] = fix[k.key]!;
      fixedCost += model.colCost[col]! * values[col]!;
    }
  }
  const reuse = { options: map.options, considered: map.optionsConsidered, periodTypes: map.periodTypes };
  // solvedGap: the relative gap its last MILP was asked for (absent: rounding only).
  const subs: { model: LpModel; res: SolveResult; solvedGap?: number }[] = [];
  for (let p = 0; p < map.periodTypes.length; p++) {
    const built = buildModel(inputs, { onlyTypes: [p], reuse, ...(fix && { fixReserved: fix }) });
    const sub = built.model;
    if (sub.colNames.length === 0 && sub.rowNames.length === 0) continue;
    const lp = await solver.solve(sub, { relax: true });
    if (lp.status !== 'optimal') return { failed: { ...lp, status: lp.status === 'unbounded' ? 'unbounded' : 'infeasible' } };
    const rounded = roundAndRepair(inputs, sub, built.map, lp.values);
    if (rounded) {
      subs.push({ model: sub, res: { status: 'feasible', objective: objectiveOf(sub, rounded), bound: lp.objective, gap: NaN, values: rounded, solveS: 0 } });
      continue;
    }
    const s = work.spend(await solver.solve(sub, { mipRelGap: gap, ...work.opts() }));
    if (s.status !== 'optimal' && s.status !== 'feasible') return { failed: s };
    subs.push({ model: sub, res: { ...s, bound: Math.max(s.bound, lp.objective) }, solvedGap: gap });
  }
  const totals = () => subs.reduce((a, x) => ({ o: a.o + x.res.objective, b: a.b + x.res.bound }), { o: fixedCost, b: fixedCost });
  let milps = subs.filter((x) => x.solvedGap !== undefined).length;
  const tol = (o: number) => 1e-9 * Math.max(1, Math.abs(o));
  for (;;) {
    const { o, b } = totals();
    if (work.exhausted()) break;
    const ownDone = relGap(o, b) <= gap;
    const targetDone = targetObjective === undefined || o <= targetObjective + tol(o);
    if (ownDone && targetDone) break;
    // First the plan's own gap, each open type at that gap (most rounding types close at the
    // root there); then, for the target, tighter: the plan's gap halved until it is at most half
    // of what the pass still needs (a few levels, so a type is not solved again for a gap a hair
    // tighter than its last). Tighter from the start was slower: 74 MILPs, 38 s against 28 s.
    let subGap = gap;
    let open = subs.filter((x) => x.solvedGap === undefined);
    if (ownDone || open.length === 0) {
      if (targetObjective === undefined || b >= targetObjective - tol(b)) break;
      const need = 1 - b / targetObjective;
      while (subGap > need / 2 && subGap > 1e-6) subGap /= 2;
      open = subs.filter((x) => (x.solvedGap === undefined || x.solvedGap > subGap) && relGap(x.res.objective, x.res.bound) > subGap);
      if (open.length === 0) break;
    }
    open.sort((x, y) => y.res.objective - y.res.bound - (x.res.objective - x.res.bound));
    const x = open[0]!;
    const s = work.spend(await solver.solve(x.model, { mipRelGap: subGap, ...work.opts() }));
    if (x.solvedGap === undefined) milps++;
    x.solvedGap = subGap;
    if (hasPlan(s)) {
      const boundNow = Math.max(x.res.bound, s.bound);
      x.res = s.objective < x.res.objective ? { ...s, bound: boundNow } : { ...x.res, bound: boundNow };
    }
  }
  for (const { model: sub, res: s } of subs) {
    sub.colNames.forEach((n, j) => {
      const col = index.get(n);
      if (col !== undefined && !n.startsWith('r')) values[col] = s.values[j]!;
    });
  }
  const { o, b } = totals();
  return { objective: o, bound: b, values, milps, types: subs.length };
}

/** Every commitment offer of the inputs, with what the plan took of it. */
export function commitmentOffers(inputs: PlanInputs, plan: Plan): CommitmentOffer[] {
  const out: CommitmentOffer[] = [];
  for (const o of inputs.offerings) {
    for (const c of commitmentsOf(o)) {
      const line = plan.lines.find((l) => l.offeringId === o.id && l.priceModel === 'reserved' && l.commitment?.name === c.name);
      const instances = line?.runs[0]?.count ?? 0;
      const be = breakEvenUtilisation(o, c);
      out.push({
        offeringId: o.id,
        name: c.name,
        ...(c.termYears !== undefined && { termYears: c.termYears }),
        payment: c.payment,
        upfrontUsd: c.upfrontUsd,
        usdPerHour: c.usdPerHour,
        amortisedUsdPerHour: amortisedUsdPerHour(c),
        ...(o.onDemandUsdPerHour && { onDemandUsdPerHour: o.onDemandUsdPerHour }),
        ...(be !== undefined && { breakEvenUtilisation: be }),
        instances,
        ...(c.termYears !== undefined && { termCostUsd: c.upfrontUsd.plus(c.usdPerHour.times(c.termYears * HOURS_PER_TERM_YEAR)).times(instances) }),
      });
    }
  }
  return out.sort((a, b) => b.instances - a.instances || a.offeringId.localeCompare(b.offeringId) || a.name.localeCompare(b.name));
}

export function savingsPlanReports(inputs: PlanInputs, plan: Plan): SavingsPlanReport[] {
  const hours = new Decimal(inputs.periods).times(inputs.periodHours);
  return (inputs.savingsPlans ?? []).map((sp) => {
    const commit = plan.lines.find((l) => l.savingsPlan?.role === 'commit' && l.savingsPlan.name === sp.name);
    const committed = commit?.savingsPlan?.committedUsdPerHour ?? ZERO;
    const drawn = plan.lines.filter((l) => l.savingsPlan?.role === 'usage' && l.savingsPlan.name === sp.name).reduce((a, l) => a.plus(l.instanceHours.times(l.savingsPlan!.usageRateUsdPerHour!)), ZERO);
    const termCommit = committed.times(sp.termYears * HOURS_PER_TERM_YEAR);
    return {
      name: sp.name,
      provider: sp.provider,
      termYears: sp.termYears,
      payment: sp.payment,
      discount: sp.discount,
      committedUsdPerHour: committed,
      breakEvenUtilisation: 1 - sp.discount,
      usedShare: committed.gt(0) && hours.gt(0) ? drawn.div(committed.times(hours)).toNumber() : 0,
      upfrontUsd: sp.payment === 'all' ? termCommit : sp.payment === 'partial' ? termCommit.div(2) : ZERO,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// The saving split

/**
 * The ladder: (0) all on-demand at list price, nothing owned; (1) the owned servers first, then
 * all on-demand (the first baseline): the difference is *owning*; (2) the cheapest plan with
 * on-demand and owned servers only, any offerings, regions and mix per period: *placement*; (3)
 * commitments (reservations, savings plans) allowed too: *committing*; (4) the plan, spot
 * allowed too: *spot*. Rungs 2 and 3 are solved like the plan (same gap, their own node budget,
 * so deterministic too) and without the budget; a rung that needs no solve (no reserved or no
 * spot option in the model) is the next one's value. A plan allowed more ways of buying is never
 * dearer, so rung 3 is taken as at most rung 2; parts still differ by the proved gaps of the two
 * solves (a part within the gap may come out a few cents below zero).
 */
async function splitSaving(inputs: PlanInputs, solver: Solver, plan: Plan, gap: number, opts: PlanOptions): Promise<SavingSplit | undefined> {
  const list = allOnDemandBaseline(inputs, { owned: false });
  const owned = allOnDemandBaseline(inputs);
  const { budgetUsd: _b, ...free } = inputs;
  void _b;
  const { options } = planOptions(free);
  const has = (m: string) => options.some((k) => k.model === m);
  const cheapest = async (allow: PlanInputs['allow']): Promise<Decimal | undefined> => {
    const sub: PlanInputs = { ...free, allow };
    const { model, map } = buildModel(sub);
    const w = new Work(opts.maxNodes ?? DEFAULT_MAX_NODES, opts.timeLimitS ?? DEFAULT_SAFETY_TIME_LIMIT_S);
    const s = await solveByPeriods(sub, model, map, solver, gap, w);
    return hasPlan(s) ? decode(sub, map, s.values).totalUsd : undefined;
  };
  const base = inputs.allow ?? {};
  const rung2 = await cheapest({ ...base, spot: false, reserved: false });
  let rung3 = has('reserved') ? await cheapest({ ...base, spot: false }) : rung2;
  if (rung3 && rung2 && rung3.gt(rung2)) rung3 = rung2;
  if (!has('spot')) rung3 = plan.totalUsd;
  const rungs: { part: string; usd: Decimal | undefined }[] = [
    { part: 'owning', usd: owned.feasible ? owned.totalUsd : undefined },
    { part: 'placement', usd: rung2 },
    { part: 'committing', usd: rung3 },
    { part: 'spot', usd: plan.totalUsd },
  ];
  if (!list.feasible || !list.totalUsd) return undefined;
  const parts: SavingSplit['parts'] = [];
  let prev = list.totalUsd;
  let pending: string[] = [];
  for (const r of rungs) {
    pending.push(r.part);
    if (r.usd === undefined) continue;
    parts.push({ part: pending.join(' + '), usd: prev.minus(r.usd), rungUsd: r.usd });
    prev = r.usd;
    pending = [];
  }
  return { fromUsd: list.totalUsd, planUsd: plan.totalUsd, parts };
}

// ---------------------------------------------------------------------------------------------
// Explanations

interface Relaxation {
  constraint: string;
  relaxation: string;
  apply(i: PlanInputs): PlanInputs;
}

function relaxations(inputs: PlanInputs): Relaxation[] {
  const out: Relaxation[] = [];
  for (const id of Object.keys(inputs.offeringQuota).sort()) {
    out.push({
      constraint: `quota:${id}`,
      relaxation: `without the quota of ${id}`,
      apply: (i) => {
        const q = { ...i.offeringQuota };
        delete q[id];
        return { ...i, offeringQuota: q };
      },
    });
  }
  inputs.groupQuotas.forEach((g, gi) =>
    out.push({ constraint: `group:${groupLabel(g)}`, relaxation: `without the ${groupLabel(g)} GPU quota`, apply: (i) => ({ ...i, groupQuotas: i.groupQuotas.filter((_, j) => j !== gi) }) }),
  );
  inputs.classes.forEach((c, ci) => {
    if (c.spotShare < 1) out.push({ constraint: `spot:${c.name}`, relaxation: `spot share of ${c.name} 1.0`, apply: (i) => ({ ...i, classes: i.classes.map((x, j) => (j === ci ? { ...x, spotShare: 1 } : x)) }) });
    if (c.regions?.length) {
      const { regions: _drop, ...rest } = c;
      void _drop;
      out.push({ constraint: `regions:${c.name}`, relaxation: `${c.name} in any region`, apply: (i) => ({ ...i, classes: i.classes.map((x, j) => (j === ci ? rest : x)) }) });
    }
  });
  if (inputs.budgetUsd !== undefined) {
    out.push({
      constraint: 'budget',
      relaxation: 'without the budget',
      apply: (i) => {
        const { budgetUsd: _b, ...rest } = i;
        void _b;
        return rest;
      },
    });
  }
  for (const o of inputs.offerings) {
    if (o.onPrem)
      out.push({ constraint: `on-prem:${o.id}`, relaxation: `twice the installed servers of ${o.instanceType}`, apply: (i) => ({ ...i, offerings: i.offerings.map((x) => (x.id === o.id ? { ...x, onPrem: { ...x.onPrem!, installed: x.onPrem!.installed * 2 } } : x)) }) });
    if (o.reservedMaxInstances !== undefined || o.commitments?.some((c) => c.maxInstances !== undefined))
      out.push({
        constraint: `reserved:${o.id}`,
        relaxation: `no cap on reserved ${o.id}`,
        apply: (i) => ({
          ...i,
          offerings: i.offerings.map((x) => {
            if (x.id !== o.id) return x;
            const { reservedMaxInstances: _m, ...rest } = x;
            void _m;
            return rest.commitments ? { ...rest, commitments: rest.commitments.map(({ maxInstances: _n, ...c }) => (void _n, c)) } : rest;
          }),
        }),
      });
  }
  return out;
}

function bindingFamilies(model: LpModel, map: ModelMap, sol: SolveResult): Set<string> {
  const act = activities(model, sol.values);
  const out = new Set<string>();
  for (let i = 0; i < act.length; i++) {
    const f = map.rowFamily[i]!;
    if (f === 'capacity' || f.startsWith('cover:')) continue;
    const up = model.rowUpper[i]!;
    if (Number.isFinite(up) && act[i]! >= up - 1e-6 * Math.max(1, Math.abs(up))) out.add(f);
  }
  for (const k of map.options) {
    if (k.upper === Infinity) continue;
    const cols = k.model === 'reserved' ? [map.rCol[k.key]!] : Array.from(map.zCol[k.key]!).filter((c) => c >= 0);
    if (cols.some((c) => c >= 0 && Math.round(sol.values[c]!) >= k.upper)) out.add(`${k.model === 'reserved' ? 'reserved' : 'on-prem'}:${k.offering.id}`);
  }
  return out;
}

async function explainBinding(inputs: PlanInputs, solver: Solver, model: LpModel, map: ModelMap, sol: Solved, plan: Plan, gap: number, opts: PlanOptions): Promise<Explanation[]> {
  const binding = bindingFamilies(model, map, sol);
  // Region allow-lists are not rows: they bind when a cheaper option elsewhere exists; try them.
  for (const c of inputs.classes) if (c.regions?.length && inputs.offerings.some((o) => !regionAllowed(c, o))) binding.add(`regions:${c.name}`);
  const candidates = relaxations(inputs).filter((r) => binding.has(r.constraint)).slice(0, opts.maxExplanations ?? 12);
  if (candidates.length === 0) return [];
  // Every relaxation is first priced on the LP relaxation of the whole model (milliseconds each):
  // that ranks them and gives the duals. The largest are then priced on the integer plan, the
  // relaxed model solved as the plan was; the LP's figure can be far from the integer one where
  // instances are large against demand (a quota of 3 big instances, a 25% spot share of 10 units).
  const base = await solver.solve(model, { relax: true });
  if (base.status !== 'optimal') return [];
  const marginal = new Map<string, number>();
  if (base.rowDuals) map.rowFamily.forEach((f, i) => marginal.set(f, (marginal.get(f) ?? 0) + Math.abs(base.rowDuals![i]!)));
  const lp: { r: Relaxation; relaxed: PlanInputs; saving: Decimal }[] = [];
  for (const r of candidates) {
    const relaxed = r.apply(inputs);
    const s2 = await solver.solve(buildModel(relaxed).model, { relax: true });
    if (s2.status !== 'optimal') continue;
    lp.push({ r, relaxed, saving: cents(Math.max(0, base.objective - s2.objective)) });
  }
  lp.sort((a, b) => b.saving.comparedTo(a.saving) || a.r.constraint.localeCompare(b.r.constraint));
  const integerMax = opts.integerExplanations ?? 3;
  const out: Explanation[] = [];
  for (const [n, { r, relaxed, saving: lpSaving }] of lp.entries()) {
    const m = marginal.get(r.constraint);
    const e: Explanation = { constraint: r.constraint, relaxation: r.relaxation, savingUsd: lpSaving, pricedOn: 'LP relaxation', lpSavingUsd: lpSaving, ...(m !== undefined && m > 0 && { marginalUsd: new Decimal(String(m)).toDecimalPlaces(4) }) };
    if (n < integerMax && hasPlan(sol)) {
      // Its own node budget, as each rung of the saving split: deterministic, whatever the load.
      const { model: m2, map: map2 } = buildModel(relaxed);
      const s2 = await solveByPeriods(relaxed, m2, map2, solver, gap, new Work(opts.maxNodes ?? DEFAULT_MAX_NODES, opts.timeLimitS ?? DEFAULT_SAFETY_TIME_LIMIT_S));
      if (hasPlan(s2)) {
        const relaxedUsd = decode(relaxed, map2, s2.values).totalUsd;
        // Relaxing can only lower the optimum; a relaxed plan costing more than the plan is the gaps' doing.
        const point = Decimal.max(0, plan.totalUsd.minus(relaxedUsd)).toDecimalPlaces(2);
        const low = cents(Math.max(0, sol.bound - s2.objective));
        const high = Decimal.max(point, cents(Math.max(0, sol.objective - s2.bound)));
        Object.assign(e, { savingUsd: point, pricedOn: 'integer plan', savingRangeUsd: { low: Decimal.min(low, point), high } });
      }
    }
    out.push(e);
  }
  out.sort((a, b) => (a.pricedOn === b.pricedOn ? 0 : a.pricedOn === 'integer plan' ? -1 : 1) || b.savingUsd.comparedTo(a.savingUsd) || a.constraint.localeCompare(b.constraint));
  return out;
}

const cents = (x: number) => new Decimal(String(x)).toDecimalPlaces(2);

// ---------------------------------------------------------------------------------------------
// Infeasibility

function penaltyFor(inputs: PlanInputs): number {
  // Far above any option's price per work unit, so the solver only leaves demand unmet when it must.
  let worst = 1;
  for (const o of inputs.offerings) {
    const p = Math.max(o.onDemandUsdPerHour?.toNumber() ?? 0, o.spotUsdPerHour?.toNumber() ?? 0, ...commitmentsOf(o).map((c) => amortisedUsdPerHour(c).toNumber()), o.onPrem?.marginalUsdPerHour.toNumber() ?? 0);
    worst = Math.max(worst, p);
  }
  const egress = Math.max(0, ...inputs.classes.map((c) => (c.data ? c.data.gbPerWorkUnit * c.data.egressUsdPerGb.toNumber() : 0)));
  return (worst + egress) * 1000 * inputs.periods;
}

const ELASTIC_MAX_NODES = 20_000;

async function elastic(inputs: PlanInputs, solver: Solver): Promise<{ plan: Plan; map: ModelMap; values: Float64Array } | undefined> {
  const { model, map } = buildModel(inputs, { elasticPenalty: penaltyFor(inputs) });
  // A diagnosis is a sequence of such solves: each has its own fixed work limit, so what it
  // suggests does not depend on the machine either.
  const s = await solver.solve(model, { mipRelGap: 0.01, maxNodes: ELASTIC_MAX_NODES, timeLimitS: 120 });
  if (s.status !== 'optimal' && s.status !== 'feasible') return undefined;
  return { plan: decode(inputs, map, s.values), map, values: s.values };
}

const totalUnmet = (p: Plan) => Object.values(p.unmet).reduce((a, b) => a + b, 0);
const fmt = (x: number, d = 1) => x.toLocaleString('en-US', { maximumFractionDigits: d });

export async function diagnose(inputs: PlanInputs, solver: Solver, reason?: string): Promise<Infeasible> {
  const base = await elastic(inputs, solver);
  const detail: string[] = [];
  if (!base) return new Infeasible(`no plan covers the demand${reason ? ` (${reason})` : ''}`, [], 'Loosen the quotas, the budget or the spot share, or add offerings.');
  inputs.classes.forEach((c, ci) => {
    const u = base.plan.unmet[c.name] ?? 0;
    if (u <= 1e-6) return;
    const perT = Array.from({ length: inputs.periods }, (_, t) => {
      const col = base.map.unmetCol[ci]![t]!;
      return col >= 0 && base.values[col]! > 1e-6 ? 1 : 0;
    });
    const total = c.demand.reduce((a, b) => a + b, 0);
    detail.push(`${c.name}: ${fmt(u)} work units of ${fmt(total)} cannot be met (${fmt((u / total) * 100)}%), in periods ${formatRuns(runs(perT)).replace(/ ×1/g, '')}`);
    if (!inputs.offerings.some((o) => (c.throughput[o.gpu] ?? 0) > 0)) detail.push(`  no offering in the catalogs has a GPU type ${c.name} may use (${Object.keys(c.throughput).join(', ')})`);
  });
  if (detail.length === 0) detail.push('every class can be covered when demand is relaxed; the integer plan did not close within its work limit');
  const fixes: string[] = [];
  for (const r of relaxations(inputs)) {
    const relaxed = r.apply(inputs);
    const e = await elastic(relaxed, solver);
    if (!e || totalUnmet(e.plan) > 1e-6) continue;
    fixes.push(suggestion(r.constraint, inputs, e));
    if (fixes.length >= 4) break;
  }
  const hint = fixes.length ? fixes.join(', or ') : 'no single change suffices: add offerings for the GPU types named, raise several quotas, or lower the demand';
  return new Infeasible(`no plan covers the demand${reason ? ` (${reason})` : ''}`, detail, hint);
}

function suggestion(constraint: string, inputs: PlanInputs, e: { plan: Plan }): string {
  const [kind, ...rest] = constraint.split(':');
  const key = rest.join(':');
  const T = inputs.periods;
  const peak = (pred: (l: Plan['lines'][number]) => boolean, weight: (l: Plan['lines'][number]) => number) => {
    const per = new Array<number>(T).fill(0);
    for (const l of e.plan.lines.filter(pred)) for (const r of l.runs) for (let t = r.from; t <= r.to; t++) per[t]! += r.count * weight(l);
    return Math.max(0, ...per);
  };
  switch (kind) {
    case 'quota': {
      const n = peak((l) => l.offeringId === key, () => 1);
      const [p, region, type] = key.split('/');
      return `raise the quota of ${type} in ${p}/${region} to ${n}`;
    }
    case 'group':
      return `raise the GPU quota of ${key} to ${peak((l) => `${l.provider}/${l.region}` === key || l.provider === key, (l) => l.gpuCount)}`;
    case 'spot': {
      const ci = inputs.classes.findIndex((c) => c.name === key);
      const cls = inputs.classes[ci]!;
      // Spot share the relaxed plan uses at its peak, rounded up to a tenth.
      const spotGpuHours = peak((l) => l.priceModel === 'spot', (l) => l.gpuCount * (cls.throughput[l.gpu] ?? 0) * inputs.periodHours);
      const maxD = Math.max(...cls.demand);
      const share = Math.min(1, Math.ceil((spotGpuHours / Math.max(maxD, 1e-9)) * 10) / 10);
      return `allow spot share ${share.toFixed(1)} for ${key}`;
    }
    case 'regions':
      return `allow ${key} in regions ${[...new Set(e.plan.lines.map((l) => l.region))].join(', ')}`;
    case 'budget':
      return `raise the budget to ${e.plan.totalUsd.toDecimalPlaces(0, Decimal.ROUND_CEIL).toFixed(0)} USD`;
    case 'on-prem':
      return `install more ${key.split('/').pop()} servers`;
    case 'reserved':
      return `allow more reserved ${key}`;
    default:
      return constraint;
  }
}
