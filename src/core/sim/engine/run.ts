/**
 * One run of the engine, from input to the raw figures metrics.ts reports: set up (setup.ts), the
 * event loop (loop.ts), and the closing of the books.
 *
 * Owns: the engine's one state object (made once per process, so the optimised code of every
 * function that reads it carries over from run to run), the run's timing for benchmarks, RawRun,
 * and putting a gang's members back together as the input's job. close() keeps its own
 * references to what it reads: a later run reuses the state object.
 */
import { UP, type Cluster } from '../cluster.js';
import type { Gangs } from '../gang.js';
import type { SimInput, SimJob } from '../model.js';
import type { Policy } from '../policies/policy.js';
import { loop } from './loop.js';
import { setUp } from './setup.js';
import { EngineState, RUNNING, type EngineOptions } from './state.js';

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

/** The engine's state, made once, so V8 keeps the optimised code that reads it from run to run. */
const state = new EngineState();

export function runEngine(input: SimInput, policy: Policy, opts: EngineOptions = {}): RawRun {
  const s = state;
  const setupStart = opts.now?.();
  setUp(s, input, policy, opts);

  // --- the loop --------------------------------------------------------------------------------
  const loopStart = opts.now?.();
  s.horizon = input.horizonS ?? Infinity;
  s.nextArrival = 0;
  s.events = 0;
  s.now = s.t0;
  s.nextReport = 1 << 16;
  s.overCapacity = 0;
  s.checkCapacity = opts.checkCapacity === true;
  loop(s);
  const endS = Number.isFinite(s.horizon) ? Math.max(s.now, s.horizon) : s.now;
  const loopEnd = opts.now?.();
  const timing = setupStart !== undefined && loopStart !== undefined && loopEnd !== undefined ? { setupMs: loopStart - setupStart, loopMs: loopEnd - loopStart } : undefined;
  opts.onProgress?.(s.nextArrival, s.N, s.now);
  // close() runs after later runs may have reused the engine's state: it keeps its own.
  const C = s.c;
  const ST = s.st;
  const GPUS = s.gpuS;
  const RUNSTART = s.runStart;
  const D = s.d;
  const RESERVED = s.reservedBy;
  const IDLESINCE = s.idleSince;
  const AUTO = s.isAutoscaled;
  const POOLS = s.pools;
  const HORIZON = s.horizon;
  const G = s.gangs;
  const raw: RawRun = {
    policy, jobs: s.jobs, endS, events: s.events, cluster: s.c, state: s.st, firstStartS: s.firstStartS, finishS: s.finishS, preemptions: s.preemptions, migrations: s.migrations,
    safetySwitches: s.safetySwitches, lostGpuS: s.lostGpuS, gpuS: s.gpuS, reasons: s.reasons, peakNodes: s.peakNodes, overCapacity: s.overCapacity,
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
