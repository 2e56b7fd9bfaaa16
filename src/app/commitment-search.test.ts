import { describe, expect, it } from 'vitest';
import { Decimal } from '../core/money.js';
import { offeringId, type Offering } from '../core/catalog/offering.js';
import type { PlanInputs } from '../core/planner/inputs.js';
import { buildModel } from '../core/planner/build.js';
import { HighsSolver } from '../adapters/solver/highs.js';
import { priceCounts, searchCommitments } from './commitment-search.js';
import { planCapacity } from './plan.js';

const solver = new HighsSolver();

// Hand case, 4 periods of 10 A100 work units (1 unit per GPU-hour): big8 (8 GPUs, on demand
// $8/h), one (1 GPU, on demand $3/h, reserved for the horizon at $1.50/h).
//  LP relaxation: 1.25 big8 a period, $10/h, no reservation (a reserved GPU costs 1.50, big8's 1.00).
//  Whole instances, per period: r = 0: big8 + 2 one on demand = 14; r = 1: 1.50 + 8 + 3 = 12.50;
//  r = 2: 3 + 8 = 11; r = 3: 4.50 + 8 = 12.50 (7 units left: a big8). Optimum r = 2, 4 × 11 = 44.
// Rounding the LP's count (0) misses it; the ±1 search priced on whole instances finds it.
const o = (type: string, gpus: number, od: string, extra: Partial<Offering> = {}): Offering => ({ id: offeringId('p', 'r1', type), provider: 'p', region: 'r1', instanceType: type, gpu: 'A100', gpuCount: gpus, onDemandUsdPerHour: new Decimal(od), source: 'test', ...extra });
const inputs: PlanInputs = {
  name: 'search',
  periodHours: 1,
  periods: 4,
  classes: [{ name: 'c', demand: [10, 10, 10, 10], throughput: { A100: 1 }, spotShare: 1 }],
  offerings: [o('big8', 8, '8'), o('one', 1, '3', { reservedUsdPerHour: new Decimal('1.5') })],
  spot: { defaultAvailability: 1, byOffering: {} },
  offeringQuota: {},
  groupQuotas: [],
};

describe('commitment counts by ±1 local search', () => {
  it('moves the LP count 0 to 2 reserved instances, the whole MILP optimum (44)', async () => {
    const { model, map } = buildModel(inputs);
    const lp = await solver.solve(model, { relax: true });
    expect(lp.objective).toBeCloseTo(40, 6);
    const reserved = map.options.find((k) => k.model === 'reserved')!;
    expect(lp.values[map.rCol[reserved.key]!]).toBeCloseTo(0, 9);
    const start: number[] = [];
    start[reserved.key] = 0;
    expect((await priceCounts(inputs, model, map, solver, start)).objective).toBeCloseTo(56, 6);
    const found = (await searchCommitments(inputs, model, map, solver, [start]))!;
    expect(found.fix[reserved.key]).toBe(2);
    expect(found.objective).toBeCloseTo(44, 6);
    expect(found.moves).toBe(2);
    // 0, then 1, 2 (better), 3 (worse), and back at 1 (already priced): 4 sets of counts.
    expect(found.tries).toBe(4);
    const exact = await solver.solve(model, { mipRelGap: 0 });
    expect(exact.objective).toBeCloseTo(found.objective, 6);
  });

  it('stops at its work limit: a limit of one prices the start only', async () => {
    const { model, map } = buildModel(inputs);
    const start = map.options.map(() => 0);
    const found = (await searchCommitments(inputs, model, map, solver, [start], 1))!;
    expect(found).toMatchObject({ tries: 1, moves: 0 });
    expect(found.objective).toBeCloseTo(56, 6);
  });

  it('the planner takes the searched counts: 44, two reserved instances, the method says so', async () => {
    const r = await planCapacity(inputs, solver, { mipRelGap: 1e-9, explain: false });
    expect(r.plan.totalUsd.toFixed(2)).toBe('44.00');
    expect(r.plan.lines.filter((l) => l.priceModel === 'reserved').map((l) => l.runs[0]!.count)).toEqual([2]);
    expect(r.method).toMatch(/local search \(\d+ tried, 2 moved\)/);
  });
});
