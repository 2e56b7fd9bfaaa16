/**
 * The discrete-event engine. A simulated clock jumps from event to event: job arrival, job finish,
 * node provisioned, idle node released, spot preemption, spot availability change, and a policy's
 * wake-up. After the events of one instant, the policy schedules what it can. Arrivals are read
 * from the (sorted) trace instead of being pushed into the heap, so the heap holds only what is
 * in flight. Everything the hot loop touches is a typed array; money is computed afterwards
 * (metrics.ts), once per node, from exact prices.
 */
import type { Rng } from '../rng.js';
import { seededRng } from '../rng.js';
import { Cluster, Demands, OFF, PROVISIONING, UP } from './cluster.js';
import { EventHeap } from './heap.js';
import { IntList } from './int-list.js';
import type { NodePool, SimInput, SimJob } from './model.js';
import type { Policy, PlaceContext } from './policies/policy.js';
import { membersPerNode, splitGangs, type Gangs } from './gang.js';
import { backToSpot, backToSpotHazard, backToSpotReserve, DEFAULT_TUNING, greedy, HAZARD_TUNING, lastSafeS, RESERVE_TUNING, slackReserve, spotHazard, uniformProgress, type ProgressState, type SlackReserveTuning, type SpotHazardTuning, type SpotPast, type UniformProgressTuning } from './spot.js';

// Event kinds.
const FINISH = 1;
const NODE_UP = 2;
const IDLE_CHECK = 3;
const PREEMPT = 4;
const SPOT_CHANGE = 5;
const WAKE = 6;
/** A deadline job on spot (running or queued for a spot node) reaches its last safe moment to switch. */
const SAFETY = 7;
/** spot-hazard: a tick of a spot pool's trace while spot is up there (jobs on on-demand look again as the run ages). */
const SPOT_AGE = 8;

// Job states.
export const NOT_ARRIVED = 0;
export const QUEUED = 1;
export const RUNNING = 2;
export const FINISHED = 3;
export const UNSCHEDULABLE = 4;
export const WAITING = 5;

// Markets a job may use.
const ANY = 0;
const SPOT = 1;
const ON_DEMAND = 2;

/** How many queued jobs a pass looks at when a blocked job does not stop the scan. */
export const SCAN_DEPTH = 256;

export interface EngineOptions {
  /** Called every few thousand events with arrivals processed and the total. */
  /** Jobs arrived so far of all, and the simulated time reached (seconds). */
  onProgress?: (done: number, total: number, simTimeS: number) => void;
  /** Check every node's capacity after every instant (slow; for tests). */
  checkCapacity?: boolean;
  /** A clock in milliseconds, for benchmarks: the run then reports setup and event-loop time. */
  now?: () => number;
}

/** What the engine measured, in plain numbers; metrics.ts turns it into the report. */
export interface RawRun {
  policy: Policy;
  jobs: readonly SimJob[];
  endS: number;
  events: number;
  cluster: Cluster;
  state: Uint8Array;
  firstStartS: Float64Array;
  finishS: Float64Array;
  preemptions: Int32Array;
  /** Planned moves from on-demand back to spot (deadline-aware policy), per job. */
  migrations: Int32Array;
  /** Moves from spot to on-demand at the job's last safe moment (deadline rules), per job. */
  safetySwitches: Int32Array;
  /** Work lost to preemptions, in reference GPU-seconds. */
  lostGpuS: Float64Array;
  /** GPU-seconds each job held (thousandths × seconds / 1000). */
  gpuS: Float64Array;
  reasons: Map<number, string>;
  peakNodes: Int32Array;
  /** Capacity violations found when checking was asked for. */
  overCapacity: number;
  closed: boolean;
  /** With EngineOptions.now: milliseconds spent loading the trace into typed arrays, and in the event loop. */
  timing?: { setupMs: number; loopMs: number };
  /** Account running jobs and live nodes up to `untilS` (at least the run's own end); once. */
  close(untilS?: number): void;
}

