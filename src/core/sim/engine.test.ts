/**
 * Hand-computed cases for the engine and every policy. Each cluster is small enough to schedule
 * on paper; the expected start and finish times are worked out in the comments.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../money.js';
import { runEngine } from './engine.js';
import { buildReport } from './metrics.js';
import type { NodePool, SimInput, SimJob } from './model.js';
import { makePolicy } from './policies/index.js';
import { fnv1a } from './policies/hash.js';
import { simulate } from './simulate.js';
import type { Policy } from './policies/policy.js';
import { deadlineAware, slackReserve, spotHazard } from './policies/spot.js';
import { FIRST_TUNING, HAZARD_TUNING } from './spot.js';

/** deadline-aware with the first margins, which the hand-computed cases below follow. */
const firstAware = () => deadlineAware(FIRST_TUNING);

export const pool = (o: Partial<NodePool> = {}): NodePool => ({
  name: 'p', gpuType: 'A100', gpusPerNode: 2, cpuMilliPerNode: 64000, memoryMibPerNode: 262144, pricing: 'on-prem', pricePerNodeHour: dec(2),
  fixedNodes: 1, maxNodes: 1, provisioningDelayS: 0, idleTimeoutS: 0, idlePowerW: 100, busyPowerW: 500, speed: 1, ...o,
});
export const job = (id: string, o: Partial<SimJob> = {}): SimJob => ({
  id, arrivalS: 0, gpus: 1, gpuMilli: 1000, cpuMilli: 1000, memoryMib: 1024, workS: 3600, priority: 0, checkpointIntervalS: 0, restartOverheadS: 0, ...o,
});
export const input = (pools: NodePool[], jobs: SimJob[], o: Partial<SimInput> = {}): SimInput => ({ pools, jobs, energy: { pricePerKwh: dec('0.1'), pue: 1 }, currency: 'USD', seed: 1, ...o });

/** Start and finish time of each job by id. */
function times(inp: SimInput, policy: string | Policy): Record<string, [number, number]> {
  const raw = runEngine(inp, typeof policy === 'string' ? makePolicy(policy) : policy, { checkCapacity: true });
  raw.close();
  expect(raw.overCapacity).toBe(0);
  return Object.fromEntries(raw.jobs.map((j, i) => [j.id, [raw.firstStartS[i]!, raw.finishS[i]!]]));
}

describe('queue policies on one node with 2 GPUs', () => {
  // a holds both GPUs 0–3600; b (2 GPUs, 1800 s) arrives at 10; c (1 GPU, 600 s, priority 5) at 20.
  const jobs = [job('a', { gpus: 2 }), job('b', { arrivalS: 10, gpus: 2, workS: 1800 }), job('c', { arrivalS: 20, workS: 600, priority: 5 })];
  const inp = input([pool()], jobs);

  it('fifo: b at 3600–5400 blocks c, which runs 5400–6000', () => {
    expect(times(inp, 'fifo')).toEqual({ a: [0, 3600], b: [3600, 5400], c: [5400, 6000] });
  });
  it('priority: c (priority 5) first at 3600–4200, then b 4200–6000', () => {
    expect(times(inp, 'priority')).toEqual({ a: [0, 3600], c: [3600, 4200], b: [4200, 6000] });
  });
  it('sjf: c (600 s) before b (1800 s)', () => {
    expect(times(inp, 'sjf')).toEqual({ a: [0, 3600], c: [3600, 4200], b: [4200, 6000] });
  });
});

describe('backfill', () => {
  // a holds 1 of 2 GPUs 0–3600; b needs both (reservation at 3600); c (1 GPU, 600 s) fits the
  // hole and ends at 620 < 3600, so it is backfilled; d (1 GPU, 7200 s) would delay b, so it waits.
  const jobs = [job('a'), job('b', { arrivalS: 10, gpus: 2, workS: 1800 }), job('c', { arrivalS: 20, workS: 600 }), job('d', { arrivalS: 30, workS: 7200 })];
  const inp = input([pool()], jobs);
  it('starts a short job in the hole without delaying the head', () => {
    expect(times(inp, 'backfill')).toEqual({ a: [0, 3600], c: [20, 620], b: [3600, 5400], d: [5400, 12600] });
  });
  it('fifo leaves the hole empty', () => {
    expect(times(inp, 'fifo')).toEqual({ a: [0, 3600], b: [3600, 5400], c: [5400, 6000], d: [5400, 12600] });
  });
});

