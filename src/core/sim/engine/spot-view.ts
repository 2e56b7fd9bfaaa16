/**
 * What the spot rules (core/sim/spot.ts) are shown of a job and the pools: the ProgressState they
 * decide on, the spot zone a job goes to (chosen by each zone's past for spot-hazard and
 * deadline-aware), and for spot-hazard that zone's past.
 *
 * Owns: which spot and on-demand pools a job would use (availability, fit, speed, provisioning
 * delay), the work a preemption notice keeps, room on spot for a job or a whole gang, and
 * spot-hazard's view of each spot trace's past, read tick by tick as the clock passes and never
 * ahead of it. Reads only; the choices made from these are market.ts and spot-events.ts.
 */
import { UP } from '../cluster.js';
import { membersPerNode } from '../gang.js';
import { bestZone, meanResidualS, spotRunValue, type ProgressState, type SpotPast } from '../spot.js';
import { spotRoom } from './capacity.js';
import { ON_DEMAND, SPOT, type EngineState } from './state.js';

/** Is spot up, in a pool the job may use and fits an empty node of? */
export function spotUpFor(s: EngineState, j: number): boolean {
  const f = s.filters[s.d.cls[j]!]![SPOT]!;
  for (let p = 0; p < s.P; p++) if (f[p] === 1 && s.spotAvail[p] === 1 && s.c.fitsEmpty(p, s.d, j)) return true;
  return false;
}

/** The on-demand pool the deadline counts on (the fastest the job fits, the first of equals), or -1. */
export function onDemandPoolFor(s: EngineState, j: number): number {
  const f = s.filters[s.d.cls[j]!]![ON_DEMAND]!;
  let best = -1;
  for (let p = 0; p < s.P; p++) if (f[p] === 1 && s.c.fitsEmpty(p, s.d, j) && (best < 0 || s.pools[p]!.speed > s.pools[best]!.speed)) best = p;
  return best;
}

/**
 * The on-demand pool a deadline counts on: the fastest the job fits. Its delay is the
 * provisioning delay whenever the pool can grow (its fixed nodes may all be busy).
 */
export function onDemandFor(s: EngineState, j: number): { speed: number; delayS: number } {
  const p = onDemandPoolFor(s, j);
  if (p < 0) return { speed: 1, delayS: 0 };
  const pool = s.pools[p]!;
  return { speed: pool.speed, delayS: pool.maxNodes > pool.fixedNodes ? pool.provisioningDelayS : 0 };
}

/** Provisioning delay of the spot pool the job would go to (the shortest among those available). */
export function spotDelayFor(s: EngineState, j: number): number {
  const f = s.filters[s.d.cls[j]!]![SPOT]!;
  let delayS = Infinity;
  for (let p = 0; p < s.P; p++) if (f[p] === 1 && s.spotAvail[p] === 1 && s.c.fitsEmpty(p, s.d, j)) delayS = Math.min(delayS, s.pools[p]!.provisioningDelayS);
  return Number.isFinite(delayS) ? delayS : 0;
}

/** Pool p's preemption notice when job j writes a checkpoint on it in time (its state then is kept), else 0. */
export function noticeKeeps(s: EngineState, j: number, p: number): number {
  const notice = s.pools[p]!.spotNoticeS ?? 0;
  const write = s.jobs[j]!.checkpointOnNoticeWriteS;
  return write !== undefined && notice > 0 && write <= notice ? notice : 0;
}

/** The state the spot rules read, for job j at t with `leftS` of work left if spot is lost. */
export function progress(s: EngineState, j: number, t: number, leftS: number, spotAvailable: boolean): ProgressState {
  const job = s.jobs[j]!;
  const od = onDemandFor(s, j);
  return {
    t, arrivalS: job.arrivalS, deadlineS: job.deadlineS, totalWorkS: job.workS, remainingWorkS: leftS, restartS: s.overheadS[j]!,
    onDemandDelayS: od.delayS, spotDelayS: spotDelayFor(s, j), spotAvailable, onDemandSpeed: od.speed, committed: s.committed[j] === 1,
  };
}

/** Read pool p's trace up to the tick holding t (and no further): the runs that ended by then. */
export function readPast(s: EngineState, p: number, t: number): void {
  const tr = s.pools[p]!.spotTrace!;
  const n = tr.available.length;
  const last = Math.floor(t / tr.gapS);
  for (let i = s.pastTick[p]!; i <= last; i++) {
    const up = tr.available[((i % n) + n) % n]! > 0;
    if (i === 0 || s.pastTick[p] === 0) {
      s.pastRunUp[p] = up;
      s.pastRunStart[p] = i;
    } else if (up !== s.pastRunUp[p]) {
      if (s.pastRunUp[p]) s.pastUpRunsS[p]!.push((i - s.pastRunStart[p]!) * tr.gapS);
      s.pastRunUp[p] = up;
      s.pastRunStart[p] = i;
    }
    s.pastTick[p] = i + 1;
  }
}