/** The engine's closures are made once, so V8 keeps their optimised code from run to run. */
function createEngine(): (input: SimInput, policy: Policy, opts: EngineOptions) => RawRun {
  let input!: SimInput;
  let policy!: Policy;
  let opts!: EngineOptions;
  let rng!: Rng;
  let jobs!: SimJob[];
  let N!: number;
  let pools!: readonly NodePool[];
  let P!: number;
  let c!: Cluster;
  let d!: Demands;
  let ctx!: PlaceContext;
  let heap!: EventHeap;
  let st!: Uint8Array;
  let remaining!: Float64Array;
  let runStart!: Float64Array;
  let overheadNow!: Float64Array;
  let endAt!: Float64Array;
  let node!: Int32Array;
  let mask!: Int32Array;
  let gen!: Int32Array;
  let firstStartS!: Float64Array;
  let finishS!: Float64Array;
  let preemptions!: Int32Array;
  let migrations!: Int32Array;
  let restarts!: Int32Array;
  let lostGpuS!: Float64Array;
  let gpuS!: Float64Array;
  let market!: Uint8Array;
  let committed!: Uint8Array;
  let waitingFor!: Int32Array;
  let queueKey!: Float64Array;
  let nextOn!: Int32Array;
  let prevOn!: Int32Array;
  let headOn!: Int32Array;
  let reasons!: Map<number, string>;
  let nodeGen!: Int32Array;
  let idleGen!: Int32Array;
  let reservedBy!: Int32Array;
  let poolActive!: Int32Array;
  let peakNodes!: Int32Array;
  let spotAvail!: Uint8Array;
  let spotCap!: Float64Array;
  let safetySwitches!: Int32Array;
  let deadlineRule!: boolean;
  let tuning!: UniformProgressTuning;
  let reserveTuning!: SlackReserveTuning;
  let hazardTuning!: SpotHazardTuning;
  let hazard!: boolean;
  // spot-hazard's view of each spot pool's past, read from its trace tick by tick as time passes
  // (never ahead of now): the next tick to read, the current run's first tick and whether it is a
  // run of availability, and the lengths of the runs of availability that have ended.
  let pastTick!: number[];
  let pastRunStart!: number[];
  let pastRunUp!: boolean[];
  let pastUpRunsS!: number[][];
  let spotAgeGen!: Int32Array;
  let spotAgeAt!: Float64Array;
  let isSpot!: boolean[];
  let poolPrice!: number[];
  let poolOrder!: number[];
  let filters!: Uint8Array[][];
  let usesMarket!: boolean;
  let fixedMarket!: number;
  let arrival!: Float64Array;
  let overheadS!: Float64Array;
  let checkpointS!: Float64Array;
  let queue!: IntList;
  // Gangs (core/sim/gang.ts): members are engine jobs; the leader is the one queued and timed.
  let gangs!: Gangs;
  let lead!: Int32Array;
  let gNext!: Int32Array;
  let gSize!: Int32Array;
  /** A running gang's speed: its slowest member's. */
  let gangSpeed!: Float64Array;
  /** Members a gang could not place in its last try. */
  let gangShort!: Int32Array;
  const before = (x: number, y: number) => queueKey[x]! < queueKey[y]! || (queueKey[x] === queueKey[y] && x < y);
  let changed!: boolean;
  let blockedHead!: number;
  let fresh!: IntList;
  function enqueue(j: number): void {
    st[j] = QUEUED;
    fresh.push(j);
    const n = queue.n;
    const q = queue.a;
    if (n === 0 || before(q[n - 1]!, j)) {
      queue.push(j);
      if (n === 0) changed = true;
      return;
    }
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(q[mid]!, j)) lo = mid + 1;
      else hi = mid;
    }
    queue.insertAt(lo, j);
    if (lo === 0) changed = true;
  }

  // --- spot availability ---------------------------------------------------------------------
  /** Spot nodes the pool's trace allows at t (Infinity: no bound; 0: unavailable). */
  function spotCapAt(p: number, t: number): number {
    const tr = pools[p]!.spotTrace!;
    const n = tr.available.length;
    return tr.available[(((Math.floor(t / tr.gapS) % n) + n) % n)]!;
  }
  /** The next time the trace's value changes (a count, not only available or not). */
  function nextSpotChange(p: number, t: number): number {
    const tr = pools[p]!.spotTrace!;
    const n = tr.available.length;
    const now = spotCapAt(p, t);
    let i = Math.floor(t / tr.gapS) + 1;
    for (let k = 0; k < n; k++, i++) {
      if (tr.available[((i % n) + n) % n]! !== now) return i * tr.gapS;
    }
    return Infinity;
  }
  /**
   * Nodes period by period (a plan's counts); before time 0 the first period's, after the last the
   * last's: a plan's run ends with its last period, and a cut there would preempt jobs finishing
   * at that very instant.
   */
  function scheduleAt(p: number, t: number): number {
    const s = pools[p]!.schedule!;
    return s.maxNodes[Math.min(s.maxNodes.length - 1, Math.max(0, Math.floor(t / s.periodS)))]!;
  }
  function nextScheduleChange(p: number, t: number): number {
    const s = pools[p]!.schedule!;
    const now = scheduleAt(p, t);
    for (let i = Math.max(0, Math.floor(t / s.periodS)) + 1; i < s.maxNodes.length; i++) if (s.maxNodes[i]! !== now) return i * s.periodS;
    return Infinity;
  }
  const hasCapLimit = (p: number) => (isSpot[p]! && pools[p]!.spotTrace !== undefined) || pools[p]!.schedule !== undefined;
  /** Nodes the pool may have at t: the lesser of its spot trace's count and its schedule. */
  function capAt(p: number, t: number): number {
    const trace = isSpot[p]! && pools[p]!.spotTrace !== undefined ? spotCapAt(p, t) : Infinity;
    return pools[p]!.schedule ? Math.min(trace, scheduleAt(p, t)) : trace;
  }
  function nextCapChange(p: number, t: number): number {
    const a = isSpot[p]! && pools[p]!.spotTrace !== undefined ? nextSpotChange(p, t) : Infinity;
    return pools[p]!.schedule ? Math.min(a, nextScheduleChange(p, t)) : a;
  }
  function spotUpFor(j: number): boolean {
    const f = filters[d.cls[j]!]![SPOT]!;
    for (let p = 0; p < P; p++) if (f[p] === 1 && spotAvail[p] === 1 && c.fitsEmpty(p, d, j)) return true;
    return false;
  }
  /**
   * The on-demand pool a deadline counts on: the fastest the job fits. Its delay is the
   * provisioning delay whenever the pool can grow (its fixed nodes may all be busy).
   */
  function onDemandFor(j: number): { speed: number; delayS: number } {
    const p = onDemandPoolFor(j);
    if (p < 0) return { speed: 1, delayS: 0 };
    const pool = pools[p]!;
    return { speed: pool.speed, delayS: pool.maxNodes > pool.fixedNodes ? pool.provisioningDelayS : 0 };
  }
  /** Provisioning delay of the spot pool the job would go to (the shortest among those available). */
  function spotDelayFor(j: number): number {
    const f = filters[d.cls[j]!]![SPOT]!;
    let delayS = Infinity;
    for (let p = 0; p < P; p++) if (f[p] === 1 && spotAvail[p] === 1 && c.fitsEmpty(p, d, j)) delayS = Math.min(delayS, pools[p]!.provisioningDelayS);
    return Number.isFinite(delayS) ? delayS : 0;
  }
  /** The state the spot rules read, for job j at t with `leftS` of work left if spot is lost. */
  function progress(j: number, t: number, leftS: number, spotAvailable: boolean): ProgressState {
    const job = jobs[j]!;
    const od = onDemandFor(j);
    return {
      t, arrivalS: job.arrivalS, deadlineS: job.deadlineS, totalWorkS: job.workS, remainingWorkS: leftS, restartS: overheadS[j]!,
      onDemandDelayS: od.delayS, spotDelayS: spotDelayFor(j), spotAvailable, onDemandSpeed: od.speed, committed: committed[j] === 1,
    };
  }

  /** Read pool p's trace up to the tick holding t (and no further): the runs that ended by then. */
  function readPast(p: number, t: number): void {
    const tr = pools[p]!.spotTrace!;
    const n = tr.available.length;
    const last = Math.floor(t / tr.gapS);
    for (let i = pastTick[p]!; i <= last; i++) {
      const up = tr.available[((i % n) + n) % n]! > 0;
      if (i === 0 || pastTick[p] === 0) {
        pastRunUp[p] = up;
        pastRunStart[p] = i;
      } else if (up !== pastRunUp[p]) {
        if (pastRunUp[p]) pastUpRunsS[p]!.push((i - pastRunStart[p]!) * tr.gapS);
        pastRunUp[p] = up;
        pastRunStart[p] = i;
      }
      pastTick[p] = i + 1;
    }
  }
  /** What spot-hazard may know at t of the spot pool job j would go to (the first it may use with spot up). */
  function spotPastFor(j: number, t: number): SpotPast | undefined {
    const f = filters[d.cls[j]!]![SPOT]!;
    for (const p of poolOrder) {
      if (f[p] !== 1 || spotAvail[p] !== 1 || !c.fitsEmpty(p, d, j)) continue;
      const tr = pools[p]!.spotTrace;
      if (!tr) return undefined;
      readPast(p, t);
      // The age of the run the engine is in (its view and the trace's agree but at a tick's instant).
      const ageS = pastRunUp[p] === (spotAvail[p] === 1) ? t - pastRunStart[p]! * tr.gapS : 0;
      const od = onDemandPoolFor(j);
      const priceRatio = od >= 0 && poolPrice[od]! > 0 ? poolPrice[p]! / poolPrice[od]! : 1;
      const notice = noticeKeeps(j, p);
      return { ageS, upRunsS: pastUpRunsS[p]!, spotSpeed: d.gpus[j]! > 0 ? pools[p]!.speed : 1, priceRatio, tickS: tr.gapS, ...(notice > 0 && { noticeS: notice }) };
    }
    return undefined;
  }
  /** Pool p's preemption notice when job j writes a checkpoint on it in time (its state then is kept), else 0. */
  function noticeKeeps(j: number, p: number): number {
    const notice = pools[p]!.spotNoticeS ?? 0;
    const write = jobs[j]!.checkpointOnNoticeWriteS;
    return write !== undefined && notice > 0 && write <= notice ? notice : 0;
  }
  /** The on-demand pool the deadline counts on (the fastest the job fits, the first of equals), or -1. */
  function onDemandPoolFor(j: number): number {
    const f = filters[d.cls[j]!]![ON_DEMAND]!;
    let best = -1;
    for (let p = 0; p < P; p++) if (f[p] === 1 && c.fitsEmpty(p, d, j) && (best < 0 || pools[p]!.speed > pools[best]!.speed)) best = p;
    return best;
  }

  // --- nodes -----------------------------------------------------------------------------------
  const autoscaled = (n: number) => n - c.poolFirst[c.nodePool[n]!]! >= pools[c.nodePool[n]!]!.fixedNodes;
  let isAutoscaled!: Uint8Array;
  let idleSince!: Float64Array;
  let becameIdle!: IntList;
  function markIdle(n: number, t: number): void {
    idleSince[n] = t;
    if (isAutoscaled[n] === 1) becameIdle.push(n);
  }
  function startIdleTimers(t: number): void {
    for (let k = 0; k < becameIdle.n; k++) {
      const n = becameIdle.a[k]!;
      if (c.state[n] !== UP || c.jobsOn[n] !== 0 || idleSince[n] !== t) continue;
      idleGen[n] = idleGen[n]! + 1;
      if (autoscaled(n) && reservedBy[n]! < 0) heap.push(t + pools[c.nodePool[n]!]!.idleTimeoutS, IDLE_CHECK, n, idleGen[n]!);
    }
    becameIdle.clear();
  }
  function nodeUp(n: number, t: number): void {
    changed = true;
    c.up(n, t);
    nodeGen[n] = nodeGen[n]! + 1;
    const pool = pools[c.nodePool[n]!]!;
    if (pool.pricing === 'spot' && pool.preemptionRatePerHour && pool.preemptionRatePerHour > 0) {
      heap.push(t + (-Math.log(1 - rng.next()) / pool.preemptionRatePerHour) * 3600, PREEMPT, n, nodeGen[n]!);
    }
  }
  function nodeOff(n: number, t: number): void {
    changed = true;
    const r = reservedBy[n]!;
    if (r >= 0) {
      waitingFor[r] = -1;
      reservedBy[n] = -1;
    }
    c.off(n, t);
    nodeGen[n] = nodeGen[n]! + 1;
    poolActive[c.nodePool[n]!] = poolActive[c.nodePool[n]!]! - 1;
    // A gang's order fell through: the nodes it holds up go back to the pool.
    if (r >= 0 && usesMarket && gSize[r]! > 1 && !gangProvisioning(r)) releaseGang(r, t);
  }
  function gangProvisioning(r: number): boolean {
    for (let n = 0; n < c.n; n++) if (reservedBy[n] === r && c.state[n] === PROVISIONING) return true;
    return false;
  }
  function releaseGang(r: number, t: number): void {
    for (let n = 0; n < c.n; n++) {
      if (reservedBy[n] !== r) continue;
      reservedBy[n] = -1;
      if (c.state[n] === UP && c.jobsOn[n] === 0) markIdle(n, t);
    }
  }
  /** Once every node a gang ordered is up: it starts (when still queued and it fits), or lets them go. */
  function settleGang(r: number, t: number): void {
    if (gangProvisioning(r)) return;
    if (st[r] === QUEUED && tryStartGang(r, t)) queue.removeAt(queue.indexOf(r));
    else releaseGang(r, t);
  }
  let t0!: number;
  // --- jobs ------------------------------------------------------------------------------------
  function start(j: number, n: number, t: number): void {
    mask[j] = c.allocate(n, d, j, t);
    begin(j, n, t, speedOn(j, n));
  }
  /** Job (or gang member) j, its resources on node n already allocated, runs from t at `speed`. */
  function begin(j: number, n: number, t: number, speed: number): void {
    st[j] = RUNNING;
    node[j] = n;
    runStart[j] = t;
    if (Number.isNaN(firstStartS[j]!)) firstStartS[j] = t;
    overheadNow[j] = restarts[j]! > 0 ? overheadS[j]! : 0;
    gen[j] = gen[j]! + 1;
    const h = headOn[n]!;
    nextOn[j] = h;
    prevOn[j] = -1;
    if (h >= 0) prevOn[h] = j;
    headOn[n] = j;
    idleGen[n] = idleGen[n]! + 1;
    const w = waitingFor[j]!;
    if (w >= 0) {
      reservedBy[w] = -1;
      waitingFor[j] = -1;
      if (w !== n && c.state[w] === UP && c.jobsOn[w] === 0) markIdle(w, t);
    }
    const end = t + overheadNow[j]! + remaining[j]! / speed;
    endAt[j] = end;
    // A gang's members end together: its leader's events stand for all of them.
    if (lead[j] !== j) return;
    if (Number.isFinite(end)) heap.push(end, FINISH, j, gen[j]!);
    if (deadlineRule && market[j] === SPOT) armSafety(j, t, remaining[j]!);
  }

  /**
   * A gang starts only whole: each member in turn goes where the policy places it (two may share
   * a node); if one finds no node, those placed are released again and the gang waits.
   */
  function tryStartGang(j: number, t: number): boolean {
    const k = gSize[j]!;
    if (d.gpuDemandMilli(j) * k > c.totalFreeMilli) {
      gangShort[j] = k;
      return false;
    }
    const ok = poolOkOf(j);
    let placed = 0;
    for (let m = j; m >= 0; m = gNext[m]!) {
      const n = policy.pickNode(ctx, m, ok, -1);
      if (n < 0) break;
      mask[m] = c.allocate(n, d, m, t);
      node[m] = n;
      placed++;
    }
    if (placed < k) {
      for (let m = j, i = 0; i < placed; m = gNext[m]!, i++) {
        c.release(node[m]!, d, m, mask[m]!, t);
        node[m] = -1;
      }
      gangShort[j] = k - placed;
      return false;
    }
    let speed = Infinity;
    for (let m = j; m >= 0; m = gNext[m]!) speed = Math.min(speed, speedOn(m, node[m]!));
    gangSpeed[j] = speed;
    for (let m = j; m >= 0; m = gNext[m]!) {
      remaining[m] = remaining[j]!;
      restarts[m] = restarts[j]!;
      begin(m, node[m]!, t, speed);
    }
    for (let n = 0; n < c.n; n++) {
      if (reservedBy[n] !== j) continue;
      reservedBy[n] = -1;
      if (c.state[n] === UP && c.jobsOn[n] === 0) markIdle(n, t);
    }
    return true;
  }
  /** Nodes for the members a gang could not place, in the pools the policy ranks first. */
  function provisionGang(j: number, t: number): void {
    const ok = poolOkOf(j);
    const perNode = (p: number) => membersPerNode(pools[p]!, d.gpus[j]!);
    let need = gangShort[j]!;
    // Nodes already ordered count only in the pools it may use now (a gang that left spot for
    // on-demand at its last safe moment may still hold spot nodes being provisioned).
    for (let n = 0; n < c.n; n++) if (reservedBy[n] === j && c.state[n] === PROVISIONING && ok[c.nodePool[n]!] === 1) need -= perNode(c.nodePool[n]!);
    if (need <= 0) return;
    // All or nothing here too: nodes for part of a gang would sit idle (and be released, and
    // ordered again, without end when the idle timeout is 0).
    let room = 0;
    for (const p of poolOrder) if (ok[p] === 1 && c.fitsEmpty(p, d, j)) room += Math.max(0, spotRoom(p) - poolActive[p]!) * perNode(p);
    if (room < need) return;
    for (const p of poolOrder) {
      if (need <= 0) return;
      if (ok[p] !== 1 || !c.fitsEmpty(p, d, j)) continue;
      for (let n = c.poolFirst[p]!; n < c.poolEnd[p]! && need > 0 && poolActive[p]! < spotRoom(p); n++) {
        if (c.state[n] !== OFF) continue;
        c.provision(n, t);
        poolActive[p] = poolActive[p]! + 1;
        if (poolActive[p]! > peakNodes[p]!) peakNodes[p] = poolActive[p]!;
        reservedBy[n] = j;
        heap.push(t + pools[p]!.provisioningDelayS, NODE_UP, n, nodeGen[n]!);
        need -= perNode(p);
      }
    }
  }
  /** Take every member of j's gang (or j alone) off its node; nodes left empty become idle. */
  function detachGang(j: number, t: number): void {
    for (let m = j; m >= 0; m = gNext[m]!) {
      const n = node[m]!;
      detach(m, t);
      // The leader's state is the gang's; a member off its node is not running.
      if (m !== j) st[m] = NOT_ARRIVED;
      if (c.state[n] === UP && c.jobsOn[n] === 0) markIdle(n, t);
    }
  }

  /** Schedule the job's last safe moment to leave spot, from the work it would have left if spot went now. */
  function armSafety(j: number, t: number, leftS: number): void {
    if (jobs[j]!.deadlineS === undefined || !Number.isFinite(leftS)) return;
    const at = lastSafeS(progress(j, t, leftS, true));
    heap.push(Math.max(t, at), SAFETY, j, gen[j]!);
  }
  /** Work a job running now would have left if preempted now: its progress up to the last checkpoint. */
  function savedLeft(j: number, t: number): number {
    const every = checkpointS[j]!;
    if (every <= 0) return remaining[j]!;
    const savedS = Math.floor(productiveS(j, t) / every) * every;
    return Math.max(0, remaining[j]! - savedS * jobSpeed(j));
  }
  /**
   * A SAFETY event: the job on spot has reached its last safe moment (recomputed: a checkpoint
   * since may have moved it later). It moves to on-demand for good; a running job saves its state
   * first (a planned move, nothing lost), a queued one gives up the spot node it was waiting for.
   */
  function safetyCheck(j: number, t: number): void {
    if (market[j] !== SPOT) return;
    if (st[j] === RUNNING) {
      const at = lastSafeS(progress(j, t, savedLeft(j, t), true));
      if (t < at) {
        heap.push(at, SAFETY, j, gen[j]!);
        return;
      }
      committed[j] = 1;
      safetySwitches[j] = safetySwitches[j]! + 1;
      migrate(j, t, false);
    } else if (st[j] === QUEUED) {
      const at = lastSafeS(progress(j, t, remaining[j]!, true));
      if (t < at) {
        heap.push(at, SAFETY, j, gen[j]!);
        return;
      }
      queue.removeAt(queue.indexOf(j));
      const w = waitingFor[j]!;
      if (w >= 0) {
        reservedBy[w] = -1;
        waitingFor[j] = -1;
      }
      // A gang lets go of the spot nodes it ordered: it goes to on-demand now, not when they come up.
      if (gSize[j]! > 1) releaseGang(j, t);
      committed[j] = 1;
      safetySwitches[j] = safetySwitches[j]! + 1;
      changed = true;
      decide(j, t);
    }
  }

  function detach(j: number, t: number): void {
    changed = true;
    const n = node[j]!;
    c.release(n, d, j, mask[j]!, t);
    gpuS[j] = gpuS[j]! + ((t - runStart[j]!) * d.gpus[j]! * d.milli[j]!) / 1000;
    const p = prevOn[j]!;
    const x = nextOn[j]!;
    if (p >= 0) nextOn[p] = x;
    else headOn[n] = x;
    if (x >= 0) prevOn[x] = p;
    node[j] = -1;
    gen[j] = gen[j]! + 1;
  }

  let activeFinite!: number;
  function finish(j: number, t: number): void {
    for (let m = j; m >= 0; m = gNext[m]!) {
      const n = node[m]!;
      detach(m, t);
      st[m] = FINISHED;
      finishS[m] = t;
      remaining[m] = 0;
      if (c.jobsOn[n] === 0) markIdle(n, t);
    }
    activeFinite--;
  }

  /** Speed of the job on node n (GPU speed does not apply to CPU-only jobs). */
  function speedOn(j: number, n: number): number {
    return d.gpus[j]! > 0 ? pools[c.nodePool[n]!]!.speed : 1;
  }
  /** Speed of a running job: its node's, or for a gang its slowest member's. */
  function jobSpeed(j: number): number {
    return gSize[j]! > 1 ? gangSpeed[j]! : speedOn(j, node[j]!);
  }
  /** Seconds a running job has worked since it (re)started, its restart overhead excluded. */
  function productiveS(j: number, t: number): number {
    return Math.max(0, t - runStart[j]! - overheadNow[j]!);
  }
  /** Reference work a running job has left at t, with nothing lost. */
  function workLeft(j: number, t: number): number {
    return Math.max(0, remaining[j]! - productiveS(j, t) * jobSpeed(j));
  }

  /**
   * The job loses the work since its last checkpoint (periodic, or written on the pool's preemption
   * notice) and goes back to be scheduled again. A gang
   * member's preemption preempts the whole gang (its other nodes are left idle).
   */
  function preempt(j0: number, t: number): void {
    const j = lead[j0]!;
    const speed = jobSpeed(j);
    const workedS = productiveS(j, t);
    const every = checkpointS[j]!;
    // Warned `notice` seconds ahead, a job that can write a checkpoint in that time saves its work
    // as it stood when the warning came (the work during the notice is lost: the write is of the
    // state then); otherwise only its periodic checkpoints count.
    const notice = noticeKeeps(j, c.nodePool[node[j0]!]!);
    const onNoticeS = notice > 0 ? Math.max(0, workedS - notice) : 0;
    const savedS = Math.max(every > 0 ? Math.floor(workedS / every) * every : 0, onNoticeS);
    const doneWork = Math.min(remaining[j]!, workedS * speed);
    const savedWork = Math.min(doneWork, savedS * speed);
    lostGpuS[j] = lostGpuS[j]! + ((doneWork - savedWork) * d.gpus[j]! * d.milli[j]! * gSize[j]!) / 1000;
    remaining[j] = remaining[j]! - savedWork;
    preemptions[j] = preemptions[j]! + 1;
    restarts[j] = restarts[j]! + 1;
    if (gSize[j]! > 1) detachGang(j, t);
    else detach(j, t);
    decide(j, t);
  }

  /**
   * Spot is back: a deadline-aware job running on on-demand (not yet committed to it for good)
   * moves back to spot when it is ahead of the uniform-progress line by more than two changeovers
   * (restart overhead + provisioning: the move costs one, the margin keeps it from flapping) and
   * a spot node can be had, and the work left is more than four changeovers. The move is planned,
   * so the job saves its state first: it loses no work, only the restart overhead when it starts
   * again.
   */
  /** Returns how many jobs on on-demand, not committed, it looked at (moved or not). */
  function moveBackToSpot(t: number): number {
    // Candidates first, moves after: a gang's move takes members off other nodes of this scan.
    const candidates: number[] = [];
    for (let p = 0; p < P; p++) {
      if (isSpot[p]) continue;
      for (let n = c.poolFirst[p]!; n < c.poolEnd[p]!; n++) {
        if (c.state[n] !== UP) continue;
        // A gang is looked at through its leader (its members follow it).
        for (let j = headOn[n]!; j >= 0; j = nextOn[j]!) if (lead[j] === j && market[j] === ON_DEMAND && committed[j] === 0) candidates.push(j);
      }
    }
    for (const j of candidates) if (st[j] === RUNNING && aheadForSpot(j, t)) migrate(j, t);
    return candidates.length;
  }
  function aheadForSpot(j: number, t: number): boolean {
    // The rule first: it is arithmetic, where looking for a spot node scans the pools.
    const s = progress(j, t, workLeft(j, t), true);
    const back = hazard
      ? backToSpotHazard({ ...s, checkpointS: checkpointS[j]! }, spotPastFor(j, t), hazardTuning)
      : policy.market === 'slack-reserve'
        ? backToSpotReserve({ ...s, checkpointS: checkpointS[j]! }, reserveTuning)
        : backToSpot(s, tuning);
    return back && spotRoomFor(j, gSize[j]!);
  }
  /**
   * Is there room on spot now for the job, or for all k members of its gang: nodes up where a
   * member fits (one each, to be safe) and nodes that may still be started?
   */
  function spotRoomFor(j: number, k: number): boolean {
    const f = filters[d.cls[j]!]![SPOT]!;
    let room = 0;
    for (let p = 0; p < P; p++) {
      if (f[p] !== 1 || spotAvail[p] !== 1 || !c.fitsEmpty(p, d, j)) continue;
      const perNode = membersPerNode(pools[p]!, d.gpus[j]!);
      room += Math.max(0, spotRoom(p) - poolActive[p]!) * perNode;
      if (room >= k) return true;
      for (let n = c.poolFirst[p]!; n < c.poolEnd[p]!; n++) if (c.state[n] === UP && c.fits(n, d, j) && ++room >= k) return true;
    }
    return false;
  }
  function migrate(j: number, t: number, toSpot = true): void {
    const n = node[j]!;
    remaining[j] = workLeft(j, t);
    restarts[j] = restarts[j]! + 1;
    if (toSpot) migrations[j] = migrations[j]! + 1;
    if (gSize[j]! > 1) detachGang(j, t);
    else {
      detach(j, t);
      if (c.jobsOn[n] === 0) markIdle(n, t);
    }
    decide(j, t);
  }

  function evictNode(n: number, t: number): void {
    for (let j = headOn[n]!; j >= 0; j = headOn[n]!) preempt(j, t);
    nodeOff(n, t);
  }

  let waitList!: number[];
  let inWait!: Uint8Array;
  function setWaiting(j: number): void {
    st[j] = WAITING;
    if (inWait[j] === 0) {
      inWait[j] = 1;
      waitList.push(j);
    }
  }
  function wakeWaiting(t: number): void {
    const list = waitList;
    waitList = [];
    for (const j of list) inWait[j] = 0;
    for (const j of list) if (st[j] === WAITING) decide(j, t);
  }

  /** Queue the job, or for spot policies first choose its market (or let it wait). */
  function decide(j: number, t: number): void {
    if (!usesMarket) {
      enqueue(j);
      return;
    }
    if (fixedMarket === ON_DEMAND) {
      market[j] = ON_DEMAND;
      enqueue(j);
      return;
    }
    if (fixedMarket === SPOT) {
      market[j] = SPOT;
      if (spotUpFor(j)) enqueue(j);
      else setWaiting(j);
      return;
    }
    const s = progress(j, t, remaining[j]!, spotUpFor(j));
    const choice = hazard
      ? spotHazard({ ...s, checkpointS: checkpointS[j]! }, s.spotAvailable ? spotPastFor(j, t) : undefined, hazardTuning)
      : policy.market === 'greedy'
        ? greedy(s)
        : policy.market === 'slack-reserve'
          ? slackReserve(s, reserveTuning)
          : uniformProgress(s, tuning);
    committed[j] = choice.committed ? 1 : 0;
    if (choice.market === 'wait') {
      setWaiting(j);
      gen[j] = gen[j]! + 1;
      if (choice.wakeAtS !== undefined) heap.push(choice.wakeAtS, WAKE, j, gen[j]!);
      return;
    }
    market[j] = choice.market === 'spot' ? SPOT : ON_DEMAND;
    enqueue(j);
    // spot-hazard sent it to on-demand with spot up (a run not worth it yet): look again as the run ages.
    if (hazard && market[j] === ON_DEMAND && !choice.committed && s.spotAvailable) for (let p = 0; p < P; p++) if (isSpot[p] && spotAvail[p] === 1 && !spotAgeArmed(p, t)) armSpotAge(p, t);
    if (market[j] === SPOT) {
      gen[j] = gen[j]! + 1;
      armSafety(j, t, remaining[j]!);
    }
  }

  /** Would the job fit an empty node of some pool it may use? (The hot path: no job object read.) */
  function placeable(j: number): boolean {
    const f = filters[d.cls[j]!]![fixedMarket]!;
    for (let p = 0; p < P; p++) if (f[p] === 1 && c.fitsEmpty(p, d, j)) return true;
    return false;
  }
  function unschedulableReason(j: number): string {
    const job = jobs[j]!;
    const f = filters[d.cls[j]!]![fixedMarket]!;
    let typeOk = false;
    let maxGpus = 0;
    for (let p = 0; p < P; p++) {
      if (f[p] !== 1) continue;
      typeOk = true;
      maxGpus = Math.max(maxGpus, pools[p]!.gpusPerNode);
    }
    const where = fixedMarket === SPOT ? 'spot pool' : fixedMarket === ON_DEMAND ? 'non-spot pool' : 'pool';
    if (!typeOk) return job.gpuTypes ? `no ${where} has GPU type ${job.gpuTypes.join(' or ')}` : `no ${where}`;
    if (job.gpus > maxGpus) return `needs ${job.gpus} GPUs on one node; the largest allowed node has ${maxGpus}`;
    return 'needs more CPU or memory than any allowed node has';
  }

  function arrive(j: number, t: number): void {
    // A gang arrives through its leader; the other members follow it.
    if (lead[j] !== j) return;
    if (!placeable(j)) {
      st[j] = UNSCHEDULABLE;
      reasons.set(j, unschedulableReason(j));
      return;
    }
    // Not yet run: remaining is the job's work (infinite for a service that never ends).
    if (Number.isFinite(remaining[j]!)) activeFinite++;
    decide(j, t);
  }

  const poolOkOf = (j: number) => filters[d.cls[j]!]![usesMarket ? market[j]! : ANY]!;

  /** Start a node for a job that fits nowhere now, in the pool the policy ranks first. */
  function maybeProvision(j: number, t: number): void {
    if (gSize[j]! > 1) {
      provisionGang(j, t);
      return;
    }
    if (waitingFor[j]! >= 0) return;
    const ok = poolOkOf(j);
    for (const p of poolOrder) {
      if (ok[p] !== 1 || poolActive[p]! >= spotRoom(p) || !c.fitsEmpty(p, d, j)) continue;
      for (let n = c.poolFirst[p]!; n < c.poolEnd[p]!; n++) {
        if (c.state[n] !== OFF) continue;
        c.provision(n, t);
        poolActive[p] = poolActive[p]! + 1;
        if (poolActive[p]! > peakNodes[p]!) peakNodes[p] = poolActive[p]!;
        reservedBy[n] = j;
        waitingFor[j] = n;
        heap.push(t + pools[p]!.provisioningDelayS, NODE_UP, n, nodeGen[n]!);
        return;
      }
    }
  }

  let boundValid!: boolean;
  let failedInPass!: boolean;
  let bWhole!: number;
  let bShare!: number;
  let bCpu!: number;
  let bMem!: number;
  const bounds = new Float64Array(4);
  function computeBounds(): void {
    c.freeBounds(bounds);
    bWhole = bounds[0]!;
    bShare = bounds[1]!;
    bCpu = bounds[2]!;
    bMem = bounds[3]!;
    boundValid = true;
  }
  function tryStart(j: number, t: number, exclude: number): boolean {
    if (gSize[j]! > 1) return tryStartGang(j, t);
    if (d.gpuDemandMilli(j) > c.totalFreeMilli) return false;
    if (failedInPass) {
      if (!boundValid) computeBounds();
      const g = d.gpus[j]!;
      const m = d.milli[j]!;
      if (d.cpu[j]! > bCpu || d.mem[j]! > bMem || (g > 1 || m >= 1000 ? g > bWhole : g === 1 && m > bShare)) return false;
    }
    const n = policy.pickNode(ctx, j, poolOkOf(j), exclude);
    if (n < 0) {
      failedInPass = true;
      return false;
    }
    start(j, n, t);
    return true;
  }

  let tmpGpu!: Int32Array;
  let ends!: number[];
  function reservation(h: number): { node: number; atS: number } {
    // A gang's start needs several nodes freed at once: EASY's one-node reservation cannot say when.
    if (gSize[h]! > 1) return { node: -1, atS: Infinity };
    const ok = poolOkOf(h);
    let bestNode = -1;
    let bestT = Infinity;
    for (let n = 0; n < c.n; n++) {
      if (c.state[n] !== UP || ok[c.nodePool[n]!] !== 1 || !c.fitsEmpty(c.nodePool[n]!, d, h)) continue;
      ends.length = 0;
      for (let j = headOn[n]!; j >= 0; j = nextOn[j]!) ends.push(j);
      ends.sort((x, y) => endAt[x]! - endAt[y]! || x - y);
      let cpu = c.freeCpu[n]!;
      let mem = c.freeMem[n]!;
      const g = c.gpuCount[n]!;
      const base = n * c.stride;
      for (let i = 0; i < g; i++) tmpGpu[i] = c.gpuFree[base + i]!;
      for (const j of ends) {
        const tEnd = endAt[j]!;
        if (tEnd >= bestT) break;
        cpu += d.cpu[j]!;
        mem += d.mem[j]!;
        for (let i = 0, m = mask[j]!; m !== 0; i++, m >>>= 1) if (m & 1) tmpGpu[i] = tmpGpu[i]! + d.milli[j]!;
        if (cpu >= d.cpu[h]! && mem >= d.mem[h]! && gpusFit(tmpGpu, g, d.gpus[h]!, d.milli[h]!)) {
          bestT = tEnd;
          bestNode = n;
          break;
        }
      }
    }
    return { node: bestNode, atS: bestT };
  }

  function schedule(t: number): void {
    if (queue.n === 0) {
      fresh.clear();
      changed = false;
      return;
    }
    const mode = policy.mode;
    if (!changed) {
      // Nothing freed since the last pass: jobs that did not fit then still do not.
      if (mode === 'head' && queue.a[0] === blockedHead) {
        fresh.clear();
        return;
      }
      if (mode === 'skip') {
        boundValid = false;
        failedInPass = false;
        for (let k = 0; k < fresh.n; k++) {
          const j = fresh.a[k]!;
          if (st[j] !== QUEUED) continue;
          if (tryStart(j, t, -1)) queue.removeAt(queue.indexOf(j));
          else maybeProvision(j, t);
        }
        fresh.clear();
        return;
      }
    }
    fresh.clear();
    changed = false;
    blockedHead = -1;
    boundValid = false;
    failedInPass = false;
    // Compaction in place: w is where the next job that stays queued goes.
    let w = 0;
    let i = 0;
    let res: { node: number; atS: number } | undefined;
    const q = queue.a;
    for (; i < queue.n; i++) {
      const j = q[i]!;
      if (mode === 'head') {
        if (tryStart(j, t, -1)) continue;
        maybeProvision(j, t);
        blockedHead = j;
        break;
      }
      if (w >= SCAN_DEPTH) break;
      if (mode === 'easy' && res) {
        const shortEnough = t + (restarts[j]! > 0 ? overheadS[j]! : 0) + remaining[j]! / minSpeed <= res.atS;
        if (tryStart(j, t, shortEnough ? -1 : res.node)) continue;
      } else if (tryStart(j, t, -1)) continue;
      maybeProvision(j, t);
      if (mode === 'easy' && !res) res = reservation(j);
      q[w++] = j;
    }
    if (w === i) return;
    q.copyWithin(w, i, queue.n);
    queue.n -= i - w;
    // A pass that started jobs may have changed nothing else; the next pass need not rescan.
    changed = false;
  }
  let minSpeed!: number;
  let horizon!: number;
  let nextArrival!: number;
  let events!: number;
  let now!: number;
  let nextReport!: number;
  let overCapacity!: number;
  let checkCapacity!: boolean;
  const live = (): boolean => nextArrival < N || activeFinite > 0;
  /**
   * A spot pool's trace changes value: when it allows fewer nodes than the pool has, the excess
   * goes (nodes still being provisioned first, then the last nodes up); at 0 every node goes and
   * queued spot jobs choose again; when it comes back, waiting jobs wake.
   */
  function spotChange(a: number, t: number): void {
    const was = spotAvail[a]!;
    spotCap[a] = capAt(a, t);
    spotAvail[a] = spotCap[a]! > 0 ? 1 : 0;
    changed = true;
    const nx = nextCapChange(a, t);
    if (Number.isFinite(nx)) heap.push(nx, SPOT_CHANGE, a, 0);
    if (poolActive[a]! > spotCap[a]!) {
      for (let n = c.poolEnd[a]! - 1; n >= c.poolFirst[a]! && poolActive[a]! > spotCap[a]!; n--) if (c.state[n] === PROVISIONING) nodeOff(n, t);
      // A schedule's cut is the operator's choice (the plan buys fewer nodes): idle nodes go first.
      // Spot takes whichever nodes the cloud takes: the last nodes up.
      if (!isSpot[a]) for (let n = c.poolEnd[a]! - 1; n >= c.poolFirst[a]! && poolActive[a]! > spotCap[a]!; n--) if (c.state[n] === UP && c.jobsOn[n] === 0) nodeOff(n, t);
      for (let n = c.poolEnd[a]! - 1; n >= c.poolFirst[a]! && poolActive[a]! > spotCap[a]!; n--) if (c.state[n] === UP) evictNode(n, t);
    }
    if (was === spotAvail[a] || !isSpot[a]) return;
    if (!spotAvail[a]) {
      // Queued spot jobs choose again: waiting, or on-demand if the deadline asks for it.
      if (usesMarket) {
        const all = queue.toArray();
        const again = all.filter((j) => market[j] === SPOT && !spotUpFor(j));
        if (again.length > 0) {
          queue.clear();
          for (const j of all) if (!(market[j] === SPOT && !spotUpFor(j))) queue.push(j);
          for (const j of again) decide(j, t);
        }
      }
    } else {
      wakeWaiting(t);
      if (policy.market === 'deadline-aware' || policy.market === 'slack-reserve' || hazard) moveBackToSpot(t);
      if (hazard) armSpotAge(a, t);
    }
  }
  /** Is a job queued for on-demand and not committed to it (spot-hazard may yet move it)? */
  function onDemandQueued(): boolean {
    for (let k = 0; k < queue.n; k++) {
      const j = queue.a[k]!;
      if (market[j] === ON_DEMAND && committed[j] === 0) return true;
    }
    return false;
  }
  /** spot-hazard: look again a tick later while spot stays up in pool a (a run that has aged may now be worth it). */
  function armSpotAge(a: number, t: number): void {
    const tr = pools[a]!.spotTrace;
    if (!tr) return;
    spotAgeGen[a] = spotAgeGen[a]! + 1;
    spotAgeAt[a] = (Math.floor(t / tr.gapS) + 1) * tr.gapS;
    heap.push(spotAgeAt[a]!, SPOT_AGE, a, spotAgeGen[a]!);
  }
  /** Is pool a's next tick already in the heap (a later one than t)? */
  function spotAgeArmed(a: number, t: number): boolean {
    return spotAgeAt[a]! > t;
  }
  /** Nodes the pool may have now: its maxNodes, or fewer when a spot trace counts instances or a schedule says so. */
  function spotRoom(p: number): number {
    return Math.min(pools[p]!.maxNodes, spotCap[p]!);
  }
  /**
   * The event loop, a function of its own: V8 optimises it once the warm-up runs have called it,
   * instead of replacing the running setup code mid-loop (on-stack replacement), which made a
   * run's speed depend on when that happened (1.1 to 2.0 M events/s between identical runs).
   */
  function loop(): void {
    while (live()) {
      const ta = nextArrival < N ? arrival[nextArrival]! : Infinity;
      const te = heap.peekTime();
      const t = ta < te ? ta : te;
      if (t === Infinity || t > horizon) break;
      now = t;
      // Every event at this instant, then one scheduling pass.
      for (;;) {
        if (nextArrival < N && arrival[nextArrival] === t) {
          arrive(nextArrival++, t);
          events++;
          continue;
        }
        if (heap.peekTime() !== t) break;
        heap.pop();
        events++;
        const a = heap.ea;
        const b = heap.eb;
        switch (heap.k) {
          case FINISH:
            if (st[a] === RUNNING && gen[a] === b) finish(a, t);
            break;
          case NODE_UP:
            if (c.state[a] === PROVISIONING && nodeGen[a] === b) {
              const r = reservedBy[a]!;
              if (r >= 0 && usesMarket && gSize[r]! > 1) {
                // A gang under the spot rules keeps the nodes it ordered until all are up, then
                // starts on them before the queue's pass (a deadline counts on that).
                nodeUp(a, t);
                settleGang(r, t);
                break;
              }
              if (r >= 0) {
                waitingFor[r] = -1;
                reservedBy[a] = -1;
              }
              nodeUp(a, t);
              // Under the spot rules the job that ordered the node gets it: a deadline counts on
              // the provisioning delay, not on winning the node from a job ahead in the queue.
              if (r >= 0 && usesMarket && st[r] === QUEUED && gSize[r] === 1 && poolOkOf(r)[c.nodePool[a]!] === 1 && c.fits(a, d, r)) {
                queue.removeAt(queue.indexOf(r));
                start(r, a, t);
              } else markIdle(a, t);
            }
            break;
          case IDLE_CHECK:
            if (c.state[a] === UP && c.jobsOn[a] === 0 && idleGen[a] === b && reservedBy[a]! < 0) nodeOff(a, t);
            break;
          case PREEMPT:
            if (c.state[a] === UP && nodeGen[a] === b) evictNode(a, t);
            break;
          case SPOT_CHANGE:
            spotChange(a, t);
            break;
          case WAKE:
            if (st[a] === WAITING && gen[a] === b) decide(a, t);
            break;
          case SAFETY:
            if (gen[a] === b) safetyCheck(a, t);
            break;
          case SPOT_AGE:
            // Ticks go on only while a job on on-demand may still move (running or queued there):
            // otherwise a run with nothing left to happen would never end.
            if (spotAvail[a] === 1 && spotAgeGen[a] === b && (moveBackToSpot(t) > 0 || onDemandQueued())) armSpotAge(a, t);
            break;
        }
      }
      schedule(t);
      startIdleTimers(t);
      if (checkCapacity) overCapacity += capacityViolations(c);
      if (events >= nextReport) report();
    }
  }
  function report(): void {
    nextReport = events + (1 << 16);
    opts.onProgress?.(nextArrival, N, now);
  }
  return function run(input_: SimInput, policy_: Policy, opts_: EngineOptions): RawRun {
    input = input_;
    policy = policy_;
    opts = opts_;
    const setupStart = opts.now?.();
    rng = seededRng(input.seed);
    // Jobs in arrival order (stable), gangs split into members: the engine's job index is the
    // position in this order.
    gangs = splitGangs(input.jobs, input.pools);
    jobs = gangs.jobs;
    lead = gangs.lead;
    gNext = gangs.next;
    gSize = gangs.size;
    N = jobs.length;
    gangSpeed = new Float64Array(N);
    gangShort = new Int32Array(N);
    pools = input.pools;
    P = pools.length;
    c = new Cluster(pools);
    d = new Demands(jobs, pools);
    const jobList = jobs;
    ctx = { c, d, rng, jobId: (j) => jobList[j]!.id };
    // Only events in flight sit in the heap (arrivals are read from the trace): it starts small.
    heap = new EventHeap(4096);

    st = new Uint8Array(N);
    remaining = new Float64Array(N);
    runStart = new Float64Array(N);
    overheadNow = new Float64Array(N);
    endAt = new Float64Array(N);
    node = new Int32Array(N).fill(-1);
    mask = new Int32Array(N);
    gen = new Int32Array(N);
    firstStartS = new Float64Array(N).fill(NaN);
    finishS = new Float64Array(N).fill(NaN);
    preemptions = new Int32Array(N);
    migrations = new Int32Array(N);
    safetySwitches = new Int32Array(N);
    restarts = new Int32Array(N);
    lostGpuS = new Float64Array(N);
    gpuS = new Float64Array(N);
    market = new Uint8Array(N);
    committed = new Uint8Array(N);
    waitingFor = new Int32Array(N).fill(-1);
    queueKey = new Float64Array(N);
    // Jobs on each node, as doubly linked lists through the job arrays.
    nextOn = new Int32Array(N).fill(-1);
    prevOn = new Int32Array(N).fill(-1);
    headOn = new Int32Array(c.n).fill(-1);
    reasons = new Map<number, string>();

    nodeGen = new Int32Array(c.n);
    idleGen = new Int32Array(c.n);
    reservedBy = new Int32Array(c.n).fill(-1);
    poolActive = new Int32Array(P);
    peakNodes = new Int32Array(P);
    spotAvail = new Uint8Array(P).fill(1);
    spotCap = new Float64Array(P).fill(Infinity);

    isSpot = pools.map((p) => p.pricing === 'spot');
    poolPrice = pools.map((p) => p.pricePerNodeHour.toNumber() / Math.max(1, p.gpusPerNode));
    poolOrder = pools
      .map((p, i) => i)
      .sort((a, b) => {
        if (policy.poolRank === 'perf-per-dollar') {
          const va = poolPrice[a]! > 0 ? pools[a]!.speed / poolPrice[a]! : Number.MAX_VALUE;
          const vb = poolPrice[b]! > 0 ? pools[b]!.speed / poolPrice[b]! : Number.MAX_VALUE;
          return vb - va || a - b;
        }
        return poolPrice[a]! - poolPrice[b]! || a - b;
      });
    // Pool filters per (job class, market), built once.
    filters = d.classes.map((allowed) =>
      [ANY, SPOT, ON_DEMAND].map((m) => {
        const f = new Uint8Array(P);
        for (let p = 0; p < P; p++) f[p] = allowed[p] === 1 && (m === ANY || (m === SPOT) === isSpot[p]) ? 1 : 0;
        return f;
      }),
    );
    usesMarket = policy.market !== 'any';
    hazard = policy.market === 'spot-hazard';
    deadlineRule = policy.market === 'deadline-aware' || policy.market === 'greedy' || policy.market === 'slack-reserve' || hazard;
    tuning = policy.tuning ?? DEFAULT_TUNING;
    reserveTuning = policy.reserveTuning ?? RESERVE_TUNING;
    hazardTuning = policy.hazardTuning ?? HAZARD_TUNING;
    fixedMarket = policy.market === 'always-spot' ? SPOT : policy.market === 'always-on-demand' ? ON_DEMAND : ANY;

    arrival = new Float64Array(N);
    overheadS = new Float64Array(N);
    checkpointS = new Float64Array(N);
    // What the loop needs of each job, read once here: the loop then touches no job object.
    const order = policy.queue;
    for (let j = 0; j < N; j++) {
      const job = jobs[j]!;
      arrival[j] = job.arrivalS;
      remaining[j] = job.workS;
      overheadS[j] = Math.max(0, job.restartOverheadS);
      checkpointS[j] = job.checkpointIntervalS;
      queueKey[j] = order === 'priority' ? -job.priority : order === 'sjf' ? job.workS : job.arrivalS;
    }

    // --- the queue: job indices sorted by (key, index) -------------------------------------------
    queue = new IntList(1024);
    // Since the last scheduling pass: did capacity appear or the queue's head change (changed), and
    // which jobs joined the queue (fresh)? Without either, a blocked queue stays blocked.
    changed = true;
    blockedHead = -1;
    fresh = new IntList(256);
    for (let p = 0; p < P; p++) {
      if (!hasCapLimit(p)) continue;
      const t0 = jobs.length > 0 ? jobs[0]!.arrivalS : 0;
      spotCap[p] = capAt(p, t0);
      spotAvail[p] = spotCap[p]! > 0 ? 1 : 0;
      const nx = nextCapChange(p, t0);
      if (Number.isFinite(nx)) heap.push(nx, SPOT_CHANGE, p, 0);
    }
    pastTick = pools.map(() => 0);
    pastRunStart = pools.map(() => 0);
    pastRunUp = pools.map(() => false);
    pastUpRunsS = pools.map(() => []);
    spotAgeGen = new Int32Array(P);
    spotAgeAt = new Float64Array(P).fill(-Infinity);
    if (hazard) for (let p = 0; p < P; p++) if (isSpot[p] && spotAvail[p] === 1 && pools[p]!.spotTrace) armSpotAge(p, jobs.length > 0 ? jobs[0]!.arrivalS : 0);
    isAutoscaled = new Uint8Array(c.n);
    for (let n = 0; n < c.n; n++) isAutoscaled[n] = autoscaled(n) ? 1 : 0;
    idleSince = new Float64Array(c.n);
    // Nodes that became empty during this instant; their idle timers start after the scheduling
    // pass, so a node is never released before the jobs waiting for it had their chance.
    becameIdle = new IntList(64);
    // Fixed nodes exist from the start.
    t0 = jobs.length > 0 ? Math.min(0, jobs[0]!.arrivalS) : 0;
    for (let p = 0; p < P; p++) {
      for (let k = 0; k < pools[p]!.fixedNodes; k++) {
        const n = c.poolFirst[p]! + k;
        c.provision(n, t0);
        nodeUp(n, t0);
      }
      poolActive[p] = pools[p]!.fixedNodes;
      peakNodes[p] = pools[p]!.fixedNodes;
    }

    activeFinite = 0;
    // Jobs waiting for spot to come back; inWait keeps each in the list once.
    waitList = [];
    inWait = new Uint8Array(N);
    // Upper bounds on what any node has free, computed once a pass has seen a job not fit. Within a
    // pass resources only shrink, so the bounds stay valid and reject most hopeless jobs in O(1).
    boundValid = false;
    failedInPass = false;
    bWhole = 0;
    bShare = 0;
    bCpu = 0;
    bMem = 0;
    /** EASY backfill: the node and time at which the head could start, from expected job ends. */
    tmpGpu = new Int32Array(32);
    ends = [];
    // Backfill's estimate of a job's length uses the slowest GPU, so a backfilled job is never
    // longer than estimated and cannot delay the head.
    minSpeed = Math.min(...pools.map((p) => p.speed));

    // --- the loop --------------------------------------------------------------------------------
    const loopStart = opts.now?.();
    horizon = input.horizonS ?? Infinity;
    nextArrival = 0;
    events = 0;
    now = t0;
    nextReport = 1 << 16;
    overCapacity = 0;
    checkCapacity = opts.checkCapacity === true;
    loop();
    const endS = Number.isFinite(horizon) ? Math.max(now, horizon) : now;
    const loopEnd = opts.now?.();
    const timing = setupStart !== undefined && loopStart !== undefined && loopEnd !== undefined ? { setupMs: loopStart - setupStart, loopMs: loopEnd - loopStart } : undefined;
    opts.onProgress?.(nextArrival, N, now);
    // close() runs after later runs may have reused the engine's state: it keeps its own.
    const C = c;
    const ST = st;
    const GPUS = gpuS;
    const RUNSTART = runStart;
    const D = d;
    const RESERVED = reservedBy;
    const IDLESINCE = idleSince;
    const AUTO = isAutoscaled;
    const POOLS = pools;
    const HORIZON = horizon;
    const G = gangs;
    const raw: RawRun = {
      policy, jobs, endS, events, cluster: c, state: st, firstStartS, finishS, preemptions, migrations, safetySwitches, lostGpuS, gpuS, reasons, peakNodes, overCapacity,
      ...(timing && { timing }),
      closed: false,
      close(untilS = endS) {
        if (raw.closed) throw new Error('internal: run already closed');
        // Close the books: running jobs and nodes are accounted to the end (a common end when
        // several policies are compared, so each pays for the same period).
        let e = Math.max(endS, untilS);
        // Idle autoscaled nodes are released at their idle timeout (within the horizon), as they
        // would have been had the run gone on: billed for the timeout, not to the end of others' runs.
        for (let n = 0; n < C.n; n++) {
          if (C.state[n] === UP && AUTO[n] === 1 && C.jobsOn[n] === 0 && RESERVED[n]! < 0) {
            const at = Math.min(HORIZON, Math.max(IDLESINCE[n]! + POOLS[C.nodePool[n]!]!.idleTimeoutS, C.lastT[n]!));
            C.off(n, at);
            if (at > e) e = at;
          }
        }
        for (let j = 0; j < ST.length; j++) if (ST[j] === RUNNING) GPUS[j] = GPUS[j]! + ((e - RUNSTART[j]!) * D.gpus[j]! * D.milli[j]!) / 1000;
        C.closeAt(e);
        raw.endS = e;
        raw.closed = true;
        if (G.any) fromMembers(raw, G);
      },
    };
    return raw;
  };
}