describe('placement policies on two nodes with 4 GPUs each', () => {
  const p = pool({ gpusPerNode: 4, fixedNodes: 2, maxNodes: 2 });
  const nodeOf = (inp: SimInput, policy: string, id: string) => {
    const raw = runEngine(inp, makePolicy(policy));
    // The engine keeps the node only while running: find it from the busy integrals instead.
    const i = raw.jobs.findIndex((j) => j.id === id);
    expect(i).toBeGreaterThanOrEqual(0);
    raw.close();
    return raw;
  };
  // long (1 GPU) sits on node 0; x (1 GPU) arrives later.
  const jobs = [job('long', { workS: 100000 }), job('x', { arrivalS: 10, workS: 100 })];
  const busyByNode = (policy: string) => {
    const raw = nodeOf(input([p], jobs), policy, 'x');
    return Array.from(raw.cluster.busyMilliS).map((b) => b / 1000);
  };
  it('best-fit and gpu-packing put x beside long on node 0', () => {
    expect(busyByNode('best-fit')).toEqual([100000 + 100, 0]);
    expect(busyByNode('gpu-packing')).toEqual([100000 + 100, 0]);
  });
  it('least-loaded, round-robin and dot-product spread x to the empty node 1', () => {
    expect(busyByNode('least-loaded')).toEqual([100000, 100]);
    expect(busyByNode('round-robin')).toEqual([100000, 100]);
    expect(busyByNode('dot-product')).toEqual([100000, 100]);
  });
  it('hash puts a job on the node its name hashes to', () => {
    const only = [job('solo', { workS: 50 })];
    const raw = runEngine(input([p], only), makePolicy('hash'));
    raw.close();
    const expected = fnv1a('solo') % 2;
    expect(raw.cluster.busyMilliS[expected]).toBe(50 * 1000);
  });
  it('random-fit is reproducible from the seed', () => {
    const many = Array.from({ length: 20 }, (_, i) => job(`r${i}`, { arrivalS: i, workS: 5 }));
    const a = simulate(input([p], many, { seed: 3 }), 'random-fit');
    const b = simulate(input([p], many, { seed: 3 }), 'random-fit');
    expect(a.pools).toEqual(b.pools);
  });
});

describe('perf-cost greedy', () => {
  // cheap: 1 GPU/node at 2/h, speed 1 → 0.5 work/$; fast: at 3/h, speed 2 → 0.67 work/$: fast first.
  const cheap = pool({ name: 'cheap', gpusPerNode: 1, pricePerNodeHour: dec(2) });
  const fast = pool({ name: 'fast', gpusPerNode: 1, pricePerNodeHour: dec(3), speed: 2 });
  it('runs on the pool with the most throughput per dollar, at its speed', () => {
    const r = simulate(input([cheap, fast], [job('x', { workS: 3600 })]), 'perf-cost');
    expect(r.pools.map((p) => p.gpuHoursBusy)).toEqual([0, 0.5]);
    expect(r.completionTimeS.p50).toBe(1800);
    // first fit (fifo) takes the first pool instead.
    expect(simulate(input([cheap, fast], [job('x', { workS: 3600 })]), 'fifo').pools.map((p) => p.gpuHoursBusy)).toEqual([1, 0]);
  });
});

