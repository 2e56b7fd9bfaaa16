/**
 * The perfect-foresight reference for spot comparisons: for each job with a deadline, the cheapest
 * way to finish it by its deadline knowing the whole spot trace in advance (a dynamic programme
 * over the trace's ticks). Summed over jobs it is a lower bound on what any policy can pay, so a
 * policy's cost over it, and the share of the possible saving (always-on-demand − reference) it
 * captures, say how much is left on the table.
 *
 * Why it is a lower bound (each relaxation only lowers it):
 * - each job sees the whole spot capacity (jobs do not compete for the trace's nodes) and every
 *   on-demand node it needs, and pays only its share of a node (its GPUs over the node's);
 * - knowing the future, it never loses work: it leaves spot at the tick boundary before spot goes;
 * - no idle node time is paid (a real node waits `idleTimeoutS` before it is released).
 * Everything else is as the engine plays it: runs start at tick boundaries, a run pays its
 * provisioning delay, and every run after the first its restart overhead, billed and unproductive.
 *
 * The programme keeps, for each tick and phase (idle, or running on a market with so much
 * overhead left), the Pareto front of (work done, cost): more work for more money. Dominated points
 * and points that cannot finish by the deadline are dropped; the answer is the cheapest point that
 * completes the work. Money is computed exactly afterwards from the billed seconds of that point.
 */
import { Decimal } from '../money.js';
import type { SpotTrace } from '../model/spot.js';
import type { NodePool, SimJob } from './model.js';

export interface RefMarket {
  /** Throughput relative to the work's reference. */
  speed: number;
  /** Price of the job's share of a node, per hour. */
  pricePerHour: Decimal;
  provisioningDelayS: number;
}

export interface RefJob {
  arrivalS: number;
  deadlineS: number;
  workS: number;
  restartOverheadS: number;
}

export interface RefResult {
  cost: Decimal;
  spotS: number;
  onDemandS: number;
}

interface Pt {
  w: number;
  spotS: number;
  odS: number;
  c: number;
}

const IDLE0 = 'i0';
/** Work buckets of the Pareto fronts (see the programme's comment). */
const BUCKETS = 1000;
const IDLE1 = 'i1';

/** The cheapest schedule with perfect foresight; undefined when even on-demand alone cannot finish in time. */
export function referenceSchedule(job: RefJob, spot: RefMarket & { trace: SpotTrace }, od: RefMarket): RefResult | undefined {
  const W = job.workS;
  const a = job.arrivalS;
  const D = job.deadlineS;
  if (!(W >= 0) || !Number.isFinite(W) || !(D > a)) return W === 0 ? { cost: new Decimal(0), spotS: 0, onDemandS: 0 } : undefined;
  if (W === 0) return { cost: new Decimal(0), spotS: 0, onDemandS: 0 };
  const ps = spot.pricePerHour.toNumber() / 3600;
  const po = od.pricePerHour.toNumber() / 3600;
  const gap = spot.trace.gapS;
  const n = spot.trace.available.length;
  const availableAt = (t: number) => spot.trace.available[(((Math.floor(t / gap) % n) + n) % n)]! > 0;
  const maxSpeed = Math.max(spot.speed, od.speed);

  // All on-demand from arrival, when it makes the deadline: a first bound that prunes from the start.
  const odOnlyS = od.provisioningDelayS + W / od.speed;
  let best: Pt | undefined = a + odOnlyS <= D ? { w: W, spotS: 0, odS: odOnlyS, c: odOnlyS * po } : undefined;
  let bestCost = best ? best.c : Infinity;
  let front = new Map<string, Pt[]>([[IDLE0, [{ w: 0, spotS: 0, odS: 0, c: 0 }]]]);

  const add = (m: Map<string, Pt[]>, key: string, p: Pt) => {
    if (p.c >= bestCost) return;
    const l = m.get(key);
    if (l) l.push(p);
    else m.set(key, [p]);
  };
  /** A run on market `mk` through [t, t+L) with `ov` of overhead left at its start. */
  const run = (next: Map<string, Pt[]>, p: Pt, mk: 'S' | 'O', ov: number, L: number) => {
    const speed = mk === 'S' ? spot.speed : od.speed;
    const price = mk === 'S' ? ps : po;
    const productive = Math.max(0, L - ov);
    if (p.w + productive * speed >= W - 1e-9) {
      // Finishes inside this tick: billed only up to the finish.
      const used = Math.min(L, ov) + (W - p.w) / speed;
      const q: Pt = mk === 'S' ? { w: W, spotS: p.spotS + used, odS: p.odS, c: p.c + used * price } : { w: W, spotS: p.spotS, odS: p.odS + used, c: p.c + used * price };
      if (q.c < bestCost) {
        bestCost = q.c;
        best = q;
      }
      return;
    }
    const q: Pt = mk === 'S' ? { w: p.w + productive * speed, spotS: p.spotS + L, odS: p.odS, c: p.c + L * price } : { w: p.w + productive * speed, spotS: p.spotS, odS: p.odS + L, c: p.c + L * price };
    add(next, `${mk}${Math.max(0, ov - L)}`, q);
  };

  for (let t = a; t < D; ) {
    const tEnd = Math.min(D, (Math.floor(t / gap) + 1) * gap);
    const L = tEnd - t;
    const spotUp = availableAt(t);
    const next = new Map<string, Pt[]>();
    for (const [key, pts] of front) {
      const idle = key === IDLE0 || key === IDLE1;
      const restart = key === IDLE0 ? 0 : job.restartOverheadS;
      const mk = idle ? undefined : (key[0] as 'S' | 'O');
      const ov = idle ? 0 : Number(key.slice(1));
      for (const p of pts) {
        // Stop (or stay idle): free.
        add(next, idle ? key : IDLE1, p);
        if (mk === 'S' && spotUp) run(next, p, 'S', ov, L);
        if (mk === 'O') run(next, p, 'O', ov, L);
        // Start a run on a market the job is not on now.
        if (mk !== 'S' && spotUp) run(next, p, 'S', spot.provisioningDelayS + restart, L);
        if (mk !== 'O') run(next, p, 'O', od.provisioningDelayS + restart, L);
      }
    }
    // Keep each phase's Pareto front, and only points that can still finish by the deadline.
    // Points whose work falls in the same bucket (W / BUCKETS wide) merge into one with the most
    // work and the least cost of them: optimistic, so the result stays a lower bound, and the
    // front stays small (at most BUCKETS points).
    const reach = (D - tEnd) * maxSpeed;
    const bucketW = W / BUCKETS;
    for (const [key, pts] of next) {
      pts.sort((x, y) => y.w - x.w || x.c - y.c);
      const kept: Pt[] = [];
      let minC = Infinity;
      let last: Pt | undefined;
      let lastBucket = -1;
      for (const p of pts) {
        if (p.c >= bestCost || p.w + reach < W - 1e-9) continue;
        const b = Math.floor(p.w / bucketW);
        if (last && b === lastBucket) {
          if (p.c < last.c) kept[kept.length - 1] = last = { w: last.w, spotS: p.spotS, odS: p.odS, c: p.c };
          minC = Math.min(minC, p.c);
          continue;
        }
        if (p.c < minC) {
          kept.push(p);
          last = p;
          lastBucket = b;
          minC = p.c;
        }
      }
      if (kept.length > 0) next.set(key, kept);
      else next.delete(key);
    }
    front = next;
    t = tEnd;
  }
  if (!best) return undefined;
  const b = best as Pt;
  const cost = spot.pricePerHour.times(b.spotS).div(3600).plus(od.pricePerHour.times(b.odS).div(3600));
  return { cost, spotS: b.spotS, onDemandS: b.odS };
}

