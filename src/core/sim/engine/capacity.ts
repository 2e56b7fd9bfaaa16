/**
 * How many nodes each pool may have as time passes: the count its spot trace allows (an instance
 * count, or 0/1 for available or not) and, for a plan's pools, its schedule of counts by period.
 *
 * Owns: reading a pool's spot trace and schedule at a time, the next time either changes, and the
 * pool's room now. Pure reads of the pools (the spot-change events that act on them are in
 * spot-events.ts); spot-hazard's view of a trace's past, which must never read ahead, is
 * spot-view.ts's readPast.
 */
import type { EngineState } from './state.js';

/** Spot nodes the pool's trace allows at t (Infinity: no bound; 0: unavailable). */
export function spotCapAt(s: EngineState, p: number, t: number): number {
  const tr = s.pools[p]!.spotTrace!;
  const n = tr.available.length;
  return tr.available[(((Math.floor(t / tr.gapS) % n) + n) % n)]!;
}

/** The next time the trace's value changes (a count, not only available or not). */
export function nextSpotChange(s: EngineState, p: number, t: number): number {
  const tr = s.pools[p]!.spotTrace!;
  const n = tr.available.length;
  const now = spotCapAt(s, p, t);
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
export function scheduleAt(s: EngineState, p: number, t: number): number {
  const sch = s.pools[p]!.schedule!;
  return sch.maxNodes[Math.min(sch.maxNodes.length - 1, Math.max(0, Math.floor(t / sch.periodS)))]!;
}

export function nextScheduleChange(s: EngineState, p: number, t: number): number {
  const sch = s.pools[p]!.schedule!;
  const now = scheduleAt(s, p, t);
  for (let i = Math.max(0, Math.floor(t / sch.periodS)) + 1; i < sch.maxNodes.length; i++) if (sch.maxNodes[i]! !== now) return i * sch.periodS;
  return Infinity;
}

/** Does the pool's node count change over time (a spot trace on a spot pool, or a schedule)? */
export function hasCapLimit(s: EngineState, p: number): boolean {
  return (s.isSpot[p]! && s.pools[p]!.spotTrace !== undefined) || s.pools[p]!.schedule !== undefined;
}

/** Nodes the pool may have at t: the lesser of its spot trace's count and its schedule. */
export function capAt(s: EngineState, p: number, t: number): number {
  const trace = s.isSpot[p]! && s.pools[p]!.spotTrace !== undefined ? spotCapAt(s, p, t) : Infinity;
  return s.pools[p]!.schedule ? Math.min(trace, scheduleAt(s, p, t)) : trace;
}

export function nextCapChange(s: EngineState, p: number, t: number): number {
  const a = s.isSpot[p]! && s.pools[p]!.spotTrace !== undefined ? nextSpotChange(s, p, t) : Infinity;
  return s.pools[p]!.schedule ? Math.min(a, nextScheduleChange(s, p, t)) : a;
}

/** Nodes the pool may have now: its maxNodes, or fewer when a spot trace counts instances or a schedule says so. */
export function spotRoom(s: EngineState, p: number): number {
  return Math.min(s.pools[p]!.maxNodes, s.spotCap[p]!);
}
