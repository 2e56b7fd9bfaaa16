/**
 * A job's life in the engine: arrival, the queue, a start on a node, its finish, and the work it
 * keeps or loses when taken off its node (a preemption; planned moves are market.ts's migrate).
 *
 * Owns: the queue's order (job indices sorted by key, then index), the per-node lists of running
 * jobs (doubly linked through nextOn/prevOn), the speed a job runs at and the work it has done,
 * and what makes a job unschedulable. A gang is queued, timed and preempted through its leader
 * (gangs.ts places and releases its members). Where the job goes next after a preemption is the
 * market's choice (market.ts decide), which for plain policies is just the queue.
 */
import { UP } from '../cluster.js';
import { detachGang } from './gangs.js';
import { armSafety, decide } from './market.js';
import { markIdle } from './nodes.js';
import { noticeKeeps } from './spot-view.js';
import { ANY, FINISH, FINISHED, ON_DEMAND, QUEUED, RUNNING, SPOT, UNSCHEDULABLE, type EngineState } from './state.js';

/** Queue order: by key (arrival, priority or work, as the policy says), then by index. */
export function before(s: EngineState, x: number, y: number): boolean {
  return s.queueKey[x]! < s.queueKey[y]! || (s.queueKey[x] === s.queueKey[y] && x < y);
}

export function enqueue(s: EngineState, j: number): void {
  s.st[j] = QUEUED;
  s.fresh.push(j);
  const n = s.queue.n;
  const q = s.queue.a;
  if (n === 0 || before(s, q[n - 1]!, j)) {
    s.queue.push(j);
    if (n === 0) s.changed = true;
    return;
  }
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(s, q[mid]!, j)) lo = mid + 1;
    else hi = mid;
  }
  s.queue.insertAt(lo, j);
  if (lo === 0) s.changed = true;
}

/** The pools a job may go to now: its class's, in the market it is on (any, for plain policies), or the spot zone it was sent to. */
export function poolOkOf(s: EngineState, j: number): Uint8Array {
  // A job sent to one spot zone goes there alone (spotPref, set by market.ts decide).
  if (s.spotPref[j]! >= 0 && s.market[j] === SPOT) return s.onlyPool[s.spotPref[j]!]!;
  return s.filters[s.d.cls[j]!]![s.usesMarket ? s.market[j]! : ANY]!;
}

export function start(s: EngineState, j: number, n: number, t: number): void {
  s.mask[j] = s.c.allocate(n, s.d, j, t);
  begin(s, j, n, t, speedOn(s, j, n));
}

/** Job (or gang member) j, its resources on node n already allocated, runs from t at `speed`. */
export function begin(s: EngineState, j: number, n: number, t: number, speed: number): void {
  s.st[j] = RUNNING;
  s.node[j] = n;
  s.runStart[j] = t;
  if (Number.isNaN(s.firstStartS[j]!)) s.firstStartS[j] = t;
  s.overheadNow[j] = s.restarts[j]! > 0 ? s.overheadS[j]! : 0;
  s.gen[j] = s.gen[j]! + 1;
  const h = s.headOn[n]!;
  s.nextOn[j] = h;
  s.prevOn[j] = -1;
  if (h >= 0) s.prevOn[h] = j;
  s.headOn[n] = j;
  s.idleGen[n] = s.idleGen[n]! + 1;
  const w = s.waitingFor[j]!;
  if (w >= 0) {
    s.reservedBy[w] = -1;
    s.waitingFor[j] = -1;
    if (w !== n && s.c.state[w] === UP && s.c.jobsOn[w] === 0) markIdle(s, w, t);
  }
  const end = t + s.overheadNow[j]! + s.remaining[j]! / speed;
  s.endAt[j] = end;
  // A gang's members end together: its leader's events stand for all of them.
  if (s.lead[j] !== j) return;
  if (Number.isFinite(end)) s.heap.push(end, FINISH, j, s.gen[j]!);
  if (s.deadlineRule && s.market[j] === SPOT) armSafety(s, j, t, s.remaining[j]!);
}

export function detach(s: EngineState, j: number, t: number): void {
  s.changed = true;
  const n = s.node[j]!;
  s.c.release(n, s.d, j, s.mask[j]!, t);
  s.gpuS[j] = s.gpuS[j]! + ((t - s.runStart[j]!) * s.d.gpus[j]! * s.d.milli[j]!) / 1000;
  const p = s.prevOn[j]!;
  const x = s.nextOn[j]!;
  if (p >= 0) s.nextOn[p] = x;
  else s.headOn[n] = x;
  if (x >= 0) s.prevOn[x] = p;
  s.node[j] = -1;
  s.gen[j] = s.gen[j]! + 1;
}

export function finish(s: EngineState, j: number, t: number): void {
  for (let m = j; m >= 0; m = s.gNext[m]!) {
    const n = s.node[m]!;
    detach(s, m, t);
    s.st[m] = FINISHED;
    s.finishS[m] = t;
    s.remaining[m] = 0;
    if (s.c.jobsOn[n] === 0) markIdle(s, n, t);
  }
  s.activeFinite--;
}