export interface SpotReference {
  /** Sum over jobs of the perfect-foresight bound (referenceBound): no policy can pay less. */
  cost: Decimal;
  jobs: number;
}

export interface VersusReference {
  /** Policy cost / reference cost. */
  ratio: number;
  /** (baseline − policy) / (baseline − reference): the share of the possible saving captured. */
  capturedShare: number;
}

/**
 * The reference for a replay, when it has a meaning: one spot pool with a trace, on-demand pools,
 * and a deadline on every job with finite work (without one, "cheapest in time" is undefined).
 * Each job gets the spot pool and the on-demand pool with the lowest price per unit of work among
 * those it may use. Undefined when the input does not qualify or a job cannot meet its deadline
 * even on on-demand alone.
 */
export function spotReference(input: { pools: readonly NodePool[]; jobs: readonly SimJob[] }): SpotReference | undefined {
  const spots = input.pools.filter((p) => p.pricing === 'spot');
  if (spots.length !== 1 || !spots[0]!.spotTrace) return undefined;
  const sp = spots[0]!;
  const ods = input.pools.filter((p) => p.pricing === 'on-demand');
  if (ods.length === 0) return undefined;
  const allows = (p: NodePool, j: SimJob) => j.gpus <= p.gpusPerNode && j.cpuMilli <= p.cpuMilliPerNode && j.memoryMib <= p.memoryMibPerNode && (!j.gpuTypes || j.gpuTypes.includes(p.gpuType));
  const share = (p: NodePool, j: SimJob) => p.pricePerNodeHour.times(p.gpusPerNode > 0 ? (j.gpus * Math.min(1000, j.gpuMilli)) / 1000 / p.gpusPerNode : 0);
  let cost = new Decimal(0);
  let jobs = 0;
  for (const j of input.jobs) {
    if (!Number.isFinite(j.workS)) continue;
    if (j.deadlineS === undefined || !allows(sp, j)) return undefined;
    const od = ods.filter((p) => allows(p, j)).sort((a, b) => a.pricePerNodeHour.toNumber() / a.speed - b.pricePerNodeHour.toNumber() / b.speed)[0];
    if (!od) return undefined;
    const gpuJob = j.gpus > 0;
    const r = referenceBound(
      { arrivalS: j.arrivalS, deadlineS: j.deadlineS, workS: j.workS, restartOverheadS: Math.max(0, j.restartOverheadS) },
      { speed: gpuJob ? sp.speed : 1, pricePerHour: share(sp, j), provisioningDelayS: sp.provisioningDelayS, trace: sp.spotTrace! },
      { speed: gpuJob ? od.speed : 1, pricePerHour: share(od, j), provisioningDelayS: od.fixedNodes > 0 ? 0 : od.provisioningDelayS },
    );
    if (r === undefined) return undefined;
    // A bound computed in binary floats: kept to a millionth of the currency unit, so JSON is stable.
    cost = cost.plus(new Decimal(r.toFixed(6)));
    jobs++;
  }
  return jobs > 0 ? { cost, jobs } : undefined;
}

