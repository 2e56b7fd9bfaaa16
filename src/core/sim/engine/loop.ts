/**
 * The event loop: the simulated clock jumps to the next arrival or heap event; every event of
 * that instant is handled, then one scheduling pass, then the instant's idle timers start.
 *
 * Owns: the order of work within an instant, the dispatch of each event kind to the file that
 * handles it (stale events are dropped by their generation counters), the run's end (no arrival
 * left and no job with finite work left, or the horizon), progress reports, and the capacity check
 * tests ask for.
 */
import { PROVISIONING, UP, type Cluster } from '../cluster.js';
import { settleGang } from './gangs.js';
import { arrive, finish, poolOkOf, start } from './jobs.js';
import { decide, safetyCheck } from './market.js';
import { evictNode, markIdle, nodeOff, nodeUp, startIdleTimers } from './nodes.js';
import { schedule } from './schedule.js';
import { armSpotAge, moveBackToSpot, onDemandQueued, spotChange } from './spot-events.js';
import { FINISH, IDLE_CHECK, NODE_UP, PREEMPT, QUEUED, RUNNING, SAFETY, SPOT_AGE, SPOT_CHANGE, WAITING, WAKE, type EngineState } from './state.js';

/** Is anything left to happen: an arrival, or a job with finite work not yet finished? */
function live(s: EngineState): boolean {
  return s.nextArrival < s.N || s.activeFinite > 0;
}

/**
 * The event loop, a function of its own: V8 optimises it once the warm-up runs have called it,
 * instead of replacing the running setup code mid-loop (on-stack replacement), which made a
 * run's speed depend on when that happened (1.1 to 2.0 M events/s between identical runs).
 */
export function loop(s: EngineState): void {
  while (live(s)) {
    const ta = s.nextArrival < s.N ? s.arrival[s.nextArrival]! : Infinity;
    const te = s.heap.peekTime();
    const t = ta < te ? ta : te;
    if (t === Infinity || t > s.horizon) break;
    s.now = t;
    // Every event at this instant, then one scheduling pass.
    for (;;) {
      if (s.nextArrival < s.N && s.arrival[s.nextArrival] === t) {
        arrive(s, s.nextArrival++, t);
        s.events++;
        continue;
      }
      if (s.heap.peekTime() !== t) break;
      s.heap.pop();
      s.events++;
      const a = s.heap.ea;
      const b = s.heap.eb;
      switch (s.heap.k) {
        case FINISH:
          if (s.st[a] === RUNNING && s.gen[a] === b) finish(s, a, t);
          break;
        case NODE_UP:
          if (s.c.state[a] === PROVISIONING && s.nodeGen[a] === b) {
            const r = s.reservedBy[a]!;
            if (r >= 0 && s.usesMarket && s.gSize[r]! > 1) {
              // A gang under the spot rules keeps the nodes it ordered until all are up, then
              // starts on them before the queue's pass (a deadline counts on that).
              nodeUp(s, a, t);
              settleGang(s, r, t);
              break;
            }
            if (r >= 0) {
              s.waitingFor[r] = -1;
              s.reservedBy[a] = -1;
            }
            nodeUp(s, a, t);
            // Under the spot rules the job that ordered the node gets it: a deadline counts on
            // the provisioning delay, not on winning the node from a job ahead in the queue.
            if (r >= 0 && s.usesMarket && s.st[r] === QUEUED && s.gSize[r] === 1 && poolOkOf(s, r)[s.c.nodePool[a]!] === 1 && s.c.fits(a, s.d, r)) {
              s.queue.removeAt(s.queue.indexOf(r));
              start(s, r, a, t);
            } else markIdle(s, a, t);
          }
          break;
        case IDLE_CHECK:
          if (s.c.state[a] === UP && s.c.jobsOn[a] === 0 && s.idleGen[a] === b && s.reservedBy[a]! < 0) nodeOff(s, a, t);
          break;
        case PREEMPT:
          if (s.c.state[a] === UP && s.nodeGen[a] === b) evictNode(s, a, t);
          break;
        case SPOT_CHANGE:
          spotChange(s, a, t);
          break;
        case WAKE:
          if (s.st[a] === WAITING && s.gen[a] === b) decide(s, a, t);
          break;
        case SAFETY:
          if (s.gen[a] === b) safetyCheck(s, a, t);
          break;
        case SPOT_AGE:
          // Ticks go on only while a job on on-demand may still move (running or queued there):
          // otherwise a run with nothing left to happen would never end.
          if (s.spotAvail[a] === 1 && s.spotAgeGen[a] === b && (moveBackToSpot(s, t) > 0 || onDemandQueued(s))) armSpotAge(s, a, t);
          break;
      }
    }
    schedule(s, t);
    startIdleTimers(s, t);
    if (s.checkCapacity) s.overCapacity += capacityViolations(s.c);
    if (s.events >= s.nextReport) report(s);
  }
}

function report(s: EngineState): void {
  s.nextReport = s.events + (1 << 16);
  s.opts.onProgress?.(s.nextArrival, s.N, s.now);
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