/** What an operator may know at t of spot pool p, for job j: its trace read up to now (undefined without a trace). */
export function pastOf(s: EngineState, j: number, p: number, t: number): SpotPast | undefined {
  const tr = s.pools[p]!.spotTrace;
  if (!tr) return undefined;
  readPast(s, p, t);
  // The age of the run the engine is in (its view and the trace's agree but at a tick's instant).
  const ageS = s.pastRunUp[p] === (s.spotAvail[p] === 1) ? t - s.pastRunStart[p]! * tr.gapS : 0;
  const od = onDemandPoolFor(s, j);
  const priceRatio = od >= 0 && s.poolPrice[od]! > 0 ? s.poolPrice[p]! / s.poolPrice[od]! : 1;
  const notice = noticeKeeps(s, j, p);
  return { ageS, upRunsS: s.pastUpRunsS[p]!, spotSpeed: s.d.gpus[j]! > 0 ? s.pools[p]!.speed : 1, priceRatio, tickS: tr.gapS, ...(notice > 0 && { noticeS: notice }) };
}

/** What spot-hazard may know at t of the first spot pool (in the pools' order) job j may use with spot up. */
export function spotPastFor(s: EngineState, j: number, t: number): SpotPast | undefined {
  const f = s.filters[s.d.cls[j]!]![SPOT]!;
  for (const p of s.poolOrder) if (f[p] === 1 && s.spotAvail[p] === 1 && s.c.fitsEmpty(p, s.d, j)) return pastOf(s, j, p, t);
  return undefined;
}

/** The spot zone chosen for a job: the pool, its past, and whether it has room for the job (or its gang) now. */
export interface ZoneChoice {
  pool: number;
  past: SpotPast | undefined;
  room: boolean;
}

const zoneScores: (number | undefined)[] = [];
const zonePasts: (SpotPast | undefined)[] = [];
const zoneAges: number[] = [];
const zonePools: number[] = [];

/**
 * The spot zone job j goes to at t, chosen online by each zone's past (its trace read up to now,
 * never ahead): among the spot pools it may use with spot up and room for it (all members of a
 * gang), the best by `bestZone` of spot-hazard's `spotRunValue` (the rule that values runs) or,
 * for deadline-aware, of the expected rest of the run now (`meanResidualS`, over as many past
 * runs as spot-hazard believes). Without room in any, the best of those up (`room` false: the job
 * may then take a node in any). Undefined when spot is up nowhere the job fits.
 */
export function chooseSpotZone(s: EngineState, j: number, t: number, ps: ProgressState): ZoneChoice | undefined {
  const f = s.filters[s.d.cls[j]!]![SPOT]!;
  const k = s.gSize[j]!;
  for (const needRoom of [true, false]) {
    zonePools.length = 0;
    zoneScores.length = 0;
    zoneAges.length = 0;
    zonePasts.length = 0;
    for (const p of s.poolOrder) {
      if (f[p] !== 1 || s.spotAvail[p] !== 1 || !s.c.fitsEmpty(p, s.d, j) || (needRoom && poolRoom(s, j, p, k) < k)) continue;
      const past = pastOf(s, j, p, t);
      zonePools.push(p);
      zonePasts.push(past);
      zoneAges.push(past ? past.ageS : 0);
      zoneScores.push(!past ? undefined : s.hazard ? spotRunValue({ ...ps, spotDelayS: s.pools[p]!.provisioningDelayS, checkpointS: s.checkpointS[j]! }, past, s.hazardTuning) : meanResidualS(past, s.hazardTuning.minRuns));
    }
    if (zonePools.length === 0) continue;
    const i = bestZone(zoneScores, zoneAges);
    return { pool: zonePools[i]!, past: zonePasts[i], room: needRoom };
  }
  return undefined;
}

/**
 * Room for job j's members in spot pool p now, counted up to `upTo`: nodes that may still be
 * started (each holding membersPerNode) and nodes up where one member fits (one each, to be safe).
 */
function poolRoom(s: EngineState, j: number, p: number, upTo: number): number {
  let room = Math.max(0, spotRoom(s, p) - s.poolActive[p]!) * membersPerNode(s.pools[p]!, s.d.gpus[j]!);
  for (let n = s.c.poolFirst[p]!; n < s.c.poolEnd[p]! && room < upTo; n++) if (s.c.state[n] === UP && s.c.fits(n, s.d, j)) room++;
  return room;
}

/**
 * Is there room on spot now for the job, or for all k members of its gang: nodes up where a
 * member fits (one each, to be safe) and nodes that may still be started?
 */
export function spotRoomFor(s: EngineState, j: number, k: number): boolean {
  const f = s.filters[s.d.cls[j]!]![SPOT]!;
  let room = 0;
  for (let p = 0; p < s.P; p++) {
    if (f[p] !== 1 || s.spotAvail[p] !== 1 || !s.c.fitsEmpty(p, s.d, j)) continue;
    room += poolRoom(s, j, p, k - room);
    if (room >= k) return true;
  }
  return false;
}
