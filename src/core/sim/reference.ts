/**
 * The perfect-foresight reference for spot comparisons: for each job with a deadline, the cheapest
 * way to finish it by its deadline knowing the whole spot trace in advance (a dynamic programme
 * over the trace's ticks). Summed over jobs it is a lower bound on what any policy can pay, so a
 * policy's cost over it, and the share of the possible saving (always-on-demand − reference) it
 * captures, say how much is left on the table. With spot in several zones (several spot pools, each
 * with its own trace) the job may run in any zone that is up; moving between zones is a new run.
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
import { availableAt, type SpotTrace } from '../model/spot.js';
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
  /** billed seconds on each spot zone */
  spotS: number[];
  odS: number;
  c: number;
}

const IDLE0 = 'i0';
/** Work buckets of the Pareto fronts (see the programme's comment). */
const BUCKETS = 1000;
const IDLE1 = 'i1';

/** A spot market (one zone) with its trace. */
export type RefSpot = RefMarket & { trace: SpotTrace };

const spotsOf = (spot: RefSpot | readonly RefSpot[]): readonly RefSpot[] => (Array.isArray(spot) ? spot : [spot as RefSpot]);

/**
 * The cheapest schedule with perfect foresight; undefined when even on-demand alone cannot finish
 * in time. `spot` is one zone or several (each with its own trace, price, speed and provisioning
 * delay): a move between zones is a new run, with the new zone's provisioning and the restart.
 * Ticks are those of every trace's boundaries together.
 */
