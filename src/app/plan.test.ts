import { describe, expect, it } from 'vitest';
import { Infeasible, Unbounded } from '../core/errors.js';
import { Decimal } from '../core/money.js';
import { amortisedUsdPerHour, offeringId, type Offering } from '../core/catalog/offering.js';
import type { PlanInputs, WorkloadClass } from '../core/planner/inputs.js';
import { buildModel } from '../core/planner/build.js';
import { activities, LpBuilder, violations } from '../core/planner/lp.js';
import { HighsSolver } from '../adapters/solver/highs.js';
import { planCapacity } from './plan.js';
import { randomInstance, rng, shuffle } from '../../test/fixtures/planner.js';
import { bruteForce, tinyInstance } from '../../test/fixtures/brute-force.js';
import { Worker } from 'node:worker_threads';
import { planToJson } from './plan-json.js';

const solver = new HighsSolver();
const EXACT = { mipRelGap: 1e-9, explain: false } as const;

describe('planner against brute-force enumeration', () => {
  const seeds = Array.from({ length: 40 }, (_, i) => 1000 + i);
  it.each(seeds)('seed %i: same minimum cost, or both infeasible', async (seed) => {
    const { inputs } = tinyInstance(seed);
    const expected = bruteForce(inputs);
    if (expected === undefined) {
      await expect(planCapacity(inputs, solver, EXACT)).rejects.toBeInstanceOf(Infeasible);
      return;
    }
    const r = await planCapacity(inputs, solver, EXACT);
    expect(r.plan.totalUsd.toNumber()).toBeCloseTo(expected, 6);
    expect(r.objective).toBeCloseTo(expected, 6);
  });
});

describe('a budget caps the cost the planner minimises', () => {
  const seeds = Array.from({ length: 12 }, (_, i) => 1000 + i);
  it.each(seeds)('seed %i: the same minimum when the budget allows it, else no plan fits, said as the budget', async (seed) => {
    const { inputs } = tinyInstance(seed);
    const expected = bruteForce(inputs);
    if (expected === undefined) return;
    for (const factor of [0.99, 1.000001, 1.5]) {
      const budgetUsd = new Decimal((expected * factor).toFixed(6));
      const run = planCapacity({ ...inputs, budgetUsd }, solver, EXACT);
      if (factor < 1) {
        const e = await run.catch((x: unknown) => x);
        expect(e).toBeInstanceOf(Infeasible);
        expect((e as Infeasible).message).toMatch(/no plan fits the budget/);
        expect((e as Infeasible).hint).toMatch(/raise the budget to \d+ USD/);
      } else {
        const r = await run;
        expect(r.objective).toBeCloseTo(expected, 6);
        expect(r.method).toMatch(/the budget does not bind/);
      }
    }
  });

  it('a budget between the plan found and its proved bound: a plan within it, or a refusal, never a plan over it', async () => {
    const inputs = randomInstance(8, { periods: 24, offerings: 40, classes: 2, reserved: false, peak: 60 });
    const free = await planCapacity(inputs, solver, { mipRelGap: 0.02, explain: false });
    expect(free.objective).toBeGreaterThan(free.bound);
    const budget = (free.objective + free.bound) / 2;
    const r = await planCapacity({ ...inputs, budgetUsd: new Decimal(budget.toFixed(4)) }, solver, { mipRelGap: 0.02, explain: false }).catch((x: unknown) => x);
    if (r instanceof Infeasible) expect(r.message).toMatch(/budget/);
    else expect((r as { plan: { totalUsd: Decimal } }).plan.totalUsd.toNumber()).toBeLessThanOrEqual(budget + 1e-6);
  });
});