/**
 * The report is about the input's jobs: a gang's state, times and counts are its leader's, its
 * GPU-seconds the sum of its members'.
 */
function fromMembers(raw: RawRun, g: Gangs): void {
  const M = g.sorted.length;
  const f64 = (a: Float64Array) => {
    const out = new Float64Array(M);
    for (let e = 0; e < a.length; e++) if (g.lead[e] === e) out[g.origin[e]!] = a[e]!;
    return out;
  };
  const i32 = (a: Int32Array) => {
    const out = new Int32Array(M);
    for (let e = 0; e < a.length; e++) if (g.lead[e] === e) out[g.origin[e]!] = a[e]!;
    return out;
  };
  const state = new Uint8Array(M);
  const gpuS = new Float64Array(M);
  for (let e = 0; e < raw.state.length; e++) {
    if (g.lead[e] === e) state[g.origin[e]!] = raw.state[e]!;
    gpuS[g.origin[e]!] = gpuS[g.origin[e]!]! + raw.gpuS[e]!;
  }
  const reasons = new Map<number, string>();
  for (const [e, r] of raw.reasons) reasons.set(g.origin[e]!, r);
  Object.assign(raw, {
    jobs: g.sorted, state, gpuS, reasons,
    firstStartS: f64(raw.firstStartS), finishS: f64(raw.finishS), lostGpuS: f64(raw.lostGpuS),
    preemptions: i32(raw.preemptions), migrations: i32(raw.migrations), safetySwitches: i32(raw.safetySwitches),
  });
}