export function referenceSchedule(job: RefJob, spot: RefSpot | readonly RefSpot[], od: RefMarket): RefResult | undefined {
  const spots = spotsOf(spot);
  const Z = spots.length;
  const W = job.workS;
  const a = job.arrivalS;
  const D = job.deadlineS;
  if (!(W >= 0) || !Number.isFinite(W) || !(D > a)) return W === 0 ? { cost: new Decimal(0), spotS: 0, onDemandS: 0 } : undefined;
  if (W === 0) return { cost: new Decimal(0), spotS: 0, onDemandS: 0 };
  const ps = spots.map((z) => z.pricePerHour.toNumber() / 3600);
  const po = od.pricePerHour.toNumber() / 3600;
  const maxSpeed = Math.max(od.speed, ...spots.map((z) => z.speed));

  // All on-demand from arrival, when it makes the deadline: a first bound that prunes from the start.
  const odOnlyS = od.provisioningDelayS + W / od.speed;
  let best: Pt | undefined = a + odOnlyS <= D ? { w: W, spotS: new Array<number>(Z).fill(0), odS: odOnlyS, c: odOnlyS * po } : undefined;
  let bestCost = best ? best.c : Infinity;
  let front = new Map<string, Pt[]>([[IDLE0, [{ w: 0, spotS: new Array<number>(Z).fill(0), odS: 0, c: 0 }]]]);

  const add = (m: Map<string, Pt[]>, key: string, p: Pt) => {
    if (p.c >= bestCost) return;
    const l = m.get(key);
    if (l) l.push(p);
    else m.set(key, [p]);
  };
  /** A run on market `mk` (a zone's index, or -1 for on-demand) through [t, t+L) with `ov` of overhead left at its start. */
  const run = (next: Map<string, Pt[]>, p: Pt, mk: number, ov: number, L: number) => {
    const speed = mk >= 0 ? spots[mk]!.speed : od.speed;
    const price = mk >= 0 ? ps[mk]! : po;
    const productive = Math.max(0, L - ov);
    const billed = (used: number): Pt => {
      const spotS = mk >= 0 ? p.spotS.map((x, z) => (z === mk ? x + used : x)) : p.spotS;
      return { w: p.w, spotS, odS: mk >= 0 ? p.odS : p.odS + used, c: p.c + used * price };
    };
    if (p.w + productive * speed >= W - 1e-9) {
      // Finishes inside this tick: billed only up to the finish.
      const q = billed(Math.min(L, ov) + (W - p.w) / speed);
      q.w = W;
      if (q.c < bestCost) {
        bestCost = q.c;
        best = q;
      }
      return;
    }
    const q = billed(L);
    q.w = p.w + productive * speed;
    add(next, `${mk >= 0 ? `S${mk}:` : 'O'}${Math.max(0, ov - L)}`, q);
  };
  const keyMarket = (key: string): number | undefined => (key === IDLE0 || key === IDLE1 ? undefined : key[0] === 'O' ? -1 : Number(key.slice(1, key.indexOf(':'))));
  const keyOverhead = (key: string): number => Number(key[0] === 'O' ? key.slice(1) : key.slice(key.indexOf(':') + 1));

  for (let t = a; t < D; ) {
    // The tick ends at the first boundary of any trace.
    let tEnd = D;
    for (const z of spots) tEnd = Math.min(tEnd, (Math.floor(t / z.trace.gapS) + 1) * z.trace.gapS);
    const L = tEnd - t;
    const up = spots.map((z) => availableAt(z.trace, t));
    const next = new Map<string, Pt[]>();
    for (const [key, pts] of front) {
      const mk = keyMarket(key);
      const restart = key === IDLE0 ? 0 : job.restartOverheadS;
      const ov = mk === undefined ? 0 : keyOverhead(key);
      for (const p of pts) {
        // Stop (or stay idle): free.
        add(next, mk === undefined ? key : IDLE1, p);
        if (mk !== undefined && (mk === -1 || up[mk])) run(next, p, mk, ov, L);
        // Start a run on a market the job is not on now.
        for (let z = 0; z < Z; z++) if (z !== mk && up[z]) run(next, p, z, spots[z]!.provisioningDelayS + restart, L);
        if (mk !== -1) run(next, p, -1, od.provisioningDelayS + restart, L);
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
  let cost = od.pricePerHour.times(b.odS).div(3600);
  for (let z = 0; z < Z; z++) cost = cost.plus(spots[z]!.pricePerHour.times(b.spotS[z]!).div(3600));
  return { cost, spotS: b.spotS.reduce((x, y) => x + y, 0), onDemandS: b.odS };
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
 * The reference for a replay, when it has a meaning: spot pools (one, or several zones), each with a
 * trace, on-demand pools, and a deadline on every job with finite work (without one, "cheapest in
 * time" is undefined). Each job gets every spot pool it may use and the on-demand pool with the
 * lowest price per unit of work among those it may use. Undefined when the input does not qualify
 * or a job cannot meet its deadline even on on-demand alone.
 */
export function spotReference(input: { pools: readonly NodePool[]; jobs: readonly SimJob[] }): SpotReference | undefined {
  const spots = input.pools.filter((p) => p.pricing === 'spot');
  if (spots.length === 0 || spots.some((p) => !p.spotTrace)) return undefined;
  const ods = input.pools.filter((p) => p.pricing === 'on-demand');
  if (ods.length === 0) return undefined;
  const allows = (p: NodePool, j: SimJob) => j.gpus <= p.gpusPerNode && j.cpuMilli <= p.cpuMilliPerNode && j.memoryMib <= p.memoryMibPerNode && (!j.gpuTypes || j.gpuTypes.includes(p.gpuType));
  const share = (p: NodePool, j: SimJob) => p.pricePerNodeHour.times(p.gpusPerNode > 0 ? (j.gpus * Math.min(1000, j.gpuMilli)) / 1000 / p.gpusPerNode : 0);
  let cost = new Decimal(0);
  let jobs = 0;
  for (const j of input.jobs) {
    if (!Number.isFinite(j.workS)) continue;
    const mine = spots.filter((p) => allows(p, j));
    if (j.deadlineS === undefined || mine.length === 0) return undefined;
    const od = ods.filter((p) => allows(p, j)).sort((a, b) => a.pricePerNodeHour.toNumber() / a.speed - b.pricePerNodeHour.toNumber() / b.speed)[0];
    if (!od) return undefined;
    const gpuJob = j.gpus > 0;
    const r = referenceBound(
      { arrivalS: j.arrivalS, deadlineS: j.deadlineS, workS: j.workS, restartOverheadS: Math.max(0, j.restartOverheadS) },
      mine.map((sp) => ({ speed: gpuJob ? sp.speed : 1, pricePerHour: share(sp, j), provisioningDelayS: sp.provisioningDelayS, trace: sp.spotTrace! })),
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
export function referenceBound(job: RefJob, spot: RefSpot | readonly RefSpot[], od: RefMarket): number | undefined {
  const spots = spotsOf(spot);
  const Z = spots.length;
  const W = job.workS;
  const a = job.arrivalS;
  const D = job.deadlineS;
  if (W === 0) return 0;
  if (!(W > 0) || !Number.isFinite(W) || !(D > a) || a + od.provisioningDelayS + W / od.speed > D) return undefined;
  const ps = spots.map((z) => z.pricePerHour.toNumber() / 3600);
  const po = od.pricePerHour.toNumber() / 3600;
  // Tick lengths and each zone's spot availability, once: a tick ends at the first boundary of any trace.
  const lens: number[] = [];
  const up: boolean[][] = spots.map(() => []);
  for (let t = a; t < D; ) {
    let tEnd = D;
    for (const z of spots) tEnd = Math.min(tEnd, (Math.floor(t / z.trace.gapS) + 1) * z.trace.gapS);
    lens.push(tEnd - t);
    for (let z = 0; z < Z; z++) up[z]!.push(availableAt(spots[z]!.trace, t));
    t = tEnd;
  }
  // Per market (zones 0…Z−1, on-demand Z) and tick: overhead left → value, as two parallel lists
  // (a handful of entries), double-buffered so the programme allocates nothing per tick.
  const M = Z + 1;
  const mkTables = () => Array.from({ length: M }, () => ({ keys: [] as number[], vals: [] as number[] }));
  let cur = mkTables();
  let nxt = mkTables();
  const speedOf = [...spots.map((z) => z.speed), od.speed];
  const priceOf = [...ps, po];
  const L = (lambda: number): number => {
    // Phase values: idle never started, idle since, and per market the overhead left → value.
    const i0 = 0;
    let i1 = Infinity;
    for (const t of cur) ((t.keys.length = 0), (t.vals.length = 0));
    const step = (m: number, ov: number, v: number, len: number) => {
      const productive = Math.max(0, len - ov);
      const nv = v + len * priceOf[m]! - lambda * productive * speedOf[m]!;
      const key = Math.max(0, ov - len);
      const t = nxt[m]!;
      const at = t.keys.indexOf(key);
      if (at < 0) (t.keys.push(key), t.vals.push(nv));
      else if (nv < t.vals[at]!) t.vals[at] = nv;
    };
    const minOf = (xs: number[]) => {
      let b = Infinity;
      for (const x of xs) if (x < b) b = x;
      return b;
    };
    for (let k = 0; k < lens.length; k++) {
      const len = lens[k]!;
      for (const t of nxt) ((t.keys.length = 0), (t.vals.length = 0));
      const bestO = minOf(cur[Z]!.vals);
      let anyS = Infinity;
      // The two lowest zone values, so "the best zone other than z" is one comparison.
      let first = Infinity;
      let firstZ = -1;
      let second = Infinity;
      for (let z = 0; z < Z; z++) {
        const b = minOf(cur[z]!.vals);
        anyS = Math.min(anyS, b);
        if (b < first) ((second = first), (first = b), (firstZ = z));
        else if (b < second) second = b;
      }
      // Stopping is free: idle since.
      const ni1 = Math.min(i1, anyS, bestO);
      for (let z = 0; z < Z; z++) {
        if (!up[z]![k]) continue;
        const c = cur[z]!;
        for (let e = 0; e < c.keys.length; e++) step(z, c.keys[e]!, c.vals[e]!, len);
        // Starts: from idle (first run without restart), or from another market (with restart).
        step(z, spots[z]!.provisioningDelayS, i0, len);
        const from = Math.min(i1, bestO, z === firstZ ? second : first);
        if (from < Infinity) step(z, spots[z]!.provisioningDelayS + job.restartOverheadS, from, len);
      }
      const c = cur[Z]!;
      for (let e = 0; e < c.keys.length; e++) step(Z, c.keys[e]!, c.vals[e]!, len);
      step(Z, od.provisioningDelayS, i0, len);
      const fromO = Math.min(i1, anyS);
      if (fromO < Infinity) step(Z, od.provisioningDelayS + job.restartOverheadS, fromO, len);
      i1 = ni1;
      [cur, nxt] = [nxt, cur];
    }
    let m = Math.min(i0, i1);
    for (const t of cur) m = Math.min(m, minOf(t.vals));
    return m + lambda * W;
  };
  // λ above the dearest market's price per second of work (with room for overheads) is never the maximum.
  let lo = 0;
  let hi = 4 * Math.max(po / od.speed, ...ps.map((p, z) => p / spots[z]!.speed)) + 1e-12;
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