describe('a work limit, not the clock, decides where a hard solve stops', () => {
  it('stops at the node limit, says so, and gives the same plan every time', async () => {
    const inputs = randomInstance(11, { periods: 12, offerings: 40, classes: 3, peak: 60, reserved: false });
    const opts = { explain: false, mipRelGap: 0, maxNodes: 2 };
    const a = await planCapacity(inputs, solver, opts);
    const b = await planCapacity(inputs, solver, opts);
    expect(a.work.stoppedBy).toBe('nodes');
    expect(a.status).toBe('feasible');
    expect(b.work).toEqual(a.work);
    expect(b.objective).toBe(a.objective);
    expect(Array.from(b.values)).toEqual(Array.from(a.values));
    // With room to work, the same instance closes: the limit, not the instance, stopped it.
    const free = await planCapacity(inputs, solver, { explain: false, mipRelGap: 0.005 });
    expect(free.work.stoppedBy).toBeUndefined();
    expect(free.work.nodes).toBeGreaterThan(0);
    expect(free.objective).toBeLessThanOrEqual(a.objective + 1e-6);
  });
});

describe('the same input gives the same plan under any load', () => {
  // Byte-identical JSON less timings: once on whatever load the suite leaves, once while two
  // worker threads spin on the CPU (the machine's cores taken). A wall-clock limit would cut the
  // second solve at another point; the node budget cuts both at the same one.
  it('plans twice, the second time with the CPU busy, and prints the same JSON', async () => {
    const inputs = randomInstance(11, { periods: 12, offerings: 40, classes: 3, peak: 60, reserved: false });
    const opts = { explain: false, mipRelGap: 0, maxNodes: 3 };
    const strip = (j: ReturnType<typeof planToJson>) => JSON.stringify({ ...j, timingsS: null });
    const a = strip(planToJson(await planCapacity(inputs, solver, opts), ['generated']));
    const spin = 'const end = Date.now() + 60000; while (Date.now() < end) Math.sqrt(Math.random());';
    const workers = [new Worker(spin, { eval: true }), new Worker(spin, { eval: true })];
    try {
      const r = await planCapacity(inputs, solver, opts);
      expect(r.work.stoppedBy).toBe('nodes');
      expect(strip(planToJson(r, ['generated']))).toBe(a);
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
  }, 120_000);
});

describe('planner properties', () => {
  it('shuffled offerings and classes give the same cost', async () => {
    const inputs = randomInstance(7, { periods: 8, offerings: 24, classes: 3, peak: 60 });
    const a = await planCapacity(inputs, solver, EXACT);
    const r = rng(99);
    const shuffled: PlanInputs = { ...inputs, offerings: shuffle(inputs.offerings, r), classes: shuffle(inputs.classes, r) };
    const b = await planCapacity(shuffled, solver, EXACT);
    expect(b.plan.totalUsd.toFixed(6)).toBe(a.plan.totalUsd.toFixed(6));
    // Two exact solves (gap 1e-9) of a reserved-coupled instance, kept small: 12 periods × 40
    // offerings took 58 s of the suite; this size takes about 4 s. The guard is for hangs.
  }, 240_000);

  it('never costs more than either baseline, and the parts add up to the total exactly', async () => {
    const inputs = randomInstance(11, { periods: 24, offerings: 60, classes: 2, peak: 80 });
    const r = await planCapacity(inputs, solver, { explain: false });
    for (const b of r.baselines) if (b.totalUsd) expect(r.plan.totalUsd.lte(b.totalUsd)).toBe(true);
    const parts = Object.values(r.plan.byPriceModel).reduce((s, x) => s.plus(x), new Decimal(0));
    expect(parts.eq(r.plan.totalUsd)).toBe(true);
    expect(r.gap).toBeLessThanOrEqual(0.005);
  });

  it('the plan assembled period by period satisfies every row of the whole model', async () => {
    for (const seed of [21, 22, 23]) {
      const inputs = seed === 21 ? randomInstance(seed, { periods: 24, offerings: 80, classes: 4, peak: 300, reserved: false }) : randomInstance(seed, { periods: 6, offerings: 40, classes: 2, peak: 100 });
      const r = await planCapacity(inputs, solver, { explain: false });
      const act = activities(r.lp, r.values);
      r.lp.rowNames.forEach((name, i) => {
        const tol = 1e-6 * Math.max(1, Math.abs(r.lp.rowLower[i]!), Math.abs(r.lp.rowUpper[i]!));
        expect(act[i]!, name).toBeGreaterThanOrEqual(r.lp.rowLower[i]! - tol);
        expect(act[i]!, name).toBeLessThanOrEqual(r.lp.rowUpper[i]! + tol);
      });
      r.values.forEach((v, j) => r.lp.colInteger[j] && expect(Math.abs(v - Math.round(v))).toBeLessThan(1e-6));
      // 'optimal' means the gap asked for was proved; a time limit would say 'feasible'.
      if (r.status === 'optimal') expect(r.gap).toBeLessThanOrEqual(0.005 + 1e-12);
      else expect(r.status).toBe('feasible');
      expect(r.objective).toBeCloseTo(r.plan.totalUsd.toNumber(), 4);
    }
  });

  it('does not mutate its inputs', async () => {
    const inputs = randomInstance(3, { periods: 6, offerings: 20, classes: 2, peak: 40 });
    const before = JSON.stringify(inputs);
    await planCapacity(inputs, solver, { explain: false });
    expect(JSON.stringify(inputs)).toBe(before);
  });

  it('periods that look alike share columns, and the plan still covers each of them', async () => {
    const inputs = randomInstance(5, { periods: 4, offerings: 20, classes: 1, peak: 40 });
    const flat: PlanInputs = { ...inputs, classes: inputs.classes.map((c) => ({ ...c, demand: [30, 30, 30, 30] })) };
    const { map } = buildModel(flat);
    expect(map.periodTypes).toEqual([[0, 1, 2, 3]]);
    const r = await planCapacity(flat, solver, EXACT);
    for (const l of r.plan.lines) expect(l.runs).toEqual([{ from: 0, to: 3, count: l.runs[0]!.count }]);
  });
});

describe('the documented model, on the two cases the issue settled', () => {
  const off = (region: string, type: string, n: number, od: string, spot?: string): Offering => ({ id: offeringId('p', region, type), provider: 'p', region, instanceType: type, gpu: 'A100', gpuCount: n, onDemandUsdPerHour: new Decimal(od), ...(spot && { spotUsdPerHour: new Decimal(spot) }), source: 'test' });
  const common = { periodHours: 1, periods: 1, offeringQuota: {}, groupQuotas: [] };

  it('egress is paid on the work served, not on idle capacity: two big8 at 8.00 + 0.90 beat two + big8', async () => {
    const inputs: PlanInputs = {
      ...common,
      name: 'egress',
      classes: [{ name: 'c', demand: [10], throughput: { A100: 1 }, spotShare: 0, data: { region: 'r1', gbPerWorkUnit: 1, egressUsdPerGb: new Decimal('0.09') } }],
      offerings: [off('r2', 'big8', 8, '4.00'), off('r1', 'two', 2, '4.60'), off('r1', 'one', 1, '3.00')],
      spot: { defaultAvailability: 1, byOffering: {} },
    };
    // Brute force over the documented model: egress is paid only on the work r2 serves, the
    // demand local capacity leaves over.
    let best = Infinity;
    for (let big = 0; big <= 2; big++)
      for (let two = 0; two <= 5; two++)
        for (let one = 0; one <= 10; one++) {
          const local = 2 * two + one;
          if (8 * big + local < 10) continue;
          best = Math.min(best, 4 * big + 4.6 * two + 3 * one + 0.09 * Math.max(0, 10 - local));
        }
    expect(best).toBeCloseTo(8.9, 9);
    const r = await planCapacity(inputs, solver, EXACT);
    // two (4.60) + big8 (4.00) + 8 units of egress (0.72) = 9.32, reported optimal before.
    expect(r.plan.totalUsd.toFixed(2)).toBe('8.90');
    expect(r.plan.egressUsd.toFixed(2)).toBe('0.90');
    expect(r.plan.lines.map((l) => `${l.instanceType}×${l.runs[0]!.count}`)).toEqual(['big8×2']);
  });

  it('the spot share bounds the spot work that serves demand: 3 spot instances serve 2.5 units, 8 on demand the rest', async () => {
    const inputs: PlanInputs = {
      ...common,
      name: 'spot-share',
      classes: [{ name: 'c', demand: [10], throughput: { A100: 1 }, spotShare: 0.25 }],
      offerings: [off('r1', 'one', 1, '2.00', '0.50')],
      spot: { defaultAvailability: 0.85, byOffering: {} },
    };
    // Brute force: spot work counted towards demand is at most 25% of it; spot is paid while it runs.
    let best = Infinity;
    for (let spot = 0; spot <= 12; spot++)
      for (let od = 0; od <= 10; od++) if (od + Math.min(0.85 * spot, 2.5) >= 10 - 1e-12) best = Math.min(best, 0.5 * 0.85 * spot + 2 * od);
    expect(best).toBeCloseTo(17.275, 9);
    const r = await planCapacity(inputs, solver, EXACT);
    // 3 × 0.85 h × $0.50 + 8 × $2.00; two spot instances (1.7 units) forced 9 on demand: 18.85.
    expect(r.plan.totalUsd.toFixed(3)).toBe('17.275');
    const spot = r.plan.lines.find((l) => l.priceModel === 'spot')!;
    expect(spot.runs[0]!.count).toBe(3);
    // Spot is paid while it runs: 3 instances at 85% availability are 2.55 expected instance-hours.
    expect(spot.instanceHours.toFixed(2)).toBe('2.55');
  });
});

describe('owned servers in every baseline, and the saving split into owning, placement, committing, spot', () => {
  // Hand-computed, two periods of 6 A100 work units, spot share 0.5:
  //  list price, nothing owned: cheap's quota (4) cannot cover 6, so 6 × one at $3 = 36
  //  owned first: 1 server at $0.50, then 5 × one at $3: 31            → owning 5
  //  on-demand + owned, any mix: 0.50 + 4 × 2.50 + 3 = 13.50 a period: 27 → placement 4
  //  + reservations at $2: 0.50 + 5 × 2 = 10.50 a period: 21            → committing 6
  //  + spot at $1 for half the work: 0.50 + 3 × 1 + 2 × 2 = 7.50: 15    → spot 6
  it('counts the owned server in the all on-demand baseline and splits 36 → 15 as 5 + 4 + 6 + 6', async () => {
    const o = (type: string, od: string, extra: Partial<Offering> = {}): Offering => ({ id: offeringId('p', type === 'cheap' ? 'r2' : 'r1', type), provider: 'p', region: type === 'cheap' ? 'r2' : 'r1', instanceType: type, gpu: 'A100', gpuCount: 1, onDemandUsdPerHour: new Decimal(od), source: 'test', ...extra });
    const inputs: PlanInputs = {
      name: 'ladder',
      periodHours: 1,
      periods: 2,
      classes: [{ name: 'c', demand: [6, 6], throughput: { A100: 1 }, spotShare: 0.5 }],
      offerings: [
        o('one', '3', { spotUsdPerHour: new Decimal(1), reservedUsdPerHour: new Decimal(2), reservedMaxInstances: 5 }),
        o('cheap', '2.5'),
        { id: 'on-prem/dc/srv', provider: 'on-prem', region: 'dc', instanceType: 'srv', gpu: 'A100', gpuCount: 1, onPrem: { installed: 1, marginalUsdPerHour: new Decimal('0.5'), pue: 1, energyUsdPerKwh: new Decimal('0.1') }, source: 'test' },
      ],
      spot: { defaultAvailability: 1, byOffering: {} },
      offeringQuota: { 'p/r2/cheap': 4 },
      groupQuotas: [],
    };
    const r = await planCapacity(inputs, solver, { mipRelGap: 1e-9, explain: false, splitSaving: true });
    expect(r.plan.totalUsd.toFixed(2)).toBe('15.00');
    const od = r.baselines.find((b) => b.name === 'all on-demand')!;
    expect(od.totalUsd!.toFixed(2)).toBe('31.00');
    expect(od.lines.map((l) => `${l.instanceType}:${l.priceModel}`).sort()).toEqual(['one:on-demand', 'srv:on-prem']);
    const sp = r.savingSplit!;
    expect(sp.fromUsd.toFixed(2)).toBe('36.00');
    expect(sp.parts.map((x) => `${x.part} ${x.usd.toFixed(2)}`)).toEqual(['owning 5.00', 'placement 4.00', 'committing 6.00', 'spot 6.00']);
    expect(sp.parts.reduce((a, x) => a.plus(x.usd), new Decimal(0)).eq(sp.fromUsd.minus(sp.planUsd))).toBe(true);
    // The greedy baseline runs the owned server too.
    expect(r.baselines.find((b) => b.name.startsWith('greedy'))!.lines.some((l) => l.priceModel === 'on-prem')).toBe(true);
  });
});

describe('commitments: 1- and 3-year, no/partial/all upfront, amortised per hour and sized by the MILP', () => {
  // One 1-GPU offering at $3.00 on demand; demand 4, 4, 4, 2 work units.
  //  3 years all upfront, $39,420 (= 1.50 × 26,280 h): $1.50/h amortised, break-even 50%, at most 2
  //  1 year partial, $8,760 upfront + $1.00/h: $2.00/h amortised, break-even 66.7%
  //  1 year no upfront, $2.40/h: break-even 80%
  // Two 3-year instances cover 2 units every period (4 × 2 × 1.50 = 12); the 2 more units needed
  // in 3 periods of 4 (75% > 66.7%) are cheaper as two 1-year partial instances (2 × 4 × 2.00 =
  // 16) than on demand (2 × 3 × 3.00 = 18), and the no-upfront rate (2 × 4 × 2.40 = 19.20) loses.
  it('takes 2 × 3-year all upfront and 2 × 1-year partial upfront: 28.00, with break-evens 50%, 66.7%, 80%', async () => {
    const offering: Offering = {
      id: offeringId('p', 'r', 'one'),
      provider: 'p',
      region: 'r',
      instanceType: 'one',
      gpu: 'A100',
      gpuCount: 1,
      onDemandUsdPerHour: new Decimal(3),
      commitments: [
        { name: '3y all', termYears: 3, payment: 'all', upfrontUsd: new Decimal(39420), usdPerHour: new Decimal(0), maxInstances: 2 },
        { name: '1y partial', termYears: 1, payment: 'partial', upfrontUsd: new Decimal(8760), usdPerHour: new Decimal(1) },
        { name: '1y none', termYears: 1, payment: 'none', upfrontUsd: new Decimal(0), usdPerHour: new Decimal('2.4') },
      ],
      source: 'test',
    };
    const inputs: PlanInputs = { name: 'commit', periodHours: 1, periods: 4, classes: [{ name: 'c', demand: [4, 4, 4, 2], throughput: { A100: 1 }, spotShare: 0 }], offerings: [offering], spot: { defaultAvailability: 1, byOffering: {} }, offeringQuota: {}, groupQuotas: [] };
    // Brute force over the documented model: r3 ≤ 2, r1p, r1n committed all horizon, the rest on demand.
    let best = Infinity;
    for (let r3 = 0; r3 <= 2; r3++)
      for (let r1p = 0; r1p <= 4; r1p++)
        for (let r1n = 0; r1n <= 4; r1n++) {
          const od = [4, 4, 4, 2].reduce((a, d) => a + Math.max(0, d - r3 - r1p - r1n), 0);
          best = Math.min(best, 4 * (1.5 * r3 + 2 * r1p + 2.4 * r1n) + 3 * od);
        }
    expect(best).toBeCloseTo(28, 9);
    const r = await planCapacity(inputs, solver, EXACT);
    expect(r.plan.totalUsd.toFixed(2)).toBe('28.00');
    const taken = r.plan.lines.filter((l) => l.priceModel === 'reserved').map((l) => `${l.commitment!.name} ×${l.runs[0]!.count} ${l.costUsd.toFixed(2)}`);
    expect(taken.sort()).toEqual(['1y partial ×2 16.00', '3y all ×2 12.00']);
    const offers = Object.fromEntries(r.commitments.map((c) => [c.name, c]));
    expect(offers['3y all']!.amortisedUsdPerHour.toString()).toBe('1.5');
    expect(offers['3y all']!.breakEvenUtilisation).toBeCloseTo(0.5, 12);
    expect(offers['1y partial']!.amortisedUsdPerHour.toString()).toBe('2');
    expect(offers['1y partial']!.breakEvenUtilisation).toBeCloseTo(2 / 3, 12);
    expect(offers['1y none']!.breakEvenUtilisation).toBeCloseTo(0.8, 12);
    expect(offers['1y none']!.instances).toBe(0);
    // Over the whole term: 2 × 39,420 upfront; 2 × (8,760 + 8,760 h × $1).
    expect(offers['3y all']!.termCostUsd!.toString()).toBe('78840');
    expect(offers['1y partial']!.termCostUsd!.toString()).toBe('35040');
  });

  // A savings plan: $4.00 on demand, 30% off for usage the commitment covers; demand 3, 3, 1, 1.
  // Committing $2.80/h pays for one instance every period (4 × 2.80 = 11.20) and the rest is on
  // demand (2 + 2 instance-hours × $4 = 16): 27.20, against 32.00 all on demand, 30.40 for $5.60/h.
  it('sizes a savings plan: $2.80/h committed, 27.20 in all, break-even 70%, used in full', async () => {
    const offering: Offering = { id: offeringId('aws', 'r', 'one'), provider: 'aws', region: 'r', instanceType: 'one', gpu: 'A100', gpuCount: 1, onDemandUsdPerHour: new Decimal(4), source: 'test' };
    const demand = [3, 3, 1, 1];
    const inputs: PlanInputs = {
      name: 'sp',
      periodHours: 1,
      periods: 4,
      classes: [{ name: 'c', demand, throughput: { A100: 1 }, spotShare: 0 }],
      offerings: [offering],
      spot: { defaultAvailability: 1, byOffering: {} },
      offeringQuota: {},
      groupQuotas: [],
      savingsPlans: [{ name: 'compute-1y', provider: 'aws', termYears: 1, payment: 'all', discount: 0.3 }],
    };
    // Brute force over commitments in cents: each period, the whole instances it covers, the rest on demand.
    let best = Infinity;
    for (let cents = 0; cents <= 1200; cents++) {
      const covered = Math.floor((cents / 100 + 1e-9) / 2.8);
      best = Math.min(best, 4 * (cents / 100) + demand.reduce((a, d) => a + 4 * Math.max(0, d - covered), 0));
    }
    expect(best).toBeCloseTo(27.2, 9);
    const r = await planCapacity(inputs, solver, EXACT);
    expect(r.plan.totalUsd.toFixed(2)).toBe('27.20');
    const sp = r.savingsPlans[0]!;
    expect(sp.committedUsdPerHour.toString()).toBe('2.8');
    expect(sp.breakEvenUtilisation).toBeCloseTo(0.7, 12);
    expect(sp.usedShare).toBeCloseTo(1, 12);
    // All upfront: the whole year's commitment at the start, 2.80 × 8,760.
    expect(sp.upfrontUsd.toString()).toBe('24528');
    const usage = r.plan.lines.find((l) => l.savingsPlan?.role === 'usage')!;
    expect(usage.runs).toEqual([{ from: 0, to: 3, count: 1 }]);
    expect(usage.costUsd.toString()).toBe('0');
    // Without commitments allowed, the same demand all on demand.
    const od = await planCapacity({ ...inputs, allow: { reserved: false } }, solver, EXACT);
    expect(od.plan.totalUsd.toFixed(2)).toBe('32.00');
  });

  it('with commitments and a savings plan on a random instance, the plan satisfies the whole model and costs its objective', async () => {
    const base = randomInstance(31, { periods: 8, offerings: 40, classes: 2, peak: 80, reserved: false });
    const inputs: PlanInputs = {
      ...base,
      offerings: base.offerings.map((o, i) =>
        i % 5 === 0 && o.onDemandUsdPerHour
          ? { ...o, commitments: [{ name: '1y partial', termYears: 1, payment: 'partial' as const, upfrontUsd: o.onDemandUsdPerHour.times(2628), usdPerHour: o.onDemandUsdPerHour.times('0.35') }, { name: '3y all', termYears: 3, payment: 'all' as const, upfrontUsd: o.onDemandUsdPerHour.times(11826), usdPerHour: new Decimal(0), maxInstances: 3 }] }
          : o,
      ),
      savingsPlans: ['p0', 'p1', 'p2'].map((provider) => ({ name: `${provider}-1y`, provider, termYears: 1, payment: 'none' as const, discount: 0.3 })),
    };
    const r = await planCapacity(inputs, solver, { explain: false });
    expect(violations(r.lp, r.values)).toEqual([]);
    expect(r.objective).toBeCloseTo(r.plan.totalUsd.toNumber(), 4);
    // Both kinds are taken, so both decode paths are checked.
    expect(r.plan.lines.some((l) => l.commitment)).toBe(true);
    expect(r.plan.lines.some((l) => l.savingsPlan?.role === 'usage')).toBe(true);
    const free = await planCapacity({ ...inputs, allow: { reserved: false } }, solver, { explain: false });
    expect(r.plan.totalUsd.toNumber()).toBeLessThanOrEqual(free.plan.totalUsd.toNumber() * 1.005);
  }, 120_000);

  it('amortises an upfront that does not divide the term evenly to 40 significant digits', () => {
    const a = amortisedUsdPerHour({ name: 'x', termYears: 1, payment: 'partial', upfrontUsd: new Decimal(1000), usdPerHour: new Decimal('0.5') });
    expect(a.times(8760).minus(new Decimal(1000).plus(new Decimal('0.5').times(8760))).abs().lt(new Decimal('1e-30'))).toBe(true);
  });
});

describe('infeasible and unbounded are explained, not thrown as stack traces', () => {
  const offering = (id: string, n: number, price: string): Offering => ({ id: offeringId('aws', 'us-east-1', id), provider: 'aws', region: 'us-east-1', instanceType: id, gpu: 'H100', gpuCount: n, onDemandUsdPerHour: new Decimal(price), spotUsdPerHour: new Decimal(price).div(3), source: 'test' });
  const base: PlanInputs = {
    name: 'quota',
    periodHours: 1,
    periods: 2,
    classes: [{ name: 'training', demand: [40, 40], throughput: { H100: 1 }, spotShare: 0 }],
    offerings: [offering('p5.48xlarge', 8, '98.32')],
    spot: { defaultAvailability: 1, byOffering: {} },
    offeringQuota: { 'aws/us-east-1/p5.48xlarge': 3 },
    groupQuotas: [],
  };

  it('says which demand cannot be met and which quota to raise', async () => {
    const e = await planCapacity(base, solver, EXACT).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(Infeasible);
    const inf = e as Infeasible;
    expect(inf.detail.join('\n')).toMatch(/training: 32 work units of 80 cannot be met/);
    expect(inf.hint).toMatch(/raise the quota of p5\.48xlarge in aws\/us-east-1 to 5/);
  });

  it('suggests a spot share when spot would cover it', async () => {
    const inputs: PlanInputs = { ...base, offeringQuota: { 'aws/us-east-1/p5.48xlarge': 4 }, classes: [{ ...base.classes[0]!, demand: [40, 40] }], offerings: [offering('p5.48xlarge', 8, '98.32'), { ...offering('p4d.24xlarge', 8, '32.77'), onDemandUsdPerHour: undefined as never }] };
    // p4d is spot-only here; its quota is absent, the p5 quota covers 32 of 40.
    delete (inputs.offerings[1] as Partial<Offering>).onDemandUsdPerHour;
    const e = (await planCapacity(inputs, solver, EXACT).catch((x: unknown) => x)) as Infeasible;
    expect(e).toBeInstanceOf(Infeasible);
    expect(e.hint).toMatch(/allow spot share 0\.2 for training|raise the quota of p5\.48xlarge in aws\/us-east-1 to 5/);
  });

  it('a class no offering can serve is named', async () => {
    const inputs: PlanInputs = { ...base, offeringQuota: {}, classes: [{ name: 'tpu-job', demand: [1, 1], throughput: { TPUV5: 1 }, spotShare: 0 }] };
    const e = (await planCapacity(inputs, solver, EXACT).catch((x: unknown) => x)) as Infeasible;
    expect(e).toBeInstanceOf(Infeasible);
    expect(e.detail.join('\n')).toMatch(/no offering in the catalogs has a GPU type tpu-job may use \(TPUV5\)/);
  });

  it('an unbounded model is reported as such by the solver port', async () => {
    const b = new LpBuilder('unbounded');
    const x = b.addCol('x', -1, 0, Infinity, true);
    b.addRow('r', [x], [1], 0, Infinity);
    const s = await solver.solve(b.m);
    expect(s.status).toBe('unbounded');
    expect(new Unbounded('the planning model is unbounded').code).toBe('unbounded');
  });
});

describe('explanations are priced on the integer plan, the LP figure kept beside', () => {
  // One class, 10 H100 units in one hour: an 8-GPU instance at $8 (quota 1) and a 1-GPU one at $2.
  // The plan: 1 × 8-GPU + 2 × 1-GPU = $12. Without the quota the LP relaxation buys 1.25 big
  // instances ($10: "saves $2"), but whole instances still cost $12 (2 big = $16, 10 small = $20).
  const off = (type: string, n: number, price: string): Offering => ({ id: offeringId('aws', 'r1', type), provider: 'aws', region: 'r1', instanceType: type, gpu: 'H100', gpuCount: n, onDemandUsdPerHour: new Decimal(price), source: 'test' });
  const inputs: PlanInputs = {
    name: 'lp-vs-integer',
    periodHours: 1,
    periods: 1,
    classes: [{ name: 'c', demand: [10], throughput: { H100: 1 }, spotShare: 0 }],
    offerings: [off('big8', 8, '8'), off('one', 1, '2')],
    spot: { defaultAvailability: 1, byOffering: {} },
    offeringQuota: { 'aws/r1/big8': 1 },
    groupQuotas: [],
  };

  it('the quota saves $2 on the LP relaxation and nothing on whole instances: the integer figure is reported', async () => {
    const r = await planCapacity(inputs, solver, { mipRelGap: 1e-9, splitSaving: false });
    expect(r.plan.totalUsd.toFixed()).toBe('12');
    const e = r.explanations.find((x) => x.constraint === 'quota:aws/r1/big8')!;
    expect(e).toMatchObject({ pricedOn: 'integer plan' });
    expect(e.savingUsd.toFixed()).toBe('0');
    expect(e.lpSavingUsd.toFixed()).toBe('2');
    expect([e.savingRangeUsd!.low.toFixed(), e.savingRangeUsd!.high.toFixed()]).toEqual(['0', '0']);
    const j = planToJson(r, []) as { explanations: { pricedOn: string; savingUsd: string; lpSavingUsd: string; savingRangeUsd: { low: string; high: string } | null }[] };
    expect(j.explanations[0]).toMatchObject({ pricedOn: 'integer plan', savingUsd: '0', lpSavingUsd: '2', savingRangeUsd: { low: '0', high: '0' } });
  });

  it('with demand 16 both agree ($8: two big instances instead of one and eight small), and integerExplanations: 0 keeps the LP figure, labelled', async () => {
    const sixteen: PlanInputs = { ...inputs, classes: [{ ...inputs.classes[0]!, demand: [16] }] };
    const r = await planCapacity(sixteen, solver, { mipRelGap: 1e-9, splitSaving: false });
    const e = r.explanations.find((x) => x.constraint === 'quota:aws/r1/big8')!;
    expect([e.pricedOn, e.savingUsd.toFixed(), e.lpSavingUsd.toFixed()]).toEqual(['integer plan', '8', '8']);
    const lp = await planCapacity(inputs, solver, { mipRelGap: 1e-9, splitSaving: false, integerExplanations: 0 });
    const l = lp.explanations.find((x) => x.constraint === 'quota:aws/r1/big8')!;
    expect([l.pricedOn, l.savingUsd.toFixed(), l.savingRangeUsd]).toEqual(['LP relaxation', '2', undefined]);
  });
});
