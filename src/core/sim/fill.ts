/**
 * Fill mode, for traces without times (several Alibaba v2023 pod lists have only resources): pods
 * arrive in list order and stay. As the cluster fills, the share of arriving GPU demand that cannot
 * be placed shows what fragmentation costs, as in Weng et al., "Beware of Fragmentation" (USENIX
 * ATC'23), whose traces these are. The list is replayed from the top again (same order) until the
 * GPU demand that arrived reaches `targetShare` of the cluster's GPUs. With `order: 'shuffled'` the
 * list is first put in a random order drawn from the seed, as the paper's experiments do: one list
 * order is one sample, and a policy's result can hang on it (best-fit refuses 31% of the
 * gpushare40 list's GPU demand in list order, 9% in a shuffled one).
 */
import { Decimal, ZERO, sum, toPlain } from '../money.js';
import { seededRng } from '../rng.js';
import { Cluster, Demands } from './cluster.js';
import { membersPerNode, splitGangs } from './gang.js';
import type { NodePool, SimJob } from './model.js';
import type { Policy, PlaceContext } from './policies/policy.js';

export interface FillOptions {
  /** Stop when arrived GPU demand reaches this share of the cluster's GPUs (default 1). */
  targetShare?: number;
  /** A point of the curve every this share of capacity (default 0.05). */
  stepShare?: number;
  seed: number;
  currency: string;
  /** Pods in list order (default) or shuffled once with the seed, then replayed in that order. */
  order?: 'list' | 'shuffled';
}

export interface FillPoint {
  /** Arrived GPU demand / cluster GPUs. */
  arrivedShare: number;
  /** GPU demand that could not be placed / arrived GPU demand. */
  unplacedShare: number;
  /** Allocated GPUs / cluster GPUs. */
  allocatedShare: number;
}

export interface FillReport {
  policy: string;
  summary: string;
  currency: string;
  /** The order pods arrived in: the list's, or shuffled with `seed`. */
  order: 'list' | 'shuffled';
  seed: number;
  clusterGpus: number;
  pods: number;
  placed: number;
  failed: number;
  arrivedGpus: number;
  unplacedGpus: number;
  unplacedShare: number;
  allocatedGpus: number;
  /** Arrived share at which the first GPU pod could not be placed (undefined if none failed). */
  firstFailureAtShare: number | undefined;
  /** GPUs left free while GPU demand was refused: capacity paid for that fragmentation makes unusable. */
  strandedGpus: number;
  /**
   * Pods that fit no node even empty (more CPU or memory than any node has, a gang with more members than the cluster has slots, or a GPU model no pool has), once
   * per list: not fragmentation, so kept out of arrived and refused demand.
   */
  neverFitPods: number;
  neverFitGpus: number;
  clusterCostPerHour: Decimal;
  strandedCostPerHour: Decimal;
  curve: FillPoint[];
}

