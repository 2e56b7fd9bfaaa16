/**
 * `npm run bench planner`: 168 hourly periods × 300 offerings × 4 classes, integer. Model build,
 * HiGHS solve and total time, the proved gap, and the same exported model solved by CBC on the
 * same machine (when `cbc` is on PATH): whole, from scratch; cut into its independent period
 * blocks, each from scratch, with CBC's solution checked against every row of the whole model;
 * and whole again, starting from Penny's plan, which CBC checks for feasibility and then proves.
 * One JSON object on the last line.
 */
import { HighsSolver } from '../src/adapters/solver/highs.js';
import { cbcAvailable, solveWithCbc } from '../src/adapters/solver/cbc.js';
import { toMpsFormat } from '../src/adapters/solver/lp-format.js';
import { build, independentBlocks, planCapacity } from '../src/app/plan.js';
import { objectiveOf, violations } from '../src/core/planner/lp.js';
import { randomInstance } from '../test/fixtures/planner.js';
import type { PlanInputs } from '../src/core/planner/inputs.js';
import { Decimal } from '../src/core/money.js';

// No reserved offers here: the instance is on-demand/spot/on-prem with quotas (periods
// independent); reserved capacity is exercised by the example and the brute-force tests.
// Scale: about 2,000 GPUs at the daily peak over the four classes (peak 1,000 work units each).
const spec = { periods: 168, offerings: 300, classes: 4, reserved: false, peak: 1000 };
const inputs = randomInstance(20261122, spec);
const solver = new HighsSolver();
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const r = await planCapacity(inputs, solver, { mipRelGap: 0.005, explain: false });
const totalS = (performance.now() - t0) / 1000;
// CPU seconds as well as wall seconds: on a shared machine the wall clock counts other people's work.
const cpu = process.cpuUsage(cpu0);
const totalCpuS = (cpu.user + cpu.system) / 1e6;
// The same shape with reserved offers, which couple the periods (not the instance; its
// time is reported so a change to the coupled path shows here too).
const tr = performance.now();
const rr = await planCapacity(randomInstance(20261122, { ...spec, reserved: true }), solver, { mipRelGap: 0.005, explain: false });
const withReserved = { totalS: (performance.now() - tr) / 1000, status: rr.status, gap: rr.gap, method: rr.method, objective: rr.objective, work: rr.work };
// A month of hours: 720 periods × 300 offerings × 4 classes (the larger instance); and the
// week with 1- and 3-year commitments and a savings plan to size (periods coupled: the whole model
// is solved, 2 minutes of CPU on the week already, so not on the month).
const long = await timed(randomInstance(20261122, { ...spec, periods: 720 }));
const weekCommitted = await timed(withCommitments(randomInstance(20261122, spec)));
// The committed generator at 120 periods: the horizon where rounding the LP's commitment counts
// missed the gap and the whole model took 559 nodes (193 s CPU); now the period pass aims at the
// whole model's bound, with the local search where rounding misses (docs/planner.md).
const committed120h = await timed(withCommitments(randomInstance(20261122, { ...spec, periods: 120 })));
let cbc: Record<string, unknown> = { skipped: 'cbc not on PATH' };
if (await cbcAvailable()) {
  // 1. The whole exported model, from scratch. Its LP relaxation in both solvers is the check
  //    that CBC reads the same problem, even where it cannot finish the MILP within its limit.
  const mps = toMpsFormat(r.lp);
  const ourLp = await solver.solve(r.lp, { relax: true });
  const cbcLp = await solveWithCbc(mps, { relax: true, timeLimitS: 120 });
  const c = await solveWithCbc(mps, { mipRelGap: 0.005, timeLimitS: 120 });
  const cpuLine = /Total time \(CPU seconds\):\s*([\d.]+)/.exec(c.output);
  const wholeModel = { status: c.status, objective: Number.isFinite(c.objective) ? c.objective : null, bound: Number.isFinite(c.bound) ? c.bound : null, solveS: c.solveS, cpuS: cpuLine ? Number(cpuLine[1]) : null, lpRelaxation: { highs: ourLp.objective, cbc: cbcLp.objective, cbcSolveS: cbcLp.solveS, diffRel: Math.abs(cbcLp.objective - ourLp.objective) / Math.abs(ourLp.objective) } };
  // 2. The same exported problem cut into its independent blocks (one per period type; nothing
  //    couples them here), each solved by CBC from scratch. CBC's values, put back into the whole
  //    model's columns by name, are checked against every row of the whole model.
  const { map } = build(inputs);
  const blocks = independentBlocks(inputs, map);
  let byBlock: Record<string, unknown> = { skipped: 'the periods are coupled (reserved or budget)' };
  if (blocks) {
    const x = new Float64Array(r.lp.colNames.length);
    const index = new Map(r.lp.colNames.map((n, j) => [n, j]));
    let objective = 0;
    let bound = 0;
    let solveS = 0;
    let solved = 0;
    for (const b of blocks) {
      const s = await solveWithCbc(toMpsFormat(b), { mipRelGap: 0.005, timeLimitS: 60, solution: true });
      solveS += s.solveS;
      if (s.status !== 'optimal' || !s.values) continue;
      solved++;
      objective += s.objective;
      bound += Number.isFinite(s.bound) ? s.bound : s.objective;
      for (const [name, v] of s.values) x[index.get(name)!] = v;
    }
    const broken = violations(r.lp, x);
    byBlock = {
      blocks: blocks.length,
      solvedToGap: solved,
      objective,
      bound,
      gap: (objective - bound) / objective,
      solveS,
      wholeModelObjectiveOfCbcValues: objectiveOf(r.lp, x),
      rowsOrBoundsBroken: broken.length,
      // Both solvers stop within 0.5% of their own bounds, so their objectives may differ by up to that.
      objectiveDiffRel: Math.abs(objective - r.objective) / Math.abs(r.objective),
      eachWithinTheOthersBound: objective >= r.bound - 1e-6 * Math.abs(r.bound) && r.objective >= bound - 1e-6 * Math.abs(bound),
    };
  }
  // 3. The whole exported model again, given Penny's plan as CBC's start (mipStart): CBC fixes
  //    its integer values, solves for the rest in the model it read, keeps the plan only if it is
  //    feasible there, and then works to prove (or improve on) it with its own bound.
  const st = await solveWithCbc(mps, { mipRelGap: 0.005, timeLimitS: 120, start: { names: r.lp.colNames, values: r.values } });
  const wholeModelFromPennysPlan = {
    startAccepted: st.startAccepted ?? false,
    status: st.status,
    objective: Number.isFinite(st.objective) ? st.objective : null,
    bound: Number.isFinite(st.bound) ? st.bound : null,
    gap: Number.isFinite(st.objective) && Number.isFinite(st.bound) ? (st.objective - st.bound) / st.objective : null,
    solveS: st.solveS,
    objectiveDiffRel: Number.isFinite(st.objective) ? Math.abs(st.objective - r.objective) / Math.abs(r.objective) : null,
  };
  cbc = { wholeModel, byBlock, wholeModelFromPennysPlan };
}
console.log(
  JSON.stringify({
    instance: spec,
    model: r.model,
    method: r.method,
    work: r.work,
    buildS: r.timings.buildS,
    solveS: r.timings.solveS,
    totalS,
    totalCpuS,
    loadAverage1m: (await import('node:os')).loadavg()[0],
    status: r.status,
    gap: r.gap,
    objective: r.objective,
    totalUsd: r.plan.totalUsd.toFixed(2),
    savingVsAllOnDemand: r.savings.find((s) => s.baseline === 'all on-demand')?.share ?? null,
    savingVsGreedy: r.savings.find((s) => s.baseline.startsWith('greedy'))?.share ?? null,
    withReserved,
    month720h: long,
    weekWithCommitments: weekCommitted,
    committed120h,
    cbc,
    highsOverCbcByBlockTime: typeof (cbc.byBlock as { solveS?: number } | undefined)?.solveS === 'number' ? r.timings.solveS / (cbc.byBlock as { solveS: number }).solveS : null,
  }),
);

