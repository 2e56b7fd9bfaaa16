/**
 * Invariants on random traces and clusters (seeded): no node over capacity at any instant, no job
 * started before it arrived, every job accounted for, GPU-seconds of jobs = GPU-seconds of nodes;
 * and determinism: the same inputs and seed give byte-identical JSON.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../money.js';
import { seededRng, type Rng } from '../rng.js';
import { runEngine } from './engine.js';
import { buildReport, simReportToJson } from './metrics.js';
import type { NodePool, SimInput, SimJob } from './model.js';
import { POLICY_NAMES, makePolicy } from './policies/index.js';
import { simulate } from './simulate.js';

function randomInput(rng: Rng, jobs = 300): SimInput {
  const types = ['A100', 'H100'];
  const pools: NodePool[] = [
    { name: 'onprem', gpuType: 'A100', gpusPerNode: 8, cpuMilliPerNode: 96000, memoryMibPerNode: 786432, pricing: 'on-prem', pricePerNodeHour: dec('8.5'), fixedNodes: 2, maxNodes: 2, provisioningDelayS: 0, idleTimeoutS: 0, idlePowerW: 800, busyPowerW: 4000, speed: 1 },
    { name: 'od', gpuType: 'H100', gpusPerNode: 4, cpuMilliPerNode: 64000, memoryMibPerNode: 524288, pricing: 'on-demand', pricePerNodeHour: dec('49.16'), fixedNodes: 0, maxNodes: 3, provisioningDelayS: 120, idleTimeoutS: 300, idlePowerW: 0, busyPowerW: 0, speed: 2 },
    { name: 'spot', gpuType: 'H100', gpusPerNode: 4, cpuMilliPerNode: 64000, memoryMibPerNode: 524288, pricing: 'spot', pricePerNodeHour: dec('15.2'), fixedNodes: 0, maxNodes: 3, provisioningDelayS: 60, idleTimeoutS: 300, idlePowerW: 0, busyPowerW: 0, speed: 2,
      spotTrace: { name: 'r', gapS: 600, available: Array.from({ length: 200 }, () => (rng.next() < 0.7 ? 1 : 0)) } },
  ];
  const list: SimJob[] = [];
  let t = 0;
  for (let i = 0; i < jobs; i++) {
    t += Math.floor(rng.next() * 400);
    const gpus = [0, 1, 1, 1, 2, 4, 8][rng.int(7)]!;
    const share = gpus === 1 && rng.next() < 0.4;
    const work = 60 + Math.floor(rng.next() * 4 * 3600);
    const j: SimJob = {
      id: `j${i}`, arrivalS: t, gpus, gpuMilli: share ? 100 * (1 + rng.int(9)) : 1000, cpuMilli: 1000 * (1 + rng.int(16)), memoryMib: 1024 * (1 + rng.int(64)),
      workS: rng.next() < 0.03 ? Infinity : work, priority: rng.int(3), checkpointIntervalS: rng.next() < 0.5 ? 600 : 0, restartOverheadS: rng.int(120),
    };
    if (gpus > 0 && rng.next() < 0.3) j.gpuTypes = [types[rng.int(2)]!];
    if (rng.next() < 0.4) j.deadlineS = t + work * (1.5 + rng.next() * 2);
    list.push(j);
  }
  return { pools, jobs: list, energy: { pricePerKwh: dec('0.13'), pue: 1.2 }, currency: 'EUR', seed: 17, horizonS: t + 12 * 3600 };
}

describe('invariants on random traces', () => {
  for (const seed of [1, 2, 3]) {
    for (const name of POLICY_NAMES) {
      it(`${name}, trace ${seed}`, () => {
        const inp = randomInput(seededRng(seed));
        const raw = runEngine(inp, makePolicy(name), { checkCapacity: true });
        const r = buildReport(raw, inp);
        expect(r.checks.overCapacity).toBe(0);
        expect(r.checks.noEarlyStart).toBe(true);
        expect(r.checks.jobsConserved).toBe(true);
        expect(r.checks.gpuSecondsBalance).toBe(true);
        expect(r.jobs.finished + r.jobs.unschedulable + r.jobs.runningAtEnd + r.jobs.waitingAtEnd).toBe(inp.jobs.length);
        expect(r.utilisation).toBeLessThanOrEqual(1 + 1e-12);
        // Costs add up: by pool = by pricing model = compute + energy.
        expect(r.cost.total.eq(r.cost.compute.plus(r.cost.energy))).toBe(true);
        expect(r.cost.total.eq(Object.values(r.cost.byPricing).reduce((a, b) => a.plus(b)))).toBe(true);
        expect(r.cost.idle.lte(r.cost.total)).toBe(true);
        // Only spot pools preempt.
        if (name === 'always-on-demand') expect(r.cost.byPricing.spot.isZero()).toBe(true);
        if (name === 'always-spot') expect(r.cost.byPricing['on-demand'].isZero()).toBe(true);
      });
    }
  }
});

describe('determinism', () => {
  it('the same inputs and seed give byte-identical JSON', () => {
    for (const name of ['fifo', 'backfill', 'random-fit', 'fgd', 'deadline-aware']) {
      const a = JSON.stringify(simReportToJson(simulate(randomInput(seededRng(4)), name)));
      const b = JSON.stringify(simReportToJson(simulate(randomInput(seededRng(4)), name)));
      expect(a).toBe(b);
    }
  });

  it('does not depend on the order jobs are listed in (distinct arrival times)', () => {
    const inp = randomInput(seededRng(5), 200);
    const distinct = { ...inp, jobs: inp.jobs.map((j, i) => ({ ...j, arrivalS: i * 97 })) };
    const shuffled = { ...distinct, jobs: distinct.jobs.slice().reverse() };
    for (const name of ['fifo', 'best-fit', 'least-loaded', 'deadline-aware']) {
      expect(JSON.stringify(simReportToJson(simulate(shuffled, name)))).toBe(JSON.stringify(simReportToJson(simulate(distinct, name))));
    }
  });

  it('does not mutate its input', () => {
    const inp = randomInput(seededRng(6), 50);
    const before = JSON.stringify(inp, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
    simulate(inp, 'backfill');
    expect(JSON.stringify(inp, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))).toBe(before);
  });
});
