/**
 * The scheduling pass that follows the events of each instant: queued jobs start where the policy
 * places them, in the policy's mode (head: the first blocked job stops the pass; skip: any job
 * that fits starts, SCAN_DEPTH deep; easy: EASY backfill behind the head's reservation), and a
 * job that fits nowhere orders a node.
 *
 * Owns: skipping passes that cannot start anything (nothing freed and nothing new: `changed`,
 * `fresh`, `blockedHead`), the O(1) rejection bounds valid within a pass, and EASY's reservation
 * (when and where the head could start, from the expected ends of the jobs running).
 */
import { UP } from '../cluster.js';
import { tryStartGang } from './gangs.js';
import { poolOkOf, start } from './jobs.js';
import { maybeProvision } from './nodes.js';
import { QUEUED, SCAN_DEPTH, type EngineState } from './state.js';

/** Scratch for Cluster.freeBounds, made once. */
const bounds = new Float64Array(4);

/** Upper bounds on what any node has free (whole GPUs, the largest GPU share, CPU, memory). */
export function computeBounds(s: EngineState): void {
  s.c.freeBounds(bounds);
  s.bWhole = bounds[0]!;
  s.bShare = bounds[1]!;
  s.bCpu = bounds[2]!;
  s.bMem = bounds[3]!;
  s.boundValid = true;
}

/** Start job j (or its gang) now if the policy finds it a node other than `exclude`. */
export function tryStart(s: EngineState, j: number, t: number, exclude: number): boolean {
  if (s.gSize[j]! > 1) return tryStartGang(s, j, t);
  if (s.d.gpuDemandMilli(j) > s.c.totalFreeMilli) return false;
  if (s.failedInPass) {
    if (!s.boundValid) computeBounds(s);
    const g = s.d.gpus[j]!;
    const m = s.d.milli[j]!;
    if (s.d.cpu[j]! > s.bCpu || s.d.mem[j]! > s.bMem || (g > 1 || m >= 1000 ? g > s.bWhole : g === 1 && m > s.bShare)) return false;
  }
  const n = s.policy.pickNode(s.ctx, j, poolOkOf(s, j), exclude);
  if (n < 0) {
    s.failedInPass = true;
    return false;
  }
  start(s, j, n, t);
  return true;
}

/** EASY backfill: the node and time at which the head could start, from expected job ends. */
export function reservation(s: EngineState, h: number): { node: number; atS: number } {
  // A gang's start needs several nodes freed at once: EASY's one-node reservation cannot say when.
  if (s.gSize[h]! > 1) return { node: -1, atS: Infinity };
  const ok = poolOkOf(s, h);
  let bestNode = -1;
  let bestT = Infinity;
  for (let n = 0; n < s.c.n; n++) {
    if (s.c.state[n] !== UP || ok[s.c.nodePool[n]!] !== 1 || !s.c.fitsEmpty(s.c.nodePool[n]!, s.d, h)) continue;
    s.ends.length = 0;
    for (let j = s.headOn[n]!; j >= 0; j = s.nextOn[j]!) s.ends.push(j);
    s.ends.sort((x, y) => s.endAt[x]! - s.endAt[y]! || x - y);
    let cpu = s.c.freeCpu[n]!;
    let mem = s.c.freeMem[n]!;
    const g = s.c.gpuCount[n]!;
    const base = n * s.c.stride;
    for (let i = 0; i < g; i++) s.tmpGpu[i] = s.c.gpuFree[base + i]!;
    for (const j of s.ends) {
      const tEnd = s.endAt[j]!;
      if (tEnd >= bestT) break;
      cpu += s.d.cpu[j]!;
      mem += s.d.mem[j]!;
      for (let i = 0, m = s.mask[j]!; m !== 0; i++, m >>>= 1) if (m & 1) s.tmpGpu[i] = s.tmpGpu[i]! + s.d.milli[j]!;
      if (cpu >= s.d.cpu[h]! && mem >= s.d.mem[h]! && gpusFit(s.tmpGpu, g, s.d.gpus[h]!, s.d.milli[h]!)) {
        bestT = tEnd;
        bestNode = n;
        break;
      }
    }
  }
  return { node: bestNode, atS: bestT };
}

/** One pass over the queue at t, after the events of that instant. */
export function schedule(s: EngineState, t: number): void {
  if (s.queue.n === 0) {
    s.fresh.clear();
    s.changed = false;
    return;
  }
  const mode = s.policy.mode;
  if (!s.changed) {
    // Nothing freed since the last pass: jobs that did not fit then still do not.
    if (mode === 'head' && s.queue.a[0] === s.blockedHead) {
      s.fresh.clear();
      return;
    }
    if (mode === 'skip') {
      s.boundValid = false;
      s.failedInPass = false;
      for (let k = 0; k < s.fresh.n; k++) {
        const j = s.fresh.a[k]!;
        if (s.st[j] !== QUEUED) continue;
        if (tryStart(s, j, t, -1)) s.queue.removeAt(s.queue.indexOf(j));
        else maybeProvision(s, j, t);
      }
      s.fresh.clear();
      return;
    }
  }
  s.fresh.clear();
  s.changed = false;
  s.blockedHead = -1;
  s.boundValid = false;
  s.failedInPass = false;
  // Compaction in place: w is where the next job that stays queued goes.
  let w = 0;
  let i = 0;
  let res: { node: number; atS: number } | undefined;
  const q = s.queue.a;
  for (; i < s.queue.n; i++) {
    const j = q[i]!;
    if (mode === 'head') {
      if (tryStart(s, j, t, -1)) continue;
      maybeProvision(s, j, t);
      s.blockedHead = j;
      break;
    }
    if (w >= SCAN_DEPTH) break;
    if (mode === 'easy' && res) {
      const shortEnough = t + (s.restarts[j]! > 0 ? s.overheadS[j]! : 0) + s.remaining[j]! / s.minSpeed <= res.atS;
      if (tryStart(s, j, t, shortEnough ? -1 : res.node)) continue;
    } else if (tryStart(s, j, t, -1)) continue;
    maybeProvision(s, j, t);
    if (mode === 'easy' && !res) res = reservation(s, j);
    q[w++] = j;
  }
  if (w === i) return;
  q.copyWithin(w, i, s.queue.n);
  s.queue.n -= i - w;
  // A pass that started jobs may have changed nothing else; the next pass need not rescan.
  s.changed = false;
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
