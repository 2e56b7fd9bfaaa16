/**
 * A plan's lines as pools, and two plans played out by hand: one that holds at exactly the plan's
 * cost, and one whose on-demand count drops to 0 mid-job (the job is cut, resumes from its checkpoint).
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../money.js';
import { runEngine } from './engine.js';
import { buildReport } from './metrics.js';
import { checkPlan, countsOf, poolsFromPlan, type PlanSpec, type PlanSpecLine } from './plan-pools.js';
import { makePolicy } from './policies/index.js';
import type { SimJob } from './model.js';

const job = (id: string, o: Partial<SimJob> = {}): SimJob => ({ id, arrivalS: 0, gpus: 1, gpuMilli: 1000, cpuMilli: 1000, memoryMib: 1024, workS: 3600, priority: 0, checkpointIntervalS: 0, restartOverheadS: 0, ...o });

const line = (o: Partial<PlanSpecLine>): PlanSpecLine => ({ offering: 'cloud/r/h100', gpu: 'H100', gpuCount: 1, priceModel: 'on-demand', priceUsdPerHour: dec(2), runs: [], costUsd: dec(0), ...o });
const opts = { provisioningDelayS: 0, idleTimeoutS: 0 };

function play(plan: PlanSpec, jobs: ReturnType<typeof job>[]) {
  const pp = poolsFromPlan(plan, opts);
  const input = { pools: pp.pools, jobs, energy: { pricePerKwh: dec(0), pue: 1 }, currency: 'USD', seed: 1, horizonS: pp.horizonS };
  const raw = runEngine(input, makePolicy('fifo'), { checkCapacity: true });
  const byId = Object.fromEntries(raw.jobs.map((j, i) => [j.id, [raw.firstStartS[i]!, raw.finishS[i]!]]));
  const report = buildReport(raw, input);
  expect(raw.overCapacity).toBe(0);
  return { pp, report, byId, check: checkPlan(plan, pp.fixedCostUsd, report, 0) };
}

describe('plan lines as pools', () => {
  it('expands runs to counts per period', () => {
    expect(countsOf(line({ runs: [{ from: 0, to: 1, count: 2 }, { from: 3, to: 3, count: 5 }] }), 5)).toEqual([2, 2, 0, 5, 0]);
  });

  it('makes owned lines with one count fixed nodes, the rest capped by period; commitments a fixed cost', () => {
    const plan: PlanSpec = {
      scenario: 's', periodHours: 2, periods: 3, totalUsd: dec(0),
      lines: [
        line({ runs: [{ from: 0, to: 0, count: 3 }, { from: 2, to: 2, count: 1 }] }),
        line({ offering: 'cloud/r/8xh100', gpuCount: 8, priceModel: 'reserved', runs: [{ from: 0, to: 2, count: 2 }] }),
        line({ priceModel: 'spot', runs: [{ from: 0, to: 2, count: 4 }] }),
        line({ offering: 'sp', gpuCount: 0, priceModel: 'reserved', costUsd: dec('12.5'), runs: [{ from: 0, to: 2, count: 300 }] }),
      ],
    };
    const pp = poolsFromPlan(plan, { ...opts, preemptionRatePerHour: 0.5 });
    expect(pp.horizonS).toBe(3 * 7200);
    expect(pp.fixedCostUsd.toString()).toBe('12.5');
    expect(pp.pools.map((p) => [p.name, p.pricing, p.fixedNodes, p.maxNodes, p.schedule?.maxNodes])).toEqual([
      ['cloud/r/h100 (on-demand)', 'on-demand', 0, 3, [3, 0, 1]],
      ['cloud/r/8xh100 (reserved)', 'on-demand', 2, 2, undefined],
      ['cloud/r/h100 (spot)', 'spot', 0, 4, [4, 4, 4]],
    ]);
    expect(pp.pools[2]!.preemptionRatePerHour).toBe(0.5);
  });

  // Two 1-hour periods: an on-demand H100 ($2/h, 1 node both periods) and a reserved one ($1/h).
  // Three 1-hour jobs at 0: a on the reserved node (up from the start), b on an on-demand node
  // ordered at 0; c waits for the first to free, at 3600, takes the on-demand node (first in node
  // order) and ends at 7200, the plan's end. Cost: reserved 2 h × $1 + on-demand 2 h × $2 = $6,
  // the plan's own cost; every job done: the plan holds, with c queued an hour.
  it('holds a plan that fits the trace, at the plan\'s cost', () => {
    const plan: PlanSpec = {
      scenario: 's', periodHours: 1, periods: 2, totalUsd: dec(6),
      lines: [line({ runs: [{ from: 0, to: 1, count: 1 }], costUsd: dec(4) }), line({ priceModel: 'reserved', priceUsdPerHour: dec(1), runs: [{ from: 0, to: 1, count: 1 }], costUsd: dec(2) })],
    };
    const { byId, check, report } = play(plan, [job('a'), job('b'), job('c')]);
    expect(byId).toEqual({ a: [0, 3600], b: [0, 3600], c: [3600, 7200] });
    expect(check.simulatedUsd.toString()).toBe('6');
    expect(check).toMatchObject({ finished: 3, unfinished: 0, late: 0, holds: true, queued: 1 });
    expect(report.queueingDelayS.mean).toBe(1200);
  });

  // The on-demand count falls to 0 in period 1. b (5400 s of work, checkpoint every 1800 s) runs on
  // the on-demand node from 0; at 3600 the node goes and b resumes from its checkpoint at 3600 with
  // 1800 s left, on the reserved node a has just left: it ends at 5400. Cost: on-demand 1 h × $2 +
  // reserved 2 h × $1 = $4. A third job d at 3600 (1 h, deadline 7000) then waits behind b until
  // 5400 and ends at 9000: past the plan's end (7200) and its deadline: the plan does not hold.
  it('cuts nodes when the plan\'s count falls, and says when the plan fails', () => {
    const plan: PlanSpec = {
      scenario: 's', periodHours: 1, periods: 2, totalUsd: dec(4),
      lines: [line({ runs: [{ from: 0, to: 0, count: 1 }], costUsd: dec(2) }), line({ priceModel: 'reserved', priceUsdPerHour: dec(1), runs: [{ from: 0, to: 1, count: 1 }], costUsd: dec(2) })],
    };
    const b = job('b', { workS: 5400, checkpointIntervalS: 1800 });
    const held = play(plan, [job('a'), b]);
    expect(held.byId).toEqual({ a: [0, 3600], b: [0, 5400] });
    expect(held.check).toMatchObject({ preemptions: 1, finished: 2, holds: true });
    expect(held.report.jobs.lostGpuHours).toBe(0);
    expect(held.check.simulatedUsd.toString()).toBe('4');

    const failed = play(plan, [job('a'), b, job('d', { arrivalS: 3600, deadlineS: 7000 })]);
    expect(failed.byId.d![0]).toBe(5400);
    expect(failed.check).toMatchObject({ finished: 2, unfinished: 1, late: 1, withDeadline: 1, holds: false });
  });
});
