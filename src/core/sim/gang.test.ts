/**
 * Gang jobs across nodes, each case small enough to schedule on paper (the times are worked out
 * in the comments): all-or-nothing starts, and a gang preempted whole when one of its nodes goes.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../money.js';
import { runEngine } from './engine.js';
import { membersOf, splitGangs } from './gang.js';
import { buildReport } from './metrics.js';
import type { NodePool, SimInput, SimJob } from './model.js';
import { makePolicy } from './policies/index.js';
import { slackReserve } from './policies/spot.js';

const pool = (o: Partial<NodePool> = {}): NodePool => ({
  name: 'p', gpuType: 'A100', gpusPerNode: 4, cpuMilliPerNode: 64000, memoryMibPerNode: 262144, pricing: 'on-prem', pricePerNodeHour: dec(1),
  fixedNodes: 2, maxNodes: 2, provisioningDelayS: 0, idleTimeoutS: 0, idlePowerW: 0, busyPowerW: 0, speed: 1, ...o,
});
const job = (id: string, o: Partial<SimJob> = {}): SimJob => ({ id, arrivalS: 0, gpus: 1, gpuMilli: 1000, cpuMilli: 1000, memoryMib: 1024, workS: 3600, priority: 0, checkpointIntervalS: 0, restartOverheadS: 0, ...o });
const input = (pools: NodePool[], jobs: SimJob[]): SimInput => ({ pools, jobs, energy: { pricePerKwh: dec(0), pue: 1 }, currency: 'USD', seed: 1 });

function run(inp: SimInput, policy: string) {
  const raw = runEngine(inp, makePolicy(policy), { checkCapacity: true });
  const report = buildReport(raw, inp);
  expect(raw.overCapacity).toBe(0);
  expect(report.checks.jobsConserved && report.checks.gpuSecondsBalance && report.checks.noEarlyStart).toBe(true);
  const times = Object.fromEntries(raw.jobs.map((j, i) => [j.id, [raw.firstStartS[i]!, raw.finishS[i]!]]));
  return { raw, report, times };
}

describe('splitting a job into a gang', () => {
  const eight = [pool({ gpusPerNode: 8 })];
  it('splits a job too big for any node into the fewest equal shares that fit', () => {
    expect(membersOf(job('a', { gpus: 8 }), eight)).toBe(1);
    expect(membersOf(job('a', { gpus: 16 }), eight)).toBe(2);
    expect(membersOf(job('a', { gpus: 12 }), eight)).toBe(2); // 2 × 6
    expect(membersOf(job('a', { gpus: 13 }), eight)).toBe(13); // 13 is prime: 13 × 1
    expect(membersOf(job('a', { gpus: 4, nodes: 2 }), eight)).toBe(2); // asked for
    // Only pools of the job's GPU type count.
    expect(membersOf(job('a', { gpus: 8, gpuTypes: ['T4'] }), [...eight, pool({ gpuType: 'T4', gpusPerNode: 2 })])).toBe(4);
  });
  it('keeps members next to their leader, resources split equally', () => {
    const g = splitGangs([job('late', { arrivalS: 5 }), job('g', { gpus: 12, cpuMilli: 3001, memoryMib: 100 })], eight);
    expect(g.jobs.map((j) => [j.id, j.gpus, j.cpuMilli, j.memoryMib])).toEqual([['g', 6, 1501, 50], ['g#1', 6, 1501, 50], ['late', 1, 1000, 1024]]);
    expect(Array.from(g.lead)).toEqual([0, 0, 2]);
    expect(Array.from(g.size)).toEqual([2, 1, 1]);
    expect(Array.from(g.origin)).toEqual([0, 0, 1]);
  });
});

describe('gang scheduling', () => {
  // Two on-prem nodes of 4 GPUs. a (2 GPUs, 1 h) at 0 takes node 0. g (8 GPUs: 2 × 4) at 10 needs
  // both nodes whole: node 1 alone would take one member, so none starts (all or nothing). b
  // (2 GPUs, 600 s) at 20. FIFO: g heads the queue and blocks b; a ends at 3600, g runs 3600–5400
  // on both nodes, b 5400–6000. Best-fit: b starts at 20 in node 0's two free GPUs, ends at 620;
  // g still waits for a, 3600–5400.
  const jobs = [job('a', { gpus: 2 }), job('g', { arrivalS: 10, gpus: 8, workS: 1800 }), job('b', { arrivalS: 20, gpus: 2, workS: 600 })];
  it('starts a gang only when every member has a node (FIFO)', () => {
    const { times, report } = run(input([pool()], jobs), 'fifo');
    expect(times).toEqual({ a: [0, 3600], g: [3600, 5400], b: [5400, 6000] });
    // GPU-hours held: a 2, g 8 × 0.5, b 2 × 1/6.
    expect(report.checks.jobGpuHours).toBeCloseTo(2 + 4 + 1 / 3, 9);
    expect(report.jobs.total).toBe(3);
  });
  it('lets others pass a waiting gang under best-fit', () => {
    expect(run(input([pool()], jobs), 'best-fit').times).toEqual({ a: [0, 3600], b: [20, 620], g: [3600, 5400] });
  });

  // Spot, two nodes of 4 GPUs at $1/h ordered on demand (no delay, released as soon as idle); the
  // trace allows 2 nodes, then 1 from 2000 to 3000, then 2. g (8 GPUs, 1 h, checkpoint every
  // 600 s) orders both nodes and starts at 0. At 2000 the trace takes one node: g is preempted
  // whole, keeps 1800 s (its last checkpoint) and loses 200 s × 8 GPUs; its other node, left idle,
  // is released. At 3000 two nodes come back, g restarts and runs its last 1800 s: 3000–4800.
  // Node time: 2 × 2000 + 2 × 1800 = 7600 s, $2.11.
  it('preempts a gang whole when one of its spot nodes goes', () => {
    const spot = pool({ pricing: 'spot', fixedNodes: 0, spotTrace: { name: 't', gapS: 1000, available: [2, 2, 1, 2, 2, 2, 2, 2] } });
    const { times, report } = run(input([spot], [job('g', { gpus: 8, checkpointIntervalS: 600 })]), 'fifo');
    expect(times).toEqual({ g: [0, 4800] });
    expect(report.jobs.preemptions).toBe(1);
    expect(report.jobs.lostGpuHours).toBeCloseTo((200 * 8) / 3600, 9);
    expect(report.pools[0]!.nodeHours).toBeCloseTo(7600 / 3600, 9);
    expect(report.cost.total.toDecimalPlaces(2).toString()).toBe('2.11');
  });

  // A gang under the deadline rule: g (2 × 4 GPUs, 1 h, deadline 3 h) on spot that goes at 1000
  // and does not come back: at its last safe moment it moves to on-demand whole and meets it.
  it('moves a gang to on-demand whole at its last safe moment', () => {
    const spot = pool({ name: 's', pricing: 'spot', fixedNodes: 0, spotTrace: { name: 't', gapS: 1000, available: [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] } });
    const od = pool({ name: 'od', pricing: 'on-demand', pricePerNodeHour: dec(3), fixedNodes: 0, provisioningDelayS: 60 });
    const { report } = run(input([spot, od], [job('g', { gpus: 8, deadlineS: 10800, checkpointIntervalS: 300, restartOverheadS: 30 })]), 'greedy');
    expect(report.jobs.finished).toBe(1);
    expect(report.jobs.deadlineMisses).toBe(0);
    expect(report.jobs.preemptions).toBe(1);
  });
  // A gang moved back to spot whole. g (2 × 4 GPUs, 4 h, deadline 5 h, checkpoint 600 s, restart
  // 60 s, no provisioning) under slack-reserve (reserve 0.2 × work left + a changeover pair, back
  // with slack for the move, a pair and half a checkpoint interval). Spot is gone the first hour.
  // Last safe 18,000 − 60 − 14,400 = 3540; reserve 2880 + 120 = 3000 → waits to 540, then both
  // members on on-demand. 3600: spot back (2 nodes); done 3060, left 11,340; slack 18,000 − 60 −
  // 11,340 − 3600 = 3000 > 60 + 120 + 300, room for both members: the gang moves whole (state
  // saved), restarts on spot at 3600 (60 s) and ends at 3600 + 60 + 11,340 = 15,000.
  // Cost: on-demand 2 × 3060 s at 3/h = 5.1; spot 2 × 11,400 s at 1/h = 6.333…
  it('moves a gang back to spot whole when spot returns and the slack pays for it', () => {
    const spot = pool({ name: 's', pricing: 'spot', fixedNodes: 0, spotTrace: { name: 't', gapS: 3600, available: [0, 2, 2, 2, 2, 2, 2, 2] } });
    const od = pool({ name: 'od', pricing: 'on-demand', pricePerNodeHour: dec(3), fixedNodes: 0 });
    const inp = input([spot, od], [job('g', { gpus: 8, workS: 4 * 3600, deadlineS: 5 * 3600, checkpointIntervalS: 600, restartOverheadS: 60 })]);
    const policy = slackReserve({ reserveShare: 0.2, reserveChangeovers: 1, backChangeovers: 1, backCheckpoints: 0.5, minSpotRunChangeovers: 1 });
    const raw = runEngine(inp, policy, { checkCapacity: true });
    expect(Math.min(...raw.firstStartS)).toBeCloseTo(540, 2);
    expect(Math.max(...raw.finishS)).toBeCloseTo(15_000, 2);
    const report = buildReport(raw, inp);
    expect(raw.overCapacity).toBe(0);
    expect(report.jobs.migrationsToSpot).toBeGreaterThan(0);
    expect(report.jobs.deadlineMisses).toBe(0);
    expect(report.cost.byPricing['on-demand'].toNumber()).toBeCloseTo(5.1, 5);
    expect(report.cost.byPricing.spot.toNumber()).toBeCloseTo(22_800 / 3600, 5);
  });
});
