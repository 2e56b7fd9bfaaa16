/**
 * Random spot scenarios for the deadline property test and the reference comparison: seeded,
 * so a failing seed can be replayed.
 */
import { dec } from '../src/core/money.js';
import { spotCapacity } from '../src/core/model/spot.js';
import { seededRng, type Rng } from '../src/core/rng.js';
import type { NodePool, SimInput, SimJob } from '../src/core/sim/model.js';

const between = (rng: Rng, lo: number, hi: number) => lo + rng.next() * (hi - lo);

/** A trace of runs of availability: run lengths geometric-ish, values 0/1 or counts up to `maxCount`. */
function randomTrace(rng: Rng, maxCount: number): { name: string; gapS: number; available: number[] } {
  const gapS = Math.round(between(rng, 30, 1200));
  const available: number[] = [];
  const upShare = between(rng, 0.1, 0.95);
  while (available.length < 400) {
    const up = rng.next() < upShare;
    const len = 1 + rng.int(up ? 40 : 20);
    const v = up ? (maxCount > 1 ? 1 + rng.int(maxCount) : 1) : 0;
    for (let k = 0; k < len; k++) available.push(v);
  }
  return { name: 'random', gapS, available };
}

export function randomCase(seed: number): SimInput {
  const rng = seededRng(seed);
  const gpusPerNode = [1, 1, 2, 4, 8][rng.int(5)]!;
  const nJobs = 1 + rng.int(8);
  const maxCount = rng.next() < 0.3 ? 2 + rng.int(15) : 1;
  const odSpeed = [1, 1, 1.5, 2][rng.int(4)]!;
  const base = { gpuType: 'V100', gpusPerNode, cpuMilliPerNode: 64000, memoryMibPerNode: 262144, fixedNodes: 0, idlePowerW: 0, busyPowerW: 0 };
  const spot: NodePool = {
    ...base, name: 'spot', pricing: 'spot', pricePerNodeHour: dec('0.9'), maxNodes: 1 + rng.int(nJobs + 2), provisioningDelayS: Math.round(between(rng, 0, 900)),
    idleTimeoutS: Math.round(between(rng, 0, 600)), speed: [1, 1, 0.5, 2][rng.int(4)]!, spotTrace: spotCapacity(randomTrace(rng, maxCount)),
  };
  const od: NodePool = {
    ...base, name: 'od', pricing: 'on-demand', pricePerNodeHour: dec('3.06'), maxNodes: nJobs, provisioningDelayS: Math.round(between(rng, 0, 900)),
    idleTimeoutS: Math.round(between(rng, 0, 600)), speed: odSpeed,
  };
  const jobs: SimJob[] = [];
  for (let i = 0; i < nJobs; i++) {
    const workS = Math.round(between(rng, 600, 40 * 3600));
    const restartOverheadS = Math.round(between(rng, 0, 900));
    const arrivalS = Math.round(between(rng, 0, 48 * 3600));
    // The tightest deadline on-demand alone can meet, times a slack factor (1 = no slack at all).
    const tightest = restartOverheadS + od.provisioningDelayS + workS / odSpeed + 1;
    const slack = rng.next() < 0.2 ? 1 : between(rng, 1, 3);
    jobs.push({
      id: `j${i}`, arrivalS, gpus: 1 + rng.int(gpusPerNode), gpuMilli: 1000, cpuMilli: 1000, memoryMib: 1024, workS, priority: 0,
      deadlineS: arrivalS + tightest * slack, checkpointIntervalS: rng.next() < 0.2 ? 0 : Math.round(between(rng, 60, 3600)), restartOverheadS,
    });
  }
  // A horizon: always-spot never ends a job that has no checkpoint and outlasts every spot run.
  return { pools: [spot, od], jobs, energy: { pricePerKwh: dec(0), pue: 1 }, currency: 'USD', seed, horizonS: 30 * 86400 };
}


/**
 * The evaluation on a real availability trace: `n` single-V100 training jobs (4–16 h of work,
 * checkpoint every 30 min, 5 min restart) arriving over the trace's first 40 days, each with a
 * deadline `slack` × its work after arrival; on-demand $3.06/h (2 min to provision), spot $0.918/h
 * (3 min), as examples/sim/spot.yaml.
 */
export function spotEvaluation(trace: { name: string; gapS: number; available: number[] }, slack: number, seed = 1, n = 40, checkpointIntervalS = 1800): SimInput {
  const rng = seededRng(seed);
  const base = { gpuType: 'V100', gpusPerNode: 1, cpuMilliPerNode: 8000, memoryMibPerNode: 62464, fixedNodes: 0, idlePowerW: 0, busyPowerW: 0, speed: 1, idleTimeoutS: 300 };
  const od: NodePool = { ...base, name: 'v100-on-demand', pricing: 'on-demand', pricePerNodeHour: dec('3.06'), maxNodes: n, provisioningDelayS: 120 };
  const spot: NodePool = { ...base, name: 'v100-spot', pricing: 'spot', pricePerNodeHour: dec('0.918'), maxNodes: n, provisioningDelayS: 180, spotTrace: trace };
  const jobs: SimJob[] = [];
  for (let i = 0; i < n; i++) {
    const workS = Math.round(between(rng, 4, 16) * 3600);
    const arrivalS = Math.round(between(rng, 0, 40 * 86400));
    jobs.push({ id: `train-${i}`, arrivalS, gpus: 1, gpuMilli: 1000, cpuMilli: 8000, memoryMib: 62464, workS, priority: 0, deadlineS: arrivalS + slack * workS, checkpointIntervalS, restartOverheadS: 300 });
  }
  jobs.sort((x, y) => x.arrivalS - y.arrivalS);
  return { pools: [od, spot], jobs, energy: { pricePerKwh: dec(0), pue: 1 }, currency: 'USD', seed };
}

/**
 * randomCase(seed) with its spot pool split into 2–3 zones: each with its own random trace, price
 * ($0.8–1.2/h) and provisioning delay, and the first zone's node limit.
 */
export function randomZonesCase(seed: number): SimInput {
  const base = randomCase(seed);
  const rng = seededRng(1_000_000 + seed);
  const spot = base.pools.find((p) => p.pricing === 'spot')!;
  const maxCount = spot.spotTrace!.available.some((v) => v > 1 && Number.isFinite(v)) ? 2 + rng.int(15) : 1;
  const zones: NodePool[] = [{ ...spot, name: 'spot-a' }];
  const more = 1 + rng.int(2);
  for (let z = 0; z < more; z++) {
    zones.push({
      ...spot, name: `spot-${'bc'[z]}`, pricePerNodeHour: dec(between(rng, 0.8, 1.2).toFixed(3)), provisioningDelayS: Math.round(between(rng, 0, 900)),
      spotTrace: spotCapacity(randomTrace(rng, maxCount)),
    });
  }
  return { ...base, pools: [...zones, ...base.pools.filter((p) => p.pricing !== 'spot')] };
}
