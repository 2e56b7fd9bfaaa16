/**
 * The spot market, job by job: which market a job goes to (spot, on-demand, or wait for spot),
 * its last safe moment to leave spot for a deadline, and planned moves between the markets.
 *
 * Owns: calling the rules of core/sim/spot.ts (greedy, uniform progress, slack reserve,
 * spot-hazard) with what spot-view.ts shows them, the jobs waiting for spot to come back, SAFETY
 * events, and migrate (a planned move: the job saves its state first and loses no work). For
 * plain policies decide is just the queue. What happens when a pool's spot comes and goes is
 * spot-events.ts.
 */
import { greedy, lastSafeS, slackReserve, spotHazard, uniformProgress } from '../spot.js';
import { detachGang, releaseGang } from './gangs.js';
import { detach, enqueue, jobSpeed, productiveS, workLeft } from './jobs.js';
import { markIdle } from './nodes.js';
import { armSpotAge, spotAgeArmed } from './spot-events.js';
import { chooseSpotZone, progress, spotPastFor, spotUpFor } from './spot-view.js';
import { ON_DEMAND, QUEUED, RUNNING, SAFETY, SPOT, WAITING, WAKE, type EngineState } from './state.js';

/** Queue the job, or for spot policies first choose its market (or let it wait). */
export function decide(s: EngineState, j: number, t: number): void {
  if (!s.usesMarket) {
    enqueue(s, j);
    return;
  }
  if (s.fixedMarket === ON_DEMAND) {
    s.market[j] = ON_DEMAND;
    enqueue(s, j);
    return;
  }
  if (s.fixedMarket === SPOT) {
    s.market[j] = SPOT;
    if (spotUpFor(s, j)) enqueue(s, j);
    else setWaiting(s, j);
    return;
  }
  s.spotPref[j] = -1;
  const ps = progress(s, j, t, s.remaining[j]!, spotUpFor(s, j));
  // The zone first (by its past, read up to now): the rule then decides on that zone's run.
  const zone = s.zoneChoice && ps.spotAvailable ? chooseSpotZone(s, j, t, ps) : undefined;
  const choice = s.hazard
    ? spotHazard({ ...ps, checkpointS: s.checkpointS[j]! }, zone ? zone.past : ps.spotAvailable ? spotPastFor(s, j, t) : undefined, s.hazardTuning)
    : s.policy.market === 'greedy'
      ? greedy(ps)
      : s.policy.market === 'slack-reserve'
        ? slackReserve(ps, s.reserveTuning)
        : uniformProgress(ps, s.tuning);
  s.committed[j] = choice.committed ? 1 : 0;
  if (choice.market === 'wait') {
    setWaiting(s, j);
    s.gen[j] = s.gen[j]! + 1;
    if (choice.wakeAtS !== undefined) s.heap.push(choice.wakeAtS, WAKE, j, s.gen[j]!);
    return;
  }
  s.market[j] = choice.market === 'spot' ? SPOT : ON_DEMAND;
  if (s.market[j] === SPOT && zone?.room) s.spotPref[j] = zone.pool;
  enqueue(s, j);
  // spot-hazard sent it to on-demand with spot up (a run not worth it yet): look again as the run ages.
  if (s.hazard && s.market[j] === ON_DEMAND && !choice.committed && ps.spotAvailable) for (let p = 0; p < s.P; p++) if (s.isSpot[p] && s.spotAvail[p] === 1 && !spotAgeArmed(s, p, t)) armSpotAge(s, p, t);
  if (s.market[j] === SPOT) {
    s.gen[j] = s.gen[j]! + 1;
    armSafety(s, j, t, s.remaining[j]!);
  }
}

/** The job waits for spot to come back (listed once however often it is told to). */
export function setWaiting(s: EngineState, j: number): void {
  s.st[j] = WAITING;
  if (s.inWait[j] === 0) {
    s.inWait[j] = 1;
    s.waitList.push(j);
  }
}

/** Spot is back somewhere: every waiting job chooses again. */
export function wakeWaiting(s: EngineState, t: number): void {
  const list = s.waitList;
  s.waitList = [];
  for (const j of list) s.inWait[j] = 0;
  for (const j of list) if (s.st[j] === WAITING) decide(s, j, t);
}

/** Schedule the job's last safe moment to leave spot, from the work it would have left if spot went now. */
export function armSafety(s: EngineState, j: number, t: number, leftS: number): void {
  if (s.jobs[j]!.deadlineS === undefined || !Number.isFinite(leftS)) return;
  const at = lastSafeS(progress(s, j, t, leftS, true));
  s.heap.push(Math.max(t, at), SAFETY, j, s.gen[j]!);
}

/** Work a job running now would have left if preempted now: its progress up to the last checkpoint. */
export function savedLeft(s: EngineState, j: number, t: number): number {
  const every = s.checkpointS[j]!;
  if (every <= 0) return s.remaining[j]!;
  const savedS = Math.floor(productiveS(s, j, t) / every) * every;
  return Math.max(0, s.remaining[j]! - savedS * jobSpeed(s, j));
}

/**
 * A SAFETY event: the job on spot has reached its last safe moment (recomputed: a checkpoint
 * since may have moved it later). It moves to on-demand for good; a running job saves its state
 * first (a planned move, nothing lost), a queued one gives up the spot node it was waiting for.
 */
export function safetyCheck(s: EngineState, j: number, t: number): void {
  if (s.market[j] !== SPOT) return;
  if (s.st[j] === RUNNING) {
    const at = lastSafeS(progress(s, j, t, savedLeft(s, j, t), true));
    if (t < at) {
      s.heap.push(at, SAFETY, j, s.gen[j]!);
      return;
    }
    s.committed[j] = 1;
    s.safetySwitches[j] = s.safetySwitches[j]! + 1;
    migrate(s, j, t, false);
  } else if (s.st[j] === QUEUED) {
    const at = lastSafeS(progress(s, j, t, s.remaining[j]!, true));
    if (t < at) {
      s.heap.push(at, SAFETY, j, s.gen[j]!);
      return;
    }
    s.queue.removeAt(s.queue.indexOf(j));
    const w = s.waitingFor[j]!;
    if (w >= 0) {
      s.reservedBy[w] = -1;
      s.waitingFor[j] = -1;
    }
    // A gang lets go of the spot nodes it ordered: it goes to on-demand now, not when they come up.
    if (s.gSize[j]! > 1) releaseGang(s, j, t);
    s.committed[j] = 1;
    s.safetySwitches[j] = s.safetySwitches[j]! + 1;
    s.changed = true;
    decide(s, j, t);
  }
}

/**
 * A planned move of a running job (or gang) to the other market: it saves its state first, so it
 * loses no work, only the restart overhead when it starts again. `toSpot` counts it as a move back
 * to spot; a move to on-demand at the last safe moment is counted by safetyCheck.
 */
export function migrate(s: EngineState, j: number, t: number, toSpot = true): void {
  const n = s.node[j]!;
  s.remaining[j] = workLeft(s, j, t);
  s.restarts[j] = s.restarts[j]! + 1;
  if (toSpot) s.migrations[j] = s.migrations[j]! + 1;
  if (s.gSize[j]! > 1) detachGang(s, j, t);
  else {
    detach(s, j, t);
    if (s.c.jobsOn[n] === 0) markIdle(s, n, t);
  }
  decide(s, j, t);
}