async function timed(inp: PlanInputs) {
  const t = performance.now();
  const c0 = process.cpuUsage();
  const x = await planCapacity(inp, solver, { mipRelGap: 0.005, explain: false });
  const c = process.cpuUsage(c0);
  return { periods: inp.periods, model: x.model, method: x.method, work: x.work, status: x.status, gap: x.gap, totalS: (performance.now() - t) / 1000, totalCpuS: (c.user + c.system) / 1e6, totalUsd: x.plan.totalUsd.toFixed(2), commitments: x.commitments.filter((o) => o.instances > 0).length, savingsPlans: x.savingsPlans.map((p) => p.committedUsdPerHour.toFixed(2)) };
}

/** Every 25th offering with an on-demand price gets a 1-year partial and a 3-year all-upfront term; p0 gets a savings plan. */
function withCommitments(inp: PlanInputs): PlanInputs {
  const offerings = inp.offerings.map((o, i) => {
    if (i % 25 !== 0 || !o.onDemandUsdPerHour) return o;
    const od = o.onDemandUsdPerHour;
    return {
      ...o,
      commitments: [
        { name: '1y partial', termYears: 1, payment: 'partial' as const, upfrontUsd: od.times(8760 * 0.3).toDecimalPlaces(2), usdPerHour: od.times('0.35').toDecimalPlaces(4) },
        { name: '3y all', termYears: 3, payment: 'all' as const, upfrontUsd: od.times(3 * 8760 * 0.45).toDecimalPlaces(2), usdPerHour: new Decimal(0) },
      ],
    };
  });
  return { ...inp, offerings, savingsPlans: [{ name: 'p0-1y', provider: 'p0', termYears: 1, payment: 'none', discount: 0.28 }] };
}
