/**
 * What happens as spot comes and goes in a pool: its trace (or a plan's schedule) changes its
 * count, jobs on on-demand move back to spot when it returns, and spot-hazard looks again at
 * every tick of the trace while spot stays up.
 *
 * Owns: SPOT_CHANGE (the excess nodes go: being provisioned first, then idle ones for a
 * schedule, then the last nodes up; queued spot jobs choose again; waiting jobs wake), the move
 * back to spot (candidates on on-demand, not committed, ahead of their rule's line, with room on
 * spot), and SPOT_AGE events.
 */
import { PROVISIONING, UP } from '../cluster.js';
import { backToSpot, backToSpotHazard, backToSpotReserve } from '../spot.js';
import { capAt, nextCapChange } from './capacity.js';
import { workLeft } from './jobs.js';
import { decide, migrate, wakeWaiting } from './market.js';
import { evictNode, nodeOff } from './nodes.js';
import { chooseSpotZone, progress, spotPastFor, spotRoomFor, spotUpFor } from './spot-view.js';
import { ON_DEMAND, RUNNING, SPOT, SPOT_AGE, SPOT_CHANGE, type EngineState } from './state.js';

/**
 * A spot pool's trace changes value: when it allows fewer nodes than the pool has, the excess
 * goes (nodes still being provisioned first, then the last nodes up); at 0 every node goes and
 * queued spot jobs choose again; when it comes back, waiting jobs wake.
 */
export function spotChange(s: EngineState, a: number, t: number): void {
  const was = s.spotAvail[a]!;
  s.spotCap[a] = capAt(s, a, t);
  s.spotAvail[a] = s.spotCap[a]! > 0 ? 1 : 0;
  s.changed = true;
  const nx = nextCapChange(s, a, t);
  if (Number.isFinite(nx)) s.heap.push(nx, SPOT_CHANGE, a, 0);
  if (s.poolActive[a]! > s.spotCap[a]!) {
    for (let n = s.c.poolEnd[a]! - 1; n >= s.c.poolFirst[a]! && s.poolActive[a]! > s.spotCap[a]!; n--) if (s.c.state[n] === PROVISIONING) nodeOff(s, n, t);
    // A schedule's cut is the operator's choice (the plan buys fewer nodes): idle nodes go first.
    // Spot takes whichever nodes the cloud takes: the last nodes up.
    if (!s.isSpot[a]) for (let n = s.c.poolEnd[a]! - 1; n >= s.c.poolFirst[a]! && s.poolActive[a]! > s.spotCap[a]!; n--) if (s.c.state[n] === UP && s.c.jobsOn[n] === 0) nodeOff(s, n, t);
    for (let n = s.c.poolEnd[a]! - 1; n >= s.c.poolFirst[a]! && s.poolActive[a]! > s.spotCap[a]!; n--) if (s.c.state[n] === UP) evictNode(s, n, t);
  }
  if (was === s.spotAvail[a] || !s.isSpot[a]) return;
  if (!s.spotAvail[a]) {
    // Queued spot jobs choose again: waiting, or on-demand if the deadline asks for it.
    if (s.usesMarket) {
      const all = s.queue.toArray();
      // A job sent to this zone chooses again too, though spot may be up in another.
      const lost = (j: number) => s.market[j] === SPOT && (s.spotPref[j] === a || !spotUpFor(s, j));
      const again = all.filter(lost);
      if (again.length > 0) {
        s.queue.clear();
        for (const j of all) if (!lost(j)) s.queue.push(j);
        for (const j of again) decide(s, j, t);
      }
    }
  } else {
    wakeWaiting(s, t);
    if (s.policy.market === 'deadline-aware' || s.policy.market === 'slack-reserve' || s.hazard) moveBackToSpot(s, t);
    if (s.hazard) armSpotAge(s, a, t);
  }
}

/** Is a job queued for on-demand and not committed to it (spot-hazard may yet move it)? */
export function onDemandQueued(s: EngineState): boolean {
  for (let k = 0; k < s.queue.n; k++) {
    const j = s.queue.a[k]!;
    if (s.market[j] === ON_DEMAND && s.committed[j] === 0) return true;
  }
  return false;
}

/** spot-hazard: look again a tick later while spot stays up in pool a (a run that has aged may now be worth it). */
export function armSpotAge(s: EngineState, a: number, t: number): void {
  const tr = s.pools[a]!.spotTrace;
  if (!tr) return;
  s.spotAgeGen[a] = s.spotAgeGen[a]! + 1;
  s.spotAgeAt[a] = (Math.floor(t / tr.gapS) + 1) * tr.gapS;
  s.heap.push(s.spotAgeAt[a]!, SPOT_AGE, a, s.spotAgeGen[a]!);
}

/** Is pool a's next tick already in the heap (a later one than t)? */
export function spotAgeArmed(s: EngineState, a: number, t: number): boolean {
  return s.spotAgeAt[a]! > t;
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
export function moveBackToSpot(s: EngineState, t: number): number {
  // Candidates first, moves after: a gang's move takes members off other nodes of this scan.
  const candidates: number[] = [];
  for (let p = 0; p < s.P; p++) {
    if (s.isSpot[p]) continue;
    for (let n = s.c.poolFirst[p]!; n < s.c.poolEnd[p]!; n++) {
      if (s.c.state[n] !== UP) continue;
      // A gang is looked at through its leader (its members follow it).
      for (let j = s.headOn[n]!; j >= 0; j = s.nextOn[j]!) if (s.lead[j] === j && s.market[j] === ON_DEMAND && s.committed[j] === 0) candidates.push(j);
    }
  }
  for (const j of candidates) if (s.st[j] === RUNNING && aheadForSpot(s, j, t)) migrate(s, j, t);
  return candidates.length;
}

export function aheadForSpot(s: EngineState, j: number, t: number): boolean {
  // The rule first: it is arithmetic, where looking for a spot node scans the pools.
  const ps = progress(s, j, t, workLeft(s, j, t), true);
  const back = s.hazard
    ? backToSpotHazard({ ...ps, checkpointS: s.checkpointS[j]! }, s.zoneChoice ? chooseSpotZone(s, j, t, ps)?.past : spotPastFor(s, j, t), s.hazardTuning)
    : s.policy.market === 'slack-reserve'
      ? backToSpotReserve({ ...ps, checkpointS: s.checkpointS[j]! }, s.reserveTuning)
      : backToSpot(ps, s.tuning);
  return back && spotRoomFor(s, j, s.gSize[j]!);
}