export function fill(pools: readonly NodePool[], trace: readonly SimJob[], policy: Policy, opts: FillOptions): FillReport {
  const list = opts.order === 'shuffled' ? shuffled(trace, opts.seed) : trace;
  const target = opts.targetShare ?? 1;
  const step = opts.stepShare ?? 0.05;
  const fixed = pools.map((p) => ({ ...p, maxNodes: p.fixedNodes }));
  const c = new Cluster(fixed);
  // A pod larger than any node (or asking for several) is a gang, split as a replay splits it:
  // placed whole across nodes or not at all.
  // (Arrivals set to 0 first: splitGangs orders by arrival, and fill keeps the list's order even
  // for a list with times, `--fill`.)
  const g = splitGangs(list.map((j) => (j.arrivalS === 0 ? j : { ...j, arrivalS: 0 })), fixed);
  const d = new Demands(g.jobs, fixed);
  const ctx: PlaceContext = { c, d, rng: seededRng(opts.seed), jobId: (j) => g.jobs[j]!.id };
  for (let n = 0; n < c.n; n++) {
    c.provision(n, 0);
    c.up(n, 0);
  }
  const clusterMilli = c.totalFreeMilli;
  const filters = d.classes;
  // Pods no empty node could take are not refused for fragmentation: counted apart, once.
  const fits = new Uint8Array(d.n);
  let listMilli = 0;
  let neverFitPods = 0;
  let neverFitMilli = 0;
  // Per pod (a gang's leader stands for it): does it fit the empty cluster? A gang's members each
  // need a slot: the pools that take a member hold so many of them per node.
  for (let j = 0; j < d.n; j++) {
    if (g.lead[j] !== j) continue;
    const ok = filters[d.cls[j]!]!;
    const k = g.size[j]!;
    let slots = 0;
    for (let p = 0; p < fixed.length && slots < k; p++) {
      if (ok[p] !== 1 || fixed[p]!.fixedNodes === 0 || !c.fitsEmpty(p, d, j)) continue;
      slots += k === 1 ? 1 : fixed[p]!.fixedNodes * membersPerNode(fixed[p]!, d.gpus[j]!);
    }
    const demand = d.gpuDemandMilli(j) * k;
    if (slots >= k) {
      fits[j] = 1;
      listMilli += demand;
    } else {
      neverFitPods++;
      neverFitMilli += demand;
    }
  }
  /** Place pod j (all its gang's members, or none); true when placed. */
  const place = (j: number): boolean => {
    const k = g.size[j]!;
    if (k === 1) {
      const n = policy.pickNode(ctx, j, filters[d.cls[j]!]!, -1);
      if (n < 0) return false;
      c.allocate(n, d, j, 0);
      return true;
    }
    const at: number[] = [];
    const masks: number[] = [];
    for (let m = j; m >= 0; m = g.next[m]!) {
      const n = policy.pickNode(ctx, m, filters[d.cls[m]!]!, -1);
      if (n < 0) {
        for (let i = 0, x = j; i < at.length; i++, x = g.next[x]!) c.release(at[i]!, d, x, masks[i]!, 0);
        return false;
      }
      masks.push(c.allocate(n, d, m, 0));
      at.push(n);
    }
    return true;
  };
  const goal = target * clusterMilli;

  let arrived = 0;
  let unplaced = 0;
  let pods = 0;
  let placed = 0;
  let firstFailure: number | undefined;
  const curve: FillPoint[] = [];
  let nextPoint = step * clusterMilli;
  const point = () => ({ arrivedShare: arrived / clusterMilli, unplacedShare: arrived > 0 ? unplaced / arrived : 0, allocatedShare: (clusterMilli - c.totalFreeMilli) / clusterMilli });
  outer: for (let pass = 0; listMilli > 0 || pass === 0; pass++) {
    for (let j = 0; j < d.n; j++) {
      if (clusterMilli === 0 || arrived >= goal) break outer;
      if (!fits[j]) continue;
      const demand = d.gpuDemandMilli(j) * g.size[j]!;
      pods++;
      arrived += demand;
      if (place(j)) placed++;
      else {
        unplaced += demand;
        if (demand > 0 && firstFailure === undefined) firstFailure = (arrived - demand) / clusterMilli;
      }
      while (arrived >= nextPoint && nextPoint <= goal + 1e-9) {
        curve.push(point());
        nextPoint += step * clusterMilli;
      }
    }
    if (listMilli === 0) break;
  }
  if (curve.length === 0 || curve[curve.length - 1]!.arrivedShare !== arrived / clusterMilli) curve.push(point());

  // Money per pool from exact prices: the cluster per hour, and the free GPUs that could not be sold.
  let strandedMilli = 0;
  const stranded: Decimal[] = [];
  pools.forEach((p, pi) => {
    let free = 0;
    for (let n = c.poolFirst[pi]!; n < c.poolEnd[pi]!; n++) for (let i = 0; i < c.gpuCount[n]!; i++) free += c.gpuFree[n * c.stride + i]!;
    if (unplaced > 0 && p.gpusPerNode > 0) {
      strandedMilli += free;
      stranded.push(p.pricePerNodeHour.div(p.gpusPerNode).times(free).div(1000));
    }
  });
  return {
    policy: policy.name,
    summary: policy.summary,
    currency: opts.currency,
    order: opts.order ?? 'list',
    seed: opts.seed,
    clusterGpus: clusterMilli / 1000,
    pods,
    placed,
    failed: pods - placed,
    arrivedGpus: arrived / 1000,
    unplacedGpus: unplaced / 1000,
    unplacedShare: arrived > 0 ? unplaced / arrived : 0,
    allocatedGpus: (clusterMilli - c.totalFreeMilli) / 1000,
    firstFailureAtShare: firstFailure,
    strandedGpus: strandedMilli / 1000,
    neverFitPods,
    neverFitGpus: neverFitMilli / 1000,
    clusterCostPerHour: sum(pools.map((p) => p.pricePerNodeHour.times(p.fixedNodes))),
    strandedCostPerHour: stranded.length ? sum(stranded) : ZERO,
    curve,
  };
}

/** Fisher–Yates on its own stream of the seed (the policies' random draws keep theirs). */
function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const rng = seededRng((seed ^ 0x5f3759df) >>> 0);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const k = Math.floor(rng.next() * (i + 1));
    const t = out[i]!;
    out[i] = out[k]!;
    out[k] = t;
  }
  return out;
}

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

export function fillReportToJson(r: FillReport): unknown {
  const m = (x: Decimal) => toPlain(x.toDecimalPlaces(12, Decimal.ROUND_HALF_EVEN));
  return {
    ...r,
    arrivedGpus: r6(r.arrivedGpus),
    unplacedGpus: r6(r.unplacedGpus),
    unplacedShare: r6(r.unplacedShare),
    allocatedGpus: r6(r.allocatedGpus),
    firstFailureAtShare: r.firstFailureAtShare === undefined ? null : r6(r.firstFailureAtShare),
    strandedGpus: r6(r.strandedGpus),
    neverFitGpus: r6(r.neverFitGpus),
    clusterCostPerHour: m(r.clusterCostPerHour),
    strandedCostPerHour: m(r.strandedCostPerHour),
    curve: r.curve.map((p) => ({ arrivedShare: r6(p.arrivedShare), unplacedShare: r6(p.unplacedShare), allocatedShare: r6(p.allocatedShare) })),
  };
}