describe('FGD', () => {
  it('puts a sharing job on the partly used GPU, where it removes fragmentation', () => {
    // Two 1-GPU nodes; node 0 has 400 thousandths in use, so 600 free is a fragment for the
    // whole-GPU jobs that dominate the workload. A 500 job there leaves 100 (fragment shrinks);
    // on the empty node it would leave 500 (a new fragment).
    const p = pool({ gpusPerNode: 1, fixedNodes: 2, maxNodes: 2 });
    const jobs = [
      job('used', { gpuMilli: 400, workS: 10000 }),
      job('share', { arrivalS: 5, gpuMilli: 500, workS: 100 }),
      // The workload mix: mostly whole-GPU jobs, arriving later.
      ...Array.from({ length: 8 }, (_, i) => job(`w${i}`, { arrivalS: 20000 + i, workS: 10 })),
    ];
    const raw = runEngine(input([p], jobs), makePolicy('fgd'));
    raw.close();
    // used 400×10000 + share 500×100 on node 0; the whole-GPU jobs later spread over both.
    expect(raw.cluster.busyMilliS[0]! - 400 * 10000 - 500 * 100).toBeGreaterThanOrEqual(0);
    const bf = runEngine(input([p], jobs), makePolicy('least-loaded'));
    bf.close();
    expect(bf.cluster.busyMilliS[1]!).toBeGreaterThanOrEqual(500 * 100);
    // Under FGD the share job's GPU-seconds are on node 0: node 1 has only whole-GPU work (10 s each).
    expect(raw.cluster.busyMilliS[1]! % (1000 * 10)).toBe(0);
  });
});