/** Speed of the job on node n (GPU speed does not apply to CPU-only jobs). */
export function speedOn(s: EngineState, j: number, n: number): number {
  return s.d.gpus[j]! > 0 ? s.pools[s.c.nodePool[n]!]!.speed : 1;
}

/** Speed of a running job: its node's, or for a gang its slowest member's. */
export function jobSpeed(s: EngineState, j: number): number {
  return s.gSize[j]! > 1 ? s.gangSpeed[j]! : speedOn(s, j, s.node[j]!);
}

/** Seconds a running job has worked since it (re)started, its restart overhead excluded. */
export function productiveS(s: EngineState, j: number, t: number): number {
  return Math.max(0, t - s.runStart[j]! - s.overheadNow[j]!);
}

/** Reference work a running job has left at t, with nothing lost. */
export function workLeft(s: EngineState, j: number, t: number): number {
  return Math.max(0, s.remaining[j]! - productiveS(s, j, t) * jobSpeed(s, j));
}

/**
 * The job loses the work since its last checkpoint (periodic, or written on the pool's preemption
 * notice) and goes back to be scheduled again. A gang
 * member's preemption preempts the whole gang (its other nodes are left idle).
 */
export function preempt(s: EngineState, j0: number, t: number): void {
  const j = s.lead[j0]!;
  const speed = jobSpeed(s, j);
  const workedS = productiveS(s, j, t);
  const every = s.checkpointS[j]!;
  // Warned `notice` seconds ahead, a job that can write a checkpoint in that time saves its work
  // as it stood when the warning came (the work during the notice is lost: the write is of the
  // state then); otherwise only its periodic checkpoints count.
  const notice = noticeKeeps(s, j, s.c.nodePool[s.node[j0]!]!);
  const onNoticeS = notice > 0 ? Math.max(0, workedS - notice) : 0;
  const savedS = Math.max(every > 0 ? Math.floor(workedS / every) * every : 0, onNoticeS);
  const doneWork = Math.min(s.remaining[j]!, workedS * speed);
  const savedWork = Math.min(doneWork, savedS * speed);
  s.lostGpuS[j] = s.lostGpuS[j]! + ((doneWork - savedWork) * s.d.gpus[j]! * s.d.milli[j]! * s.gSize[j]!) / 1000;
  s.remaining[j] = s.remaining[j]! - savedWork;
  s.preemptions[j] = s.preemptions[j]! + 1;
  s.restarts[j] = s.restarts[j]! + 1;
  if (s.gSize[j]! > 1) detachGang(s, j, t);
  else detach(s, j, t);
  decide(s, j, t);
}

/** Would the job fit an empty node of some pool it may use? (The hot path: no job object read.) */
export function placeable(s: EngineState, j: number): boolean {
  const f = s.filters[s.d.cls[j]!]![s.fixedMarket]!;
  // A pool of no nodes at all (maxNodes 0) can never run it: the job would wait to the end as if
  // capacity might come, and be counted as waiting rather than unschedulable.
  for (let p = 0; p < s.P; p++) if (f[p] === 1 && s.pools[p]!.maxNodes > 0 && s.c.fitsEmpty(p, s.d, j)) return true;
  return false;
}

export function unschedulableReason(s: EngineState, j: number): string {
  const job = s.jobs[j]!;
  const f = s.filters[s.d.cls[j]!]![s.fixedMarket]!;
  let typeOk = false;
  let anyNodes = false;
  let maxGpus = 0;
  for (let p = 0; p < s.P; p++) {
    if (f[p] !== 1) continue;
    typeOk = true;
    if (s.pools[p]!.maxNodes === 0) continue;
    anyNodes = true;
    maxGpus = Math.max(maxGpus, s.pools[p]!.gpusPerNode);
  }
  const where = s.fixedMarket === SPOT ? 'spot pool' : s.fixedMarket === ON_DEMAND ? 'non-spot pool' : 'pool';
  if (!typeOk) return job.gpuTypes ? `no ${where} has GPU type ${job.gpuTypes.join(' or ')}` : `no ${where}`;
  if (!anyNodes) return `every ${where} it may use has no nodes (maxNodes 0)`;
  if (job.gpus > maxGpus) return `needs ${job.gpus} GPUs on one node; the largest allowed node has ${maxGpus}`;
  return 'needs more CPU or memory than any allowed node has';
}

export function arrive(s: EngineState, j: number, t: number): void {
  // A gang arrives through its leader; the other members follow it.
  if (s.lead[j] !== j) return;
  if (!placeable(s, j)) {
    s.st[j] = UNSCHEDULABLE;
    s.reasons.set(j, unschedulableReason(s, j));
    return;
  }
  // Not yet run: remaining is the job's work (infinite for a service that never ends).
  if (Number.isFinite(s.remaining[j]!)) s.activeFinite++;
  decide(s, j, t);
}
