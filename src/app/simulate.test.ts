import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../core/errors.js';
import { dec } from '../core/money.js';
import type { SimJob } from '../core/sim/model.js';
import type { SimScenario } from '../core/sim/scenario.js';
import type { Progress } from './ports.js';
import { runSimulation, withDefaults } from './simulate.js';

const scenario = (o: Partial<SimScenario> = {}): SimScenario => ({
  name: 's', currency: 'EUR', seed: 1, horizonS: undefined, energy: { pricePerKwh: dec(0), pue: 1 }, checkpointIntervalS: 900, restartOverheadS: 60,
  pools: [{ name: 'p', gpuType: 'A100', gpusPerNode: 4, cpuMilliPerNode: 64000, memoryMibPerNode: 262144, pricing: 'on-prem', pricePerNodeHour: dec(4), fixedNodes: 1, maxNodes: 1, provisioningDelayS: 0, idleTimeoutS: 0, idlePowerW: 0, busyPowerW: 0, speed: 1 }],
  nodeModels: {}, fill: { targetShare: 1, stepShare: 0.25, order: 'list' }, ...o,
});
const job = (id: string, o: Partial<SimJob> = {}): SimJob => ({ id, arrivalS: 0, gpus: 1, gpuMilli: 1000, cpuMilli: 0, memoryMib: 0, workS: 3600, priority: 0, checkpointIntervalS: -1, restartOverheadS: -1, ...o });

function counting(): Progress & { calls: string[] } {
  const calls: string[] = [];
  return { calls, start: (t, l) => calls.push(`start ${t} ${l}`), tick: (d) => calls.push(`tick ${d}`), finish: () => calls.push('finish') };
}

describe('runSimulation', () => {
  it('replays a trace under several policies over the same period, reporting progress', () => {
    const p = counting();
    const r = runSimulation({ scenario: scenario(), jobs: [job('a'), job('b', { arrivalS: 100, workS: 7200 })], hasTimes: true, policies: ['fifo', 'sjf'] }, p);
    expect(r.mode).toBe('replay');
    if (r.mode !== 'replay') return;
    expect(r.reports.map((x) => x.policy)).toEqual(['fifo', 'sjf']);
    expect(r.reports.map((x) => x.endS)).toEqual([7300, 7300]);
    expect(r.reports[0]!.cost.total.toFixed()).toBe(dec(4).times(7300).div(3600).toFixed());
    expect(p.calls[0]).toBe('start 4 simulating');
    expect(p.calls.at(-1)).toBe('finish');
  });

  it('fills the cluster when the trace has no times', () => {
    const r = runSimulation({ scenario: scenario(), jobs: [job('a', { workS: Infinity })], hasTimes: false, policies: ['best-fit', 'fgd'] });
    expect(r.mode).toBe('fill');
    if (r.mode !== 'fill') return;
    expect(r.reports.map((x) => x.placed)).toEqual([4, 4]);
  });

  it('applies the scenario checkpoint defaults to jobs that give none', () => {
    const [a, b] = withDefaults([job('a'), job('b', { checkpointIntervalS: 60, restartOverheadS: 5 })], scenario());
    expect([a!.checkpointIntervalS, a!.restartOverheadS, b!.checkpointIntervalS, b!.restartOverheadS]).toEqual([900, 60, 60, 5]);
  });

  it('refuses a node list with GPU models the scenario does not price', () => {
    expect(() => runSimulation({ scenario: scenario({ pools: [] }), jobs: [job('a')], hasTimes: true, nodes: [{ name: 'n', cpuMilli: 1, memoryMib: 1, gpus: 8, model: 'G2' }], policies: ['fifo'] })).toThrow(InvalidInput);
    expect(() => runSimulation({ scenario: scenario(), jobs: [job('a')], hasTimes: true, policies: ['nope'] })).toThrow(/unknown policy/);
  });
});
