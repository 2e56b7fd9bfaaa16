/**
 * Checkpoints written on a preemption notice: warned `spotNoticeS` ahead, a job that can write a
 * checkpoint in that time keeps its work as it stood at the warning. Hand-computed.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../money.js';
import { withDefaults } from '../../app/simulate.js';
import { runEngine } from './engine.js';
import type { NodePool, SimInput, SimJob } from './model.js';
import { makePolicy } from './policies/index.js';
import { simScenarioSchema, toSimScenario } from './scenario.js';
import { compare, simulate } from './simulate.js';
import { spotReference } from './reference.js';
import { randomCase } from '../../../test/random-spot-case.js';
import { seededRng } from '../rng.js';

const spot = (noticeS?: number): NodePool => ({
  name: 'spot', gpuType: 'V100', gpusPerNode: 1, cpuMilliPerNode: 8000, memoryMibPerNode: 65536, pricing: 'spot', pricePerNodeHour: dec('1'),
  fixedNodes: 0, maxNodes: 1, provisioningDelayS: 0, idleTimeoutS: 0, idlePowerW: 0, busyPowerW: 0, speed: 1,
  spotTrace: { name: 'a', gapS: 1000, available: [1, 1, 1, ...Array(100).fill(0)] }, ...(noticeS !== undefined && { spotNoticeS: noticeS }),
});
// A second zone, always up, $1.2/h, 300 s to provision: where the preempted job goes.
const zoneB: NodePool = { ...spot(), name: 'spot-b', pricePerNodeHour: dec('1.2'), provisioningDelayS: 300, spotTrace: { name: 'b', gapS: 1000, available: [1] } };
const od: NodePool = { ...spot(), name: 'od', pricing: 'on-demand', pricePerNodeHour: dec('3'), spotTrace: undefined };
const job = (write?: number): SimJob => ({
  id: 'x', arrivalS: 0, gpus: 1, gpuMilli: 1000, cpuMilli: 1000, memoryMib: 1024, workS: 7200, priority: 0, deadlineS: 21_600,
  checkpointIntervalS: 1200, restartOverheadS: 60, ...(write !== undefined && { checkpointOnNoticeWriteS: write }),
});
const input = (noticeS: number | undefined, write: number | undefined): SimInput => ({
  pools: [spot(noticeS), zoneB, od], jobs: [job(write)], energy: { pricePerKwh: dec(0), pue: 1 }, currency: 'USD', seed: 1, horizonS: 86_400,
});

describe('checkpoint on a preemption notice', () => {
  // 2 h of work, periodic checkpoints every 1200 s, restart 60 s. Zone a runs the job 0–3000 and
  // takes it back at 3000; greedy sends it to zone b: ordered at 3000, up at 3300, restart 60 s.
  // Periodic only: saved 2400 s, lost 600 s; finish 3360 + 4800 = 8160.
  // Notice 120 s, write 60 s: the state at 2880 is saved, 120 s lost; finish 3360 + 4320 = 7680.
  const cases: [string, number | undefined, number | undefined, number, number][] = [
    ['no notice', undefined, 60, 600, 8160],
    ['a notice, but the job does not checkpoint on it', 120, undefined, 600, 8160],
    ['a notice shorter than the write', 120, 200, 600, 8160],
    ['a 120 s notice and a 60 s write', 120, 60, 120, 7680],
    ['a write as long as the notice', 120, 120, 120, 7680],
  ];
  for (const [label, notice, write, lostS, finishS] of cases) {
    it(`${label}: ${lostS} s of work lost, finished at ${finishS}`, () => {
      const inp = input(notice, write);
      const raw = runEngine(inp, makePolicy('greedy'));
      expect(raw.finishS[0]).toBeCloseTo(finishS, 6);
      const r = simulate(inp, 'greedy');
      expect(r.jobs.preemptions).toBe(1);
      expect(r.jobs.lostGpuHours * 3600).toBeCloseTo(lostS, 6);
      expect(r.jobs.deadlineMisses).toBe(0);
      // Zone a 0–3000 at $1/h; zone b from its order at 3000 to the finish at $1.2/h.
      expect(r.cost.total.toNumber()).toBeCloseTo(3000 / 3600 + ((finishS - 3000) * 1.2) / 3600, 6);
    });
  }

  it('a notice earlier than the last periodic checkpoint saves nothing more', () => {
    // Notice 1000 s: the state at 2000 is older than the periodic checkpoint at 2400.
    const r = simulate(input(1000, 60), 'greedy');
    expect(r.jobs.lostGpuHours * 3600).toBeCloseTo(600, 6);
  });

  it('reads spot.noticeS and checkpoint.onNotice from a scenario; jobs take the scenario default', () => {
    const doc = simScenarioSchema.parse({
      name: 's', currency: 'USD', checkpoint: { intervalS: 1800, restartOverheadS: 300, onNotice: { writeS: 60 } },
      pools: [{ name: 'spot', gpusPerNode: 1, cpuMilli: 8000, memoryMib: 1024, pricing: 'spot', pricePerNodeHour: '1', maxNodes: 2, spot: { preemptionRatePerHour: 0.1, noticeS: 120 } }],
    });
    const s = toSimScenario(doc);
    expect(s.pools[0]!.spotNoticeS).toBe(120);
    expect(s.checkpointOnNoticeWriteS).toBe(60);
    const [a, b] = withDefaults([{ ...job(), checkpointIntervalS: -1, restartOverheadS: -1 }, job(10)], s);
    expect(a!.checkpointOnNoticeWriteS).toBe(60);
    expect(a!.checkpointIntervalS).toBe(1800);
    expect(b!.checkpointOnNoticeWriteS).toBe(10);
    expect(simScenarioSchema.safeParse({ ...doc, checkpoint: { onNotice: { writeS: -1 } } }).success).toBe(false);
    expect(simScenarioSchema.safeParse({ ...doc, checkpoint: { onNotice: { seconds: 1 } } }).success).toBe(false);
  });

  it('keeps the deadline guarantee and stays above the perfect-foresight bound (property, 150 random cases)', () => {
    let lessLost = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const base = randomCase(seed);
      const rng = seededRng(2_000_000 + seed);
      const noticeS = Math.round(rng.next() * 300);
      const inp = {
        ...base,
        pools: base.pools.map((p) => (p.pricing === 'spot' ? { ...p, spotNoticeS: noticeS } : p)),
        jobs: base.jobs.map((j) => (rng.next() < 0.7 ? { ...j, checkpointOnNoticeWriteS: Math.round(rng.next() * 200) } : j)),
      };
      const ref = seed <= 20 ? spotReference(inp) : undefined;
      const plain = compare(base, ['greedy', 'slack-reserve']);
      const warned = compare(inp, ['deadline-aware', 'greedy', 'slack-reserve', 'spot-hazard']);
      for (const r of warned) {
        if (r.jobs.deadlineMisses !== 0 || r.jobs.finished !== inp.jobs.length) throw new Error(`seed ${seed}, ${r.policy}: ${r.jobs.deadlineMisses} of ${r.jobs.withDeadline} deadlines missed, ${r.jobs.finished} finished`);
        if (ref && r.cost.total.lt(ref.cost)) throw new Error(`seed ${seed}, ${r.policy}: ${r.cost.total.toFixed()} below the bound ${ref.cost.toFixed()}`);
      }
      if (warned[1]!.jobs.lostGpuHours < plain[0]!.jobs.lostGpuHours - 1e-9) lessLost++;
    }
    // Not trivial: the notice saved work in many cases.
    expect(lessLost).toBeGreaterThan(30);
  });
});
