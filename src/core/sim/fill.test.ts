import { describe, expect, it } from 'vitest';
import { dec } from '../money.js';
import { fill } from './fill.js';
import type { NodePool, SimJob } from './model.js';
import { makePolicy } from './policies/index.js';
import { fragmentation, taskTypes } from './policies/fgd.js';
import { Demands } from './cluster.js';

const pool = (o: Partial<NodePool> = {}): NodePool => ({
  name: 'p', gpuType: 'T4', gpusPerNode: 2, cpuMilliPerNode: 32000, memoryMibPerNode: 131072, pricing: 'on-prem', pricePerNodeHour: dec(2),
  fixedNodes: 2, maxNodes: 2, provisioningDelayS: 0, idleTimeoutS: 0, idlePowerW: 0, busyPowerW: 0, speed: 1, ...o,
});
const pod = (id: string, gpus: number, gpuMilli = 1000): SimJob => ({ id, arrivalS: 0, gpus, gpuMilli, cpuMilli: 1000, memoryMib: 1024, workS: Infinity, priority: 0, checkpointIntervalS: 0, restartOverheadS: 0 });

describe('fill mode', () => {
  it('replays the list in order until arrived demand reaches the target, counting what cannot be placed', () => {
    // 2 nodes × 2 GPUs = 4 GPUs. List: 0.6, 0.6, 2 GPUs. Least-loaded spreads the two 0.6 pods over
    // both nodes, so the 2-GPU pod finds no node with 2 whole GPUs: 2 of 3.2 GPUs arrived are refused.
    const list = [pod('a', 1, 600), pod('b', 1, 600), pod('c', 2)];
    const ll = fill([pool()], list, makePolicy('least-loaded'), { seed: 1, currency: 'USD', targetShare: 0.8, stepShare: 0.5 });
    expect(ll.pods).toBe(3);
    expect(ll.arrivedGpus).toBeCloseTo(3.2, 12);
    expect(ll.unplacedGpus).toBe(2);
    expect(ll.firstFailureAtShare).toBeCloseTo(0.3, 12);
    // 4 GPUs − 1.2 allocated = 2.8 stranded at 1 USD per GPU-hour.
    expect(ll.strandedGpus).toBeCloseTo(2.8, 12);
    expect(ll.strandedCostPerHour.toFixed()).toBe('2.8');
    expect(ll.clusterCostPerHour.toFixed()).toBe('4');
    // Best-fit packs both sharing pods on node 0 and places the 2-GPU pod on node 1.
    const bf = fill([pool()], list, makePolicy('best-fit'), { seed: 1, currency: 'USD', targetShare: 0.8 });
    expect(bf.unplacedGpus).toBe(0);
    expect(bf.strandedCostPerHour.isZero()).toBe(true);
  });

  it('keeps pods no empty node can take (too big, or an unknown GPU model) out of the fragmentation figures', () => {
    // 4 GPUs of T4. Pods: 1 GPU (fits), 6 GPUs (a gang of three 2-GPU members: only two nodes),
    // 1 GPU of A100 (no such pool).
    const list = [pod('a', 1), pod('big', 6), { ...pod('a100', 1), gpuTypes: ['A100'] }];
    const r = fill([pool()], list, makePolicy('best-fit'), { seed: 1, currency: 'USD', targetShare: 0.5 });
    // Only 'a' arrives: two passes of 1 GPU reach 50% of 4 GPUs; nothing refused, nothing stranded.
    expect(r.pods).toBe(2);
    expect(r.unplacedGpus).toBe(0);
    expect(r.strandedGpus).toBe(0);
    expect(r.neverFitPods).toBe(2);
    expect(r.neverFitGpus).toBe(7);
    // A list of only such pods ends (it does not loop looking for demand that never arrives).
    const none = fill([pool()], [pod('big', 6)], makePolicy('best-fit'), { seed: 1, currency: 'USD' });
    expect(none.pods).toBe(0);
    expect(none.neverFitPods).toBe(1);
  });

  it('places a pod larger than any node as a gang across nodes, whole or not at all', () => {
    // 2 nodes × 2 GPUs. 'big' (4 GPUs) is a gang of two 2-GPU members: alone it takes both nodes.
    const alone = fill([pool()], [pod('big', 4)], makePolicy('best-fit'), { seed: 1, currency: 'USD', targetShare: 1 });
    expect(alone.pods).toBe(1);
    expect(alone.placed).toBe(1);
    expect(alone.allocatedGpus).toBe(4);
    expect(alone.neverFitPods).toBe(0);
    // After a 1-GPU pod, one member would find a node and the other none: neither is placed (the
    // first member's GPUs go back), 4 of 5 GPUs arrived are refused, 3 GPUs stranded.
    const after = fill([pool()], [pod('a', 1), pod('big', 4)], makePolicy('best-fit'), { seed: 1, currency: 'USD', targetShare: 1.25 });
    expect(after.pods).toBe(2);
    expect(after.placed).toBe(1);
    expect(after.arrivedGpus).toBe(5);
    expect(after.unplacedGpus).toBe(4);
    expect(after.allocatedGpus).toBe(1);
    expect(after.strandedGpus).toBe(3);
  });

  it('keeps the list order when the pods have arrival times (gangs split without reordering)', () => {
    // Times in reverse: filled in list order all the same. 2 GPUs then 1 then 1 on 2 × 2 GPUs under
    // least-loaded: c on node 0, a and b on node 1; by arrival (b, a, c) b and a would be spread over
    // both nodes and c would find no node with 2 GPUs free.
    const list = [{ ...pod('c', 2), arrivalS: 30 }, { ...pod('a', 1), arrivalS: 20 }, { ...pod('b', 1), arrivalS: 10 }];
    const r = fill([pool()], list, makePolicy('least-loaded'), { seed: 1, currency: 'USD', targetShare: 1 });
    expect(r.unplacedGpus).toBe(0);
  });

  it('repeats the list from the top when it is shorter than the target', () => {
    const r = fill([pool()], [pod('a', 1)], makePolicy('fgd'), { seed: 1, currency: 'USD', targetShare: 1.5 });
    // 6 arrivals of 1 GPU reach 150% of 4 GPUs; 2 are refused.
    expect(r.pods).toBe(6);
    expect(r.placed).toBe(4);
    expect(r.unplacedShare).toBeCloseTo(2 / 6, 12);
    expect(r.curve.at(-1)!.allocatedShare).toBe(1);
  });
});