describe('spot, preemption and checkpoints', () => {
  it('loses the work since the last checkpoint and pays the restart overhead (worked example)', () => {
    // Spot available [0,1000), gone [1000,2000), back from 2000. Job: 1500 s of work, checkpoint
    // every 600 s, restart overhead 100 s. Runs 0–1000: 1000 s done, 600 saved, 400 lost.
    // Waits (always-spot) until 2000, restarts: 100 s overhead + 900 s → finishes at 3000.
    const spot = pool({ name: 's', gpusPerNode: 1, pricing: 'spot', pricePerNodeHour: dec(1), fixedNodes: 0, maxNodes: 1, spotTrace: { name: 't', gapS: 1000, available: [1, 0, 1, 1] } });
    const r = simulate(input([spot], [job('x', { workS: 1500, checkpointIntervalS: 600, restartOverheadS: 100 })]), 'always-spot');
    expect(r.jobs.preemptions).toBe(1);
    expect(r.jobs.lostGpuHours * 3600).toBeCloseTo(400, 9);
    expect(r.completionTimeS.p50).toBe(3000);
    // Billed for 0–1000 and 2000–3000: 2000 s at 1/h, exactly.
    expect(r.cost.total.toFixed()).toBe(dec(2000).div(3600).toFixed());
    expect(r.cost.byPricing.spot.eq(r.cost.total)).toBe(true);
  });

  it('the deadline-aware rule moves to on-demand in time; always-spot misses', () => {
    // Spot only in the first hour, then never again (one cycle of a long trace).
    const trace = { name: 't', gapS: 3600, available: [1, ...Array(200).fill(0)] as number[] };
    const spot = pool({ name: 's', gpusPerNode: 1, pricing: 'spot', pricePerNodeHour: dec(1), fixedNodes: 0, maxNodes: 1, spotTrace: trace });
    const od = pool({ name: 'od', gpusPerNode: 1, pricing: 'on-demand', pricePerNodeHour: dec(3), fixedNodes: 0, maxNodes: 1 });
    const jobs = [job('x', { workS: 4 * 3600, deadlineS: 8 * 3600, checkpointIntervalS: 600, restartOverheadS: 60 })];
    const inp = input([spot, od], jobs, { horizonS: 24 * 3600 });
    const aware = simulate(inp, 'deadline-aware');
    expect(aware.jobs.deadlineMisses).toBe(0);
    expect(aware.jobs.finished).toBe(1);
    const always = simulate(inp, 'always-spot');
    expect(always.jobs.deadlineMisses).toBe(1);
    expect(always.jobs.waitingAtEnd).toBe(1);
    const onDemand = simulate(inp, 'always-on-demand');
    expect(onDemand.jobs.deadlineMisses).toBe(0);
    // 4 h on-demand at 3/h = 12; the aware rule used an hour of spot first, so it pays less.
    expect(onDemand.cost.total.toFixed()).toBe('12');
    expect(aware.cost.total.lt(onDemand.cost.total)).toBe(true);
  });

  it('the deadline-aware rule moves a job back to spot when spot returns and the job is ahead', () => {
    // Spot away for the first two hours, then back. Work 4 h, deadline 8 h, restart 60 s.
    // 0: spot away, on the line (done 0) → wait one changeover (60 s). 60: behind → on-demand,
    // starts at 60. 7200: spot back; done 7140 s, left 7260 s; the line reaches 7140 at 14,280 >
    // 7200 + 2 × 60, the safety net (28,800 − 7260 − 120 = 21,420) is far, 7260 > 4 × 60: move.
    // Spot from 7200 with the restart overhead: ends 7200 + 60 + 7260 = 14,520.
    // Cost: on-demand 60–7200 at 3/h = 5.95; spot 7200–14,520 at 1/h = 2.0333…
    const trace = { name: 't', gapS: 3600, available: [0, 0, ...Array(200).fill(1)] as number[] };
    const spot = pool({ name: 's', gpusPerNode: 1, pricing: 'spot', pricePerNodeHour: dec(1), fixedNodes: 0, maxNodes: 1, spotTrace: trace });
    const od = pool({ name: 'od', gpusPerNode: 1, pricing: 'on-demand', pricePerNodeHour: dec(3), fixedNodes: 0, maxNodes: 1 });
    const jobs = [job('x', { workS: 4 * 3600, deadlineS: 8 * 3600, checkpointIntervalS: 600, restartOverheadS: 60 })];
    const inp = input([spot, od], jobs, { horizonS: 24 * 3600 });
    expect(times(inp, firstAware())).toEqual({ x: [60, 14_520] });
    const r = simulate(inp, firstAware());
    expect(r.jobs.migrationsToSpot).toBe(1);
    expect(r.jobs.preemptions).toBe(0);
    expect(r.jobs.lostGpuHours).toBe(0);
    expect(r.cost.total.toNumber()).toBeCloseTo(5.95 + 7320 / 3600, 9);
    expect(r.jobs.deadlineMisses).toBe(0);
  });

  it('…but not when the work left is less than four changeovers', () => {
    // Restart 600 s. Waits to 600, on-demand 600 onwards; spot back at 4 h with 600 s of work
    // left (< 4 × 600): it stays, and ends at 600 + 14,400 = 15,000.
    const trace = { name: 't', gapS: 3600, available: [0, 0, 0, 0, ...Array(200).fill(1)] as number[] };
    const spot = pool({ name: 's', gpusPerNode: 1, pricing: 'spot', pricePerNodeHour: dec(1), fixedNodes: 0, maxNodes: 1, spotTrace: trace });
    const od = pool({ name: 'od', gpusPerNode: 1, pricing: 'on-demand', pricePerNodeHour: dec(3), fixedNodes: 0, maxNodes: 1 });
    const jobs = [job('x', { workS: 4 * 3600, deadlineS: 8 * 3600, checkpointIntervalS: 600, restartOverheadS: 600 })];
    const inp = input([spot, od], jobs, { horizonS: 24 * 3600 });
    expect(times(inp, firstAware())).toEqual({ x: [600, 15_000] });
    expect(simulate(inp, firstAware()).jobs.migrationsToSpot).toBe(0);
  });

  it('slack-reserve buys on-demand while it still has slack and goes back to spot when spot returns; greedy waits it out and stays on on-demand', () => {
    // Spot gone for 3 h, then back for good. Work 4 h, deadline 6 h, restart 60 s, checkpoint every
    // 600 s, no provisioning; margins: reserve 0.2 of the work left + one changeover pair, back with
    // slack for the move, a pair and half a checkpoint interval.
    // Last safe at 0: 21,600 − 60 − 14,400 = 7140 (less the 1 ms guard).
    // greedy: waits to 7140, on-demand for good, ends 7140 + 14,400 = 21,540: 4 h at 3/h = 12.
    // slack-reserve: reserve 0.2 × 14,400 + 120 = 3000 → waits to 4140, then on-demand (not for good).
    // 10,800: spot back; done 6660, left 7740; slack 21,600 − 60 − 7740 − 10,800 = 3000 > 60 + 120 +
    // 300: moves (state saved), spot from 10,800 with the restart: ends 10,800 + 60 + 7740 = 18,600.
    // Cost: on-demand 4140–10,800 = 6660 s at 3/h (5.55) + spot 7800 s at 1/h (2.1666…).
    const trace = { name: 't', gapS: 3600, available: [0, 0, 0, ...Array(200).fill(1)] as number[] };
    const spot = pool({ name: 's', gpusPerNode: 1, pricing: 'spot', pricePerNodeHour: dec(1), fixedNodes: 0, maxNodes: 1, spotTrace: trace, idlePowerW: 0, busyPowerW: 0 });
    const od = pool({ name: 'od', gpusPerNode: 1, pricing: 'on-demand', pricePerNodeHour: dec(3), fixedNodes: 0, maxNodes: 1, idlePowerW: 0, busyPowerW: 0 });
    const jobs = [job('x', { workS: 4 * 3600, deadlineS: 6 * 3600, checkpointIntervalS: 600, restartOverheadS: 60 })];
    const inp = input([spot, od], jobs, { horizonS: 24 * 3600 });
    const reserve = slackReserve({ reserveShare: 0.2, reserveChangeovers: 1, backChangeovers: 1, backCheckpoints: 0.5, minSpotRunChangeovers: 1 });
    const g = runEngine(inp, makePolicy('greedy'));
    expect(g.finishS[0]).toBeCloseTo(21_540, 2);
    expect(simulate(inp, 'greedy').cost.total.toNumber()).toBeCloseTo(12, 6);
    const raw = runEngine(inp, reserve);
    expect(raw.firstStartS[0]).toBeCloseTo(4140, 2);
    expect(raw.finishS[0]).toBeCloseTo(18_600, 2);
    const r = simulate(inp, reserve);
    expect(r.jobs.migrationsToSpot).toBe(1);
    expect(r.jobs.deadlineMisses).toBe(0);
    // (The 1 ms guard before the last safe moment moves the switch a millisecond earlier.)
    expect(r.cost.total.toNumber()).toBeCloseTo(5.55 + 7800 / 3600, 5);
  });

  it('spot-hazard waits out a young spot run when the pool\'s past runs were all short, reading only the trace before now', () => {
    // Ticks of 600 s: spot up one tick in two for the first 12 ticks (six runs of 600 s that ended by
    // 7200), then up for good. The job (4 h of work, checkpoint every 1800 s, restart 60 s, no
    // provisioning; spot 1/h, on-demand 3/h) arrives at 7500: spot up for 300 s. The six past runs
    // all outlast that age; each, as this run, would have 300 s left: 240 s of work after the restart,
    // no checkpoint, nothing kept, billed 300 s at 1/3 of on-demand's price, and slack spent: value
    // below 0 → wait (slack 21,840 − 7500 far above the reserve 0.2 × 14,400 + 120 = 3000), and look
    // again a tick later, at 8100. Spot has then been up 900 s, longer than any past run: no past to
    // go by (fewer than 5 runs) → spot, ending at 8100 + 14,400 = 22,500. Slack-reserve goes at once
    // and ends at 7500 + 14,400 = 21,900. Had the engine shown the rule the current run (up to the
    // trace's end), the past would have held a 33 h run and the rule would have gone at 7500 too.
    const trace = { name: 't', gapS: 600, available: [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, ...Array(200).fill(1)] as number[] };
    const spot = pool({ name: 's', gpusPerNode: 1, pricing: 'spot', pricePerNodeHour: dec(1), fixedNodes: 0, maxNodes: 1, spotTrace: trace, idlePowerW: 0, busyPowerW: 0 });
    const od = pool({ name: 'od', gpusPerNode: 1, pricing: 'on-demand', pricePerNodeHour: dec(3), fixedNodes: 0, maxNodes: 1, idlePowerW: 0, busyPowerW: 0 });
    const jobs = [job('x', { arrivalS: 7500, workS: 4 * 3600, deadlineS: 7500 + 8 * 3600, checkpointIntervalS: 1800, restartOverheadS: 60 })];
    const inp = input([spot, od], jobs, { horizonS: 48 * 3600 });
    expect(times(inp, 'slack-reserve')).toEqual({ x: [7500, 21_900] });
    expect(times(inp, 'spot-hazard')).toEqual({ x: [8100, 22_500] });
    // Believing the past only from 7 runs on: six is too few, so it tries spot at once.
    expect(times(inp, spotHazard({ ...HAZARD_TUNING, minRuns: 7 }))).toEqual({ x: [7500, 21_900] });
    const r = simulate(inp, 'spot-hazard');
    expect(r.jobs.deadlineMisses).toBe(0);
    expect(r.cost.total.toNumber()).toBeCloseTo(4, 6);
  });

  it('leaves spot at the last safe moment while spot is still there (the decision is an event, not a trace change)', () => {
    // Spot for 2 h, then gone. Work 3 h, deadline 4 h, no checkpoints, restart 60 s, no provisioning.
    // Last safe moment: 4 h − 60 s − 3 h = 3540 s (everything done on spot would be lost on a
    // preemption). At 3540 the job saves its state and moves to on-demand: 10,800 − 3540 = 7260 s
    // left, + 60 s restart → ends at 10,860. Staying on spot to 7200 would lose all and end at 18,060.
    const trace = { name: 't', gapS: 3600, available: [1, 1, ...Array(200).fill(0)] as number[] };
    const spot = pool({ name: 's', gpusPerNode: 1, pricing: 'spot', pricePerNodeHour: dec(1), fixedNodes: 0, maxNodes: 1, spotTrace: trace });
    const od = pool({ name: 'od', gpusPerNode: 1, pricing: 'on-demand', pricePerNodeHour: dec(3), fixedNodes: 0, maxNodes: 1 });
    const inp = input([spot, od], [job('x', { workS: 3 * 3600, deadlineS: 4 * 3600, restartOverheadS: 60 })], { horizonS: 24 * 3600 });
    for (const policy of ['deadline-aware', 'greedy']) {
      const raw = runEngine(inp, makePolicy(policy));
      expect(raw.finishS[0]).toBeCloseTo(10_860, 6);
      expect(raw.safetySwitches[0]).toBe(1);
      expect(raw.preemptions[0]).toBe(0);
    }
    const always = simulate(inp, 'always-spot');
    expect(always.jobs.deadlineMisses).toBe(1);
  });

  it('a trace of counts allows that many spot nodes, and takes back the excess when it falls', () => {
    // Counts 2, then 1 from 1000 s (a multi-instance probe): three 1-GPU jobs of 1500 s on spot.
    // a and b start at 0 on two nodes; c waits (2 allowed). At 1000 the count falls to 1: the last
    // node (b's) goes; b keeps nothing (no checkpoint) and waits with c. a ends at 1500; b then c.
    const trace = { name: 't', gapS: 1000, available: [2, ...Array(50).fill(1)] as number[] };
    const spot = pool({ name: 's', gpusPerNode: 1, pricing: 'spot', pricePerNodeHour: dec(1), fixedNodes: 0, maxNodes: 3, spotTrace: trace });
    const jobs = [job('a', { workS: 1500 }), job('b', { workS: 1500 }), job('c', { workS: 1500 })];
    const raw = runEngine(input([spot], jobs), makePolicy('always-spot'));
    raw.close();
    expect(Array.from(raw.finishS)).toEqual([1500, 3000, 4500]);
    expect(Array.from(raw.preemptions)).toEqual([0, 1, 0]);
    expect(raw.peakNodes[0]).toBe(2);
  });

  it('a preemption rate preempts spot nodes (seeded, reproducible)', () => {
    const spot = pool({ name: 's', gpusPerNode: 1, pricing: 'spot', pricePerNodeHour: dec(1), fixedNodes: 0, maxNodes: 2, preemptionRatePerHour: 2 });
    const jobs = Array.from({ length: 10 }, (_, i) => job(`j${i}`, { arrivalS: i * 100, workS: 3600, checkpointIntervalS: 300, restartOverheadS: 30 }));
    const a = simulate(input([spot], jobs, { seed: 9 }), 'always-spot');
    expect(a.jobs.preemptions).toBeGreaterThan(0);
    expect(a.jobs.finished).toBe(10);
    expect(simulate(input([spot], jobs, { seed: 9 }), 'always-spot').jobs.preemptions).toBe(a.jobs.preemptions);
  });
});

