/** The replay table: times of no job are unknown, never 0 s, and a cluster that ran nothing is not called idle. */
import { describe, expect, it } from 'vitest';
import { dec } from '../../../core/money.js';
import type { NodePool, SimJob } from '../../../core/sim/model.js';
import { simulate } from '../../../core/sim/simulate.js';
import { renderReplay } from './simulate.js';

const pool = (o: Partial<NodePool> = {}): NodePool => ({
  name: 'p', gpuType: 'A100', gpusPerNode: 2, cpuMilliPerNode: 64000, memoryMibPerNode: 262144, pricing: 'on-prem', pricePerNodeHour: dec(2),
  fixedNodes: 1, maxNodes: 1, provisioningDelayS: 0, idleTimeoutS: 0, idlePowerW: 100, busyPowerW: 500, speed: 1, ...o,
});
const job = (id: string): SimJob => ({ id, arrivalS: 0, gpus: 1, gpuMilli: 1000, cpuMilli: 1000, memoryMib: 1024, workS: 3600, priority: 0, checkpointIntervalS: 0, restartOverheadS: 0 });

describe('penny simulate on a cluster that runs nothing', () => {
  it('shows completion and wait times as unknown, and does not say no job waited', () => {
    const input = { pools: [pool({ fixedNodes: 0, maxNodes: 0 })], jobs: [job('a'), job('b')], energy: { pricePerKwh: dec('0.1'), pue: 1 }, currency: 'USD', seed: 1 };
    const reports = ['fifo', 'sjf'].map((p) => simulate(input, p));
    const out = renderReplay('zero', reports, 2);
    const fifo = out.split('\n').find((l) => l.startsWith('fifo'))!;
    // Policy, total, energy, idle, util, finished, JCT p50/p90/p99, wait mean, …
    expect(fifo.trim().split(/\s{2,}/).slice(5, 10)).toEqual(['0', '—', '—', '—', '—']);
    expect(out.split('\n').slice(1).join('\n')).not.toMatch(/0\.0 s/);
    expect(out).not.toMatch(/no job waited/);
    expect(out).toMatch(/2 × every pool it may use has no nodes/);
  });
});
