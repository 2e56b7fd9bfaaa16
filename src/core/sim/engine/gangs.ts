/**
 * Gangs in the engine: a job split into members across nodes (core/sim/gang.ts) starts only
 * whole, on nodes ordered for all its missing members at once, and is taken off whole.
 *
 * Owns: placing every member or none, ordering nodes for the members that did not fit (only when
 * the pools have room for all), holding ordered nodes until all are up (under the spot rules),
 * and letting them go. The leader stands for the gang in the queue and in the heap; its members'
 * arrays are kept in step (remaining work, restarts, speed).
 */
import { OFF, PROVISIONING, UP } from '../cluster.js';
import { membersPerNode } from '../gang.js';
import { spotRoom } from './capacity.js';
import { begin, detach, poolOkOf, speedOn } from './jobs.js';
import { markIdle } from './nodes.js';
import { NODE_UP, NOT_ARRIVED, QUEUED, type EngineState } from './state.js';

/** Is a node the gang ordered still being provisioned? */
export function gangProvisioning(s: EngineState, r: number): boolean {
  for (let n = 0; n < s.c.n; n++) if (s.reservedBy[n] === r && s.c.state[n] === PROVISIONING) return true;
  return false;
}

/** The gang lets go of the nodes it ordered; those up and empty become idle. */
export function releaseGang(s: EngineState, r: number, t: number): void {
  for (let n = 0; n < s.c.n; n++) {
    if (s.reservedBy[n] !== r) continue;
    s.reservedBy[n] = -1;
    if (s.c.state[n] === UP && s.c.jobsOn[n] === 0) markIdle(s, n, t);
  }
}

/** Once every node a gang ordered is up: it starts (when still queued and it fits), or lets them go. */
export function settleGang(s: EngineState, r: number, t: number): void {
  if (gangProvisioning(s, r)) return;
  if (s.st[r] === QUEUED && tryStartGang(s, r, t)) s.queue.removeAt(s.queue.indexOf(r));
  else releaseGang(s, r, t);
}

/**
 * A gang starts only whole: each member in turn goes where the policy places it (two may share
 * a node); if one finds no node, those placed are released again and the gang waits.
 */
export function tryStartGang(s: EngineState, j: number, t: number): boolean {
  const k = s.gSize[j]!;
  if (s.d.gpuDemandMilli(j) * k > s.c.totalFreeMilli) {
    s.gangShort[j] = k;
    return false;
  }
  const ok = poolOkOf(s, j);
  let placed = 0;
  for (let m = j; m >= 0; m = s.gNext[m]!) {
    const n = s.policy.pickNode(s.ctx, m, ok, -1);
    if (n < 0) break;
    s.mask[m] = s.c.allocate(n, s.d, m, t);
    s.node[m] = n;
    placed++;
  }
  if (placed < k) {
    for (let m = j, i = 0; i < placed; m = s.gNext[m]!, i++) {
      s.c.release(s.node[m]!, s.d, m, s.mask[m]!, t);
      s.node[m] = -1;
    }
    s.gangShort[j] = k - placed;
    return false;
  }
  let speed = Infinity;
  for (let m = j; m >= 0; m = s.gNext[m]!) speed = Math.min(speed, speedOn(s, m, s.node[m]!));
  s.gangSpeed[j] = speed;
  for (let m = j; m >= 0; m = s.gNext[m]!) {
    s.remaining[m] = s.remaining[j]!;
    s.restarts[m] = s.restarts[j]!;
    begin(s, m, s.node[m]!, t, speed);
  }
  for (let n = 0; n < s.c.n; n++) {
    if (s.reservedBy[n] !== j) continue;
    s.reservedBy[n] = -1;
    if (s.c.state[n] === UP && s.c.jobsOn[n] === 0) markIdle(s, n, t);
  }
  return true;
}

/** Nodes for the members a gang could not place, in the pools the policy ranks first. */
export function provisionGang(s: EngineState, j: number, t: number): void {
  // The zone it was sent to has no room left for the members missing: any spot zone, as without a choice.
  if (!orderGang(s, j, t) && s.spotPref[j]! >= 0) {
    s.spotPref[j] = -1;
    orderGang(s, j, t);
  }
}

/** provisionGang in the pools the gang may use now; false when they have no room for all its missing members. */
function orderGang(s: EngineState, j: number, t: number): boolean {
  const ok = poolOkOf(s, j);
  const perNode = (p: number) => membersPerNode(s.pools[p]!, s.d.gpus[j]!);
  let need = s.gangShort[j]!;
  // Nodes already ordered count only in the pools it may use now (a gang that left spot for
  // on-demand at its last safe moment may still hold spot nodes being provisioned).
  for (let n = 0; n < s.c.n; n++) if (s.reservedBy[n] === j && s.c.state[n] === PROVISIONING && ok[s.c.nodePool[n]!] === 1) need -= perNode(s.c.nodePool[n]!);
  if (need <= 0) return true;
  // All or nothing here too: nodes for part of a gang would sit idle (and be released, and
  // ordered again, without end when the idle timeout is 0).
  let room = 0;
  for (const p of s.poolOrder) if (ok[p] === 1 && s.c.fitsEmpty(p, s.d, j)) room += Math.max(0, spotRoom(s, p) - s.poolActive[p]!) * perNode(p);
  if (room < need) return false;
  for (const p of s.poolOrder) {
    if (need <= 0) return true;
    if (ok[p] !== 1 || !s.c.fitsEmpty(p, s.d, j)) continue;
    for (let n = s.c.poolFirst[p]!; n < s.c.poolEnd[p]! && need > 0 && s.poolActive[p]! < spotRoom(s, p); n++) {
      if (s.c.state[n] !== OFF) continue;
      s.c.provision(n, t);
      s.poolActive[p] = s.poolActive[p]! + 1;
      if (s.poolActive[p]! > s.peakNodes[p]!) s.peakNodes[p] = s.poolActive[p]!;
      s.reservedBy[n] = j;
      s.heap.push(t + s.pools[p]!.provisioningDelayS, NODE_UP, n, s.nodeGen[n]!);
      need -= perNode(p);
    }
  }
  return true;
}

/** Take every member of j's gang (or j alone) off its node; nodes left empty become idle. */
export function detachGang(s: EngineState, j: number, t: number): void {
  for (let m = j; m >= 0; m = s.gNext[m]!) {
    const n = s.node[m]!;
    detach(s, m, t);
    // The leader's state is the gang's; a member off its node is not running.
    if (m !== j) s.st[m] = NOT_ARRIVED;
    if (s.c.state[n] === UP && s.c.jobsOn[n] === 0) markIdle(s, n, t);
  }
}