export function versusReference(policyCost: Decimal, baselineCost: Decimal, ref: SpotReference): VersusReference {
  const possible = baselineCost.minus(ref.cost);
  return {
    ratio: ref.cost.gt(0) ? policyCost.div(ref.cost).toNumber() : Infinity,
    capturedShare: possible.gt(0) ? baselineCost.minus(policyCost).div(possible).toNumber() : 0,
  };
}

/**
 * The same perfect-foresight problem, bounded from below through its Lagrangian dual: for a price
 * λ per second of work, a programme over (tick, phase) finds the schedule minimising cost − λ·work
 * (no work dimension, so it is fast); for every λ, that minimum + λ·W is at most the optimum, and
 * the bound is the largest over λ (the function is concave: golden-section search). It misses the
 * optimum only by the run overheads' indivisibility (on the example trace, 0.1%).
 */
export function referenceBound(job: RefJob, spot: RefMarket & { trace: SpotTrace }, od: RefMarket): number | undefined {
  const W = job.workS;
  const a = job.arrivalS;
  const D = job.deadlineS;
  if (W === 0) return 0;
  if (!(W > 0) || !Number.isFinite(W) || !(D > a) || a + od.provisioningDelayS + W / od.speed > D) return undefined;
  const ps = spot.pricePerHour.toNumber() / 3600;
  const po = od.pricePerHour.toNumber() / 3600;
  const gap = spot.trace.gapS;
  const n = spot.trace.available.length;
  // Tick lengths and spot availability, once.
  const lens: number[] = [];
  const up: boolean[] = [];
  for (let t = a; t < D; ) {
    const tEnd = Math.min(D, (Math.floor(t / gap) + 1) * gap);
    lens.push(tEnd - t);
    up.push(spot.trace.available[(((Math.floor(t / gap) % n) + n) % n)]! > 0);
    t = tEnd;
  }
  const L = (lambda: number): number => {
    // Phase values: idle never started, idle since, and per market the overhead left → value.
    let i0 = 0;
    let i1 = Infinity;
    let S = new Map<number, number>();
    let O = new Map<number, number>();
    const step = (m: Map<number, number>, ov: number, v: number, len: number, speed: number, price: number) => {
      const productive = Math.max(0, len - ov);
      const nv = v + len * price - lambda * productive * speed;
      const key = Math.max(0, ov - len);
      const old = m.get(key);
      if (old === undefined || nv < old) m.set(key, nv);
    };
    for (let k = 0; k < lens.length; k++) {
      const len = lens[k]!;
      const nS = new Map<number, number>();
      const nO = new Map<number, number>();
      let bestS = Infinity;
      let bestO = Infinity;
      for (const v of S.values()) bestS = Math.min(bestS, v);
      for (const v of O.values()) bestO = Math.min(bestO, v);
      // Stopping is free: idle since.
      const ni1 = Math.min(i1, bestS, bestO);
      if (up[k]) for (const [ov, v] of S) step(nS, ov, v, len, spot.speed, ps);
      for (const [ov, v] of O) step(nO, ov, v, len, od.speed, po);
      // Starts: from idle (first run without restart), or switching market (with restart).
      if (up[k]) {
        step(nS, spot.provisioningDelayS, i0, len, spot.speed, ps);
        const from = Math.min(i1, bestO);
        if (from < Infinity) step(nS, spot.provisioningDelayS + job.restartOverheadS, from, len, spot.speed, ps);
      }
      step(nO, od.provisioningDelayS, i0, len, od.speed, po);
      const fromO = Math.min(i1, bestS);
      if (fromO < Infinity) step(nO, od.provisioningDelayS + job.restartOverheadS, fromO, len, od.speed, po);
      i1 = ni1;
      S = nS;
      O = nO;
    }
    let m = Math.min(i0, i1);
    for (const v of S.values()) m = Math.min(m, v);
    for (const v of O.values()) m = Math.min(m, v);
    return m + lambda * W;
  };
  // λ above the dearest market's price per second of work (with room for overheads) is never the maximum.
  let lo = 0;
  let hi = (4 * Math.max(po / od.speed, ps / spot.speed)) + 1e-12;
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - g * (hi - lo);
  let x2 = lo + g * (hi - lo);
  let f1 = L(x1);
  let f2 = L(x2);
  for (let it = 0; it < 60; it++) {
    if (f1 < f2) {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + g * (hi - lo);
      f2 = L(x2);
    } else {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - g * (hi - lo);
      f1 = L(x1);
    }
  }
  return Math.max(0, f1, f2);
}
