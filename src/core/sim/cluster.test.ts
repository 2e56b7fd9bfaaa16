/**
 * The placement index (blocks of nodes with their maxima and least free share) must never hide a
 * node a job fits on: checked against node-by-node answers after every change of random
 * allocate / release / up / off sequences, and end to end (the same runs with the index as with a
 * plain scan) on a cluster big enough to be indexed.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../money.js';
import { seededRng } from '../rng.js';
import { BLOCK, Cluster, Demands, INDEX_MIN_NODES, UP } from './cluster.js';
import { runEngine } from './engine.js';
import { buildReport, simReportToJson } from './metrics.js';
import type { NodePool, SimInput, SimJob } from './model.js';
import { makePolicy } from './policies/index.js';
import type { PlaceContext, Policy } from './policies/policy.js';

const pool = (name: string, nodes: number, over: Partial<NodePool> = {}): NodePool => ({
  name, gpuType: 'A100', gpusPerNode: 8, cpuMilliPerNode: 64000, memoryMibPerNode: 524288, pricing: 'on-prem', pricePerNodeHour: dec('8'),
  fixedNodes: nodes, maxNodes: nodes, provisioningDelayS: 0, idleTimeoutS: 0, idlePowerW: 0, busyPowerW: 0, speed: 1, ...over,
});

function randomJobs(seed: number, n: number, spacingS: number): SimJob[] {
  const rng = seededRng(seed);
  const jobs: SimJob[] = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += Math.floor(rng.next() * spacingS);
    const gpus = [0, 1, 1, 1, 2, 4, 8][rng.int(7)]!;
    const share = gpus === 1 && rng.next() < 0.5;
    jobs.push({
      id: `j${i}`, arrivalS: t, gpus, gpuMilli: share ? 100 * (1 + rng.int(9)) : 1000, cpuMilli: 1000 * (1 + rng.int(24)), memoryMib: 1024 * (1 + rng.int(128)),
      workS: 60 + Math.floor(rng.next() * 8 * 3600), priority: rng.int(3), checkpointIntervalS: 600, restartOverheadS: 30,
    });
  }
  return jobs;
}

describe('the placement index', () => {
  it('keeps every block\'s maxima and least free share true, through random changes', () => {
    const pools = [pool('big', 200)];
    const c = new Cluster(pools);
    expect(c.poolIndexed[0]).toBe(1);
    const jobs = randomJobs(3, 4000, 10);
    const d = new Demands(jobs, pools);
    const rng = seededRng(9);
    for (let n = 0; n < c.n; n++) {
      c.provision(n, 0);
      c.up(n, 0);
    }
    const placed: { j: number; n: number; mask: number }[] = [];
    const bounds = new Float64Array(4);
    for (let step = 0; step < 4000; step++) {
      const r = rng.next();
      if (r < 0.55) {
        const j = rng.int(jobs.length);
        const n = rng.int(c.n);
        if (c.state[n] === UP && c.fits(n, d, j)) placed.push({ j, n, mask: c.allocate(n, d, j, step) });
      } else if (r < 0.95 && placed.length > 0) {
        const [p] = placed.splice(rng.int(placed.length), 1);
        c.release(p!.n, d, p!.j, p!.mask, step);
      } else {
        // A node with nothing on it goes off, or an off node comes up.
        const n = rng.int(c.n);
        if (c.state[n] === UP && c.jobsOn[n] === 0) c.off(n, step);
        else if (c.state[n] !== UP) {
          c.provision(n, step);
          c.up(n, step);
        }
      }
      // A block that is not marked for refresh holds its nodes' exact maxima and least free share.
      for (let b = 0; b < c.bDirty.length; b++) {
        if (c.bDirty[b] === 1) continue;
        let full = -1;
        let share = -1;
        let cpu = -1;
        let mem = -1;
        let minFree = Infinity;
        for (let n = c.blockFirst[b]!; n < c.blockEnd[b]!; n++) {
          if (c.state[n] !== UP) continue;
          full = Math.max(full, c.fullFree[n]!);
          cpu = Math.max(cpu, c.freeCpu[n]!);
          mem = Math.max(mem, c.freeMem[n]!);
          for (let g = 0; g < c.gpuCount[n]!; g++) share = Math.max(share, c.gpuFree[n * c.stride + g]!);
          minFree = Math.min(minFree, c.freeShare(n));
        }
        expect([c.bFull[b], c.bShare[b], c.bCpu[b], c.bMem[b], c.bMinFree[b]]).toEqual([full, share, cpu, mem, minFree]);
      }
      // And a job that fits a node of a block is never told the block has no room.
      for (let k = 0; k < 3; k++) {
        const j = rng.int(jobs.length);
        for (let b = 0; b < c.bDirty.length; b++) {
          let any = false;
          for (let n = c.blockFirst[b]!; n < c.blockEnd[b]!; n++) if (c.state[n] === UP && c.fits(n, d, j)) any = true;
          if (any) expect(c.blockMayFit(b, d, j)).toBe(true);
        }
      }
      c.freeBounds(bounds);
      let whole = 0;
      let share = 0;
      let cpu = 0;
      let mem = 0;
      for (let n = 0; n < c.n; n++) {
        if (c.state[n] !== UP) continue;
        whole = Math.max(whole, c.fullFree[n]!);
        cpu = Math.max(cpu, c.freeCpu[n]!);
        mem = Math.max(mem, c.freeMem[n]!);
        for (let g = 0; g < c.gpuCount[n]!; g++) share = Math.max(share, c.gpuFree[n * c.stride + g]!);
      }
      expect([...bounds]).toEqual([whole, share, cpu, mem]);
    }
  });

  it('is used only for pools of at least INDEX_MIN_NODES nodes, in blocks of BLOCK within a pool', () => {
    const c = new Cluster([pool('small', INDEX_MIN_NODES - 1), pool('big', INDEX_MIN_NODES + 5)]);
    expect([...c.poolIndexed]).toEqual([0, 1]);
    expect(c.poolBlockEnd[0]! - c.poolBlockFirst[0]!).toBe(Math.ceil((INDEX_MIN_NODES - 1) / BLOCK));
    // No block spans two pools.
    for (let b = 0; b < c.bDirty.length; b++) expect(c.nodePool[c.blockFirst[b]!]).toBe(c.nodePool[c.blockEnd[b]! - 1]!);
  });

  // Node-by-node versions of the indexed policies' placement, as they were before the index.
  const plainFirstFit = (ctx: PlaceContext, j: number, poolOk: Uint8Array, exclude: number): number => {
    const c = ctx.c;
    for (let n = 0; n < c.n; n++) if (n !== exclude && poolOk[c.nodePool[n]!] === 1 && c.state[n] === UP && c.fits(n, ctx.d, j)) return n;
    return -1;
  };
  const plainBestFit = (ctx: PlaceContext, j: number, poolOk: Uint8Array, exclude: number): number => {
    const { c, d } = ctx;
    let best = -1;
    let bestScore = Infinity;
    for (let n = 0; n < c.n; n++) {
      if (n === exclude || poolOk[c.nodePool[n]!] !== 1 || c.state[n] !== UP || !c.fits(n, d, j)) continue;
      const gpuCap = c.gpuCount[n]! * 1000;
      const s = (gpuCap > 0 ? (gpuCap - c.usedMilli[n]! - d.gpuDemandMilli(j)) / gpuCap : 0) + (c.freeCpu[n]! - d.cpu[j]!) / c.cpuCap[n]!;
      if (s < bestScore) {
        bestScore = s;
        best = n;
      }
    }
    return best;
  };

  it('places every job where a node-by-node scan would, on a cluster big enough to be indexed', () => {
    const input: SimInput = {
      pools: [
        pool('fixed', 150),
        pool('cloud', 200, { gpuType: 'H100', pricing: 'on-demand', pricePerNodeHour: dec('40'), fixedNodes: 0, provisioningDelayS: 90, idleTimeoutS: 600, speed: 2 }),
      ],
      jobs: randomJobs(5, 6000, 20),
      energy: { pricePerKwh: dec('0.1'), pue: 1.2 },
      currency: 'USD',
      seed: 3,
    };
    for (const [name, plain] of [['fifo', plainFirstFit], ['backfill', plainFirstFit], ['best-fit', plainBestFit]] as const) {
      const indexed = makePolicy(name);
      const reference: Policy = { ...makePolicy(name), pickNode: plain };
      const a = buildReport(runEngine(input, indexed), input);
      const b = buildReport(runEngine(input, reference), input);
      expect(a.jobs.finished).toBeGreaterThan(5000);
      expect(JSON.stringify(simReportToJson(a))).toBe(JSON.stringify(simReportToJson(b)));
    }
  });
});