describe('autoscaling and costs', () => {
  it('provisions a node with delay, releases it after the idle timeout, bills the time it existed', () => {
    // Job at 0 (1 h): node ordered at 0, up at 60, job 60–3660, released at 3660 + 120 = 3780.
    const od = pool({ name: 'od', pricing: 'on-demand', pricePerNodeHour: dec(36), fixedNodes: 0, maxNodes: 2, provisioningDelayS: 60, idleTimeoutS: 120 });
    const r = simulate(input([od], [job('x')]), 'fifo');
    expect(r.queueingDelayS.p50).toBe(60);
    expect(r.pools[0]!.nodeHours * 3600).toBeCloseTo(3780, 9);
    expect(r.cost.total.toFixed()).toBe('37.8');
    expect(r.pools[0]!.peakNodes).toBe(1);
  });

  it('energy: idle power all the time plus the busy increment for allocated GPUs, times PUE', () => {
    // One on-prem node (2 GPUs, 100 W idle, 500 W busy) for 5400 s, GPUs busy 2.6667 GPU-h:
    // 100 × 5400 + 200 W/GPU × 9600 GPU-s = 2.46 MJ = 0.68333 kWh; × PUE 1.5.
    const jobs = [job('a', { gpus: 2 }), job('b', { arrivalS: 3600, workS: 1800 }), job('c', { arrivalS: 3600, workS: 600 })];
    const r = simulate(input([pool()], jobs, { energy: { pricePerKwh: dec('0.2'), pue: 1.5 } }), 'fifo');
    expect(r.endS).toBe(5400);
    expect(r.energyKwh).toBeCloseTo((2.46e6 / 3.6e6) * 1.5, 9);
    expect(r.cost.compute.toFixed()).toBe('3');
  });

  it('reports unschedulable jobs with the reason', () => {
    const r = simulate(input([pool()], [job('big', { gpus: 4, nodes: 1 }), job('h100', { gpuTypes: ['H100'] }), job('ok')]), 'fifo');
    expect(r.jobs.unschedulable).toBe(2);
    expect(r.unschedulable.map((u) => u.reason).sort()).toEqual(['needs 4 GPUs on one node; the largest allowed node has 2', 'no pool has GPU type H100']);
    expect(r.jobs.finished).toBe(1);
  });

  it('a job whose only pools have no nodes at all is unschedulable, not waiting to the end', () => {
    // A cluster of zero capacity ran nothing, yet said 0 unschedulable (300 "waiting at the end").
    const r = simulate(input([pool({ fixedNodes: 0, maxNodes: 0 }), pool({ name: 'h', gpuType: 'H100' })], [job('a', { gpuTypes: ['A100'] }), job('b', { gpuTypes: ['H100'] })]), 'fifo');
    expect([r.jobs.unschedulable, r.jobs.waitingAtEnd, r.jobs.finished]).toEqual([1, 0, 1]);
    expect(r.unschedulable).toEqual([{ reason: 'every pool it may use has no nodes (maxNodes 0)', jobs: 1 }]);
  });

  it('jobs that never end are still running at the horizon', () => {
    const r = simulate(input([pool()], [job('svc', { workS: Infinity }), job('x', { workS: 100 })], { horizonS: 1000 }), 'fifo');
    expect(r.jobs.runningAtEnd).toBe(1);
    expect(r.jobs.finished).toBe(1);
    expect(r.endS).toBe(1000);
    expect(r.checks.jobsConserved && r.checks.gpuSecondsBalance).toBe(true);
    expect(r.checks.jobGpuHours * 3600).toBeCloseTo(1100, 9);
  });
});

describe('buildReport', () => {
  it('closes a run only once', () => {
    const raw = runEngine(input([pool()], [job('x')]), makePolicy('fifo'));
    buildReport(raw, input([pool()], [job('x')]));
    expect(() => raw.close()).toThrow();
  });
});
