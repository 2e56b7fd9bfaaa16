/**
 * Nodes over their life: provisioned for a job that fits nowhere, up (and, on spot, given a
 * preemption time), idle, released after the pool's idle timeout, switched off or evicted.
 *
 * Owns: the pool's active count and peak, which nodes are autoscaled, the idle timers (started
 * after the instant's scheduling pass, see becameIdle), and a node's reservation for the job that
 * ordered it. A gang's orders are gangs.ts's; the events that call these are loop.ts's.
 */
import { OFF, UP } from '../cluster.js';
import { spotRoom } from './capacity.js';
import { gangProvisioning, provisionGang, releaseGang } from './gangs.js';
import { poolOkOf, preempt } from './jobs.js';
import { IDLE_CHECK, NODE_UP, PREEMPT, type EngineState } from './state.js';

/** Is node n beyond its pool's fixed nodes (one the pool starts and releases as needed)? */
export function autoscaled(s: EngineState, n: number): boolean {
  return n - s.c.poolFirst[s.c.nodePool[n]!]! >= s.pools[s.c.nodePool[n]!]!.fixedNodes;
}

export function markIdle(s: EngineState, n: number, t: number): void {
  s.idleSince[n] = t;
  if (s.isAutoscaled[n] === 1) s.becameIdle.push(n);
}

export function startIdleTimers(s: EngineState, t: number): void {
  for (let k = 0; k < s.becameIdle.n; k++) {
    const n = s.becameIdle.a[k]!;
    if (s.c.state[n] !== UP || s.c.jobsOn[n] !== 0 || s.idleSince[n] !== t) continue;
    s.idleGen[n] = s.idleGen[n]! + 1;
    if (autoscaled(s, n) && s.reservedBy[n]! < 0) s.heap.push(t + s.pools[s.c.nodePool[n]!]!.idleTimeoutS, IDLE_CHECK, n, s.idleGen[n]!);
  }
  s.becameIdle.clear();
}

export function nodeUp(s: EngineState, n: number, t: number): void {
  s.changed = true;
  s.c.up(n, t);
  s.nodeGen[n] = s.nodeGen[n]! + 1;
  const pool = s.pools[s.c.nodePool[n]!]!;
  if (pool.pricing === 'spot' && pool.preemptionRatePerHour && pool.preemptionRatePerHour > 0) {
    s.heap.push(t + (-Math.log(1 - s.rng.next()) / pool.preemptionRatePerHour) * 3600, PREEMPT, n, s.nodeGen[n]!);
  }
}

export function nodeOff(s: EngineState, n: number, t: number): void {
  s.changed = true;
  const r = s.reservedBy[n]!;
  if (r >= 0) {
    s.waitingFor[r] = -1;
    s.reservedBy[n] = -1;
  }
  s.c.off(n, t);
  s.nodeGen[n] = s.nodeGen[n]! + 1;
  s.poolActive[s.c.nodePool[n]!] = s.poolActive[s.c.nodePool[n]!]! - 1;
  // A gang's order fell through: the nodes it holds up go back to the pool.
  if (r >= 0 && s.usesMarket && s.gSize[r]! > 1 && !gangProvisioning(s, r)) releaseGang(s, r, t);
}

export function evictNode(s: EngineState, n: number, t: number): void {
  for (let j = s.headOn[n]!; j >= 0; j = s.headOn[n]!) preempt(s, j, t);
  nodeOff(s, n, t);
}

/** Start a node for a job that fits nowhere now, in the pool the policy ranks first. */
export function maybeProvision(s: EngineState, j: number, t: number): void {
  if (s.gSize[j]! > 1) {
    provisionGang(s, j, t);
    return;
  }
  if (s.waitingFor[j]! >= 0) return;
  // The zone it was sent to is full (jobs ahead took its room): any spot zone, as without a choice.
  const pref = s.spotPref[j]!;
  if (pref >= 0 && s.poolActive[pref]! >= spotRoom(s, pref)) s.spotPref[j] = -1;
  const ok = poolOkOf(s, j);
  for (const p of s.poolOrder) {
    if (ok[p] !== 1 || s.poolActive[p]! >= spotRoom(s, p) || !s.c.fitsEmpty(p, s.d, j)) continue;
    for (let n = s.c.poolFirst[p]!; n < s.c.poolEnd[p]!; n++) {
      if (s.c.state[n] !== OFF) continue;
      s.c.provision(n, t);
      s.poolActive[p] = s.poolActive[p]! + 1;
      if (s.poolActive[p]! > s.peakNodes[p]!) s.peakNodes[p] = s.poolActive[p]!;
      s.reservedBy[n] = j;
      s.waitingFor[j] = n;
      s.heap.push(t + s.pools[p]!.provisioningDelayS, NODE_UP, n, s.nodeGen[n]!);
      return;
    }
  }
}