describe('fill order', () => {
  it('shuffles the list with the seed: a permutation, the same for the same seed, replayed in that order', () => {
    // Whole-GPU pods, then sharing pods; a policy that records the order it is asked in.
    const list = [...Array.from({ length: 12 }, (_, i) => pod(`w${i}`, 1)), ...Array.from({ length: 12 }, (_, i) => pod(`s${i}`, 1, 300))];
    const seen: string[][] = [];
    const spy = (name: string) => {
      const p = makePolicy(name);
      const ids: string[] = [];
      seen.push(ids);
      return { ...p, pickNode: (ctx: Parameters<typeof p.pickNode>[0], j: number, ok: Uint8Array, ex: number) => (ids.push(ctx.jobId(j)), p.pickNode(ctx, j, ok, ex)) };
    };
    const big = pool({ gpusPerNode: 8, fixedNodes: 2, maxNodes: 2 });
    const opts = { currency: 'USD', targetShare: 1.5 } as const;
    const inList = fill([big], list, spy('best-fit'), { ...opts, seed: 7 });
    const a = fill([big], list, spy('best-fit'), { ...opts, seed: 7, order: 'shuffled' });
    fill([big], list, spy('best-fit'), { ...opts, seed: 7, order: 'shuffled' });
    fill([big], list, spy('best-fit'), { ...opts, seed: 8, order: 'shuffled' });
    expect(inList.order).toBe('list');
    expect(a.order).toBe('shuffled');
    expect(seen[0]!.slice(0, 24)).toEqual(list.map((p) => p.id));
    expect([...seen[1]!.slice(0, 24)].sort()).toEqual(list.map((p) => p.id).sort());
    expect(seen[1]!.slice(0, 24)).not.toEqual(seen[0]!.slice(0, 24));
    // Replays repeat the shuffled order; the same seed gives the same order, another seed another.
    expect(seen[1]!.slice(24)).toEqual(seen[1]!.slice(0, seen[1]!.length - 24));
    expect(seen[2]).toEqual(seen[1]);
    expect(seen[3]).not.toEqual(seen[1]);
  });
});

describe('fragmentation measure', () => {
  it('counts free GPU a task type cannot use, weighted by how common the type is', () => {
    const d = new Demands([pod('w', 1), pod('w2', 1), pod('s', 1, 500)], [pool()]);
    const types = taskTypes(d);
    expect(types.map((t) => t.weight)).toEqual([2 / 3, 1 / 3]);
    // GPUs free 600 and 1000: for whole-GPU tasks the 600 is a fragment; for 500 tasks nothing is.
    expect(fragmentation(types, d, 0, [600, 1000], 2, 32000, 131072)).toBeCloseTo((2 / 3) * 600, 12);
    // Not enough CPU for any task: all 1600 free is fragment.
    expect(fragmentation(types, d, 0, [600, 1000], 2, 0, 131072)).toBeCloseTo(1600, 12);
  });
});

describe('FGD and rare large pods', () => {
  // 30 common shapes of small sharing pods (two of each) and one rare pod of 8 GPUs and 120 cores
  // that fits only the first node. Every small pod fits both nodes equally well, so only the rare
  // type tells FGD to keep the first node whole: FGD must weigh every type of the trace, however
  // rare (it once kept the 24 most common and stranded such pods on the Alibaba lists).
  const big = pool({ name: 'big', gpusPerNode: 8, cpuMilliPerNode: 128000, fixedNodes: 1, maxNodes: 1 });
  const small = pool({ name: 'small', gpusPerNode: 8, cpuMilliPerNode: 96000, fixedNodes: 1, maxNodes: 1 });
  const list: SimJob[] = [];
  for (let k = 1; k <= 30; k++) for (const copy of ['a', 'b']) list.push({ ...pod(`s${k}${copy}`, 1, 100), cpuMilli: 100 * k });
  list.push({ ...pod('rare', 8), cpuMilli: 120000 });

  it('counts every task type, the rare ones too', () => {
    const types = taskTypes(new Demands(list, [big, small]));
    expect(types).toHaveLength(31);
    expect(types.at(-1)).toMatchObject({ gpus: 8, cpu: 120000, weight: 1 / 61 });
  });

  it('keeps the only node the rare pod fits whole, where first fit breaks it', () => {
    const run = (name: string) => fill([big, small], list, makePolicy(name), { seed: 1, currency: 'USD', targetShare: (60 * 0.1 + 8) / 16 });
    const f = run('fgd');
    expect(f.placed).toBe(61);
    expect(f.unplacedGpus).toBe(0);
    // First fit (FIFO's placement) puts the first small pod on the first node: the rare pod is refused.
    expect(run('fifo').unplacedGpus).toBe(8);
  });
});