const engine = createEngine();

export function runEngine(input: SimInput, policy: Policy, opts: EngineOptions = {}): RawRun {
  return engine(input, policy, opts);
}

function gpusFit(free: Int32Array, count: number, gpus: number, milli: number): boolean {
  if (gpus === 0) return true;
  if (gpus === 1 && milli < 1000) {
    for (let i = 0; i < count; i++) if (free[i]! >= milli) return true;
    return false;
  }
  let whole = 0;
  for (let i = 0; i < count; i++) if (free[i] === 1000) whole++;
  return whole >= gpus;
}

/** Nodes holding more than they have (negative free CPU, memory or GPU share): must be 0. */
export function capacityViolations(c: Cluster): number {
  let bad = 0;
  for (let n = 0; n < c.n; n++) {
    if (c.state[n] !== UP) continue;
    if (c.freeCpu[n]! < -1e-9 || c.freeMem[n]! < -1e-9 || c.freeCpu[n]! > c.cpuCap[n]! + 1e-9) bad++;
    let used = 0;
    for (let i = 0; i < c.gpuCount[n]!; i++) {
      const f = c.gpuFree[n * c.stride + i]!;
      if (f < 0 || f > 1000) bad++;
      used += 1000 - f;
    }
    if (used !== c.usedMilli[n]) bad++;
  }
  return bad;
}
