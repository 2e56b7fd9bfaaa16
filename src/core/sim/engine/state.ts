/**
 * The engine's state during a run, and the numbers its events and states are coded with.
 *
 * Owns: one object of a fixed shape (EngineState), made once per process and filled again by each
 * run (setup.ts). Every other file of the engine is plain functions that take it as their first
 * argument. Why one object rather than values passed around: the hot loop and what it calls read
 * a handful of typed arrays per event, and V8 keeps a property load on an object whose shape never
 * changes as cheap as the closure variables the engine was first written with (measured with
 * `npm run bench sim`, docs/simulator.md Performance). Why made once: V8 then keeps the optimised
 * code of the functions that read it from run to run and policy to policy.
 *
 * Index spaces: j is a job (a gang member once gangs are split, gang.ts), n a node, p a pool.
 */
import type { Rng } from '../../rng.js';
import type { Cluster, Demands } from '../cluster.js';
import type { EventHeap } from '../heap.js';
import type { IntList } from '../int-list.js';
import type { NodePool, SimInput, SimJob } from '../model.js';
import type { Policy, PlaceContext } from '../policies/policy.js';
import type { Gangs } from '../gang.js';
import type { SlackReserveTuning, SpotHazardTuning, UniformProgressTuning } from '../spot.js';

// Event kinds.
export const FINISH = 1;
export const NODE_UP = 2;
export const IDLE_CHECK = 3;
export const PREEMPT = 4;
export const SPOT_CHANGE = 5;
export const WAKE = 6;
/** A deadline job on spot (running or queued for a spot node) reaches its last safe moment to switch. */
export const SAFETY = 7;
/** spot-hazard: a tick of a spot pool's trace while spot is up there (jobs on on-demand look again as the run ages). */
export const SPOT_AGE = 8;

// Job states.
export const NOT_ARRIVED = 0;
export const QUEUED = 1;
export const RUNNING = 2;
export const FINISHED = 3;
export const UNSCHEDULABLE = 4;
export const WAITING = 5;

// Markets a job may use.
export const ANY = 0;
export const SPOT = 1;
export const ON_DEMAND = 2;

/** How many queued jobs a pass looks at when a blocked job does not stop the scan. */
export const SCAN_DEPTH = 256;

export interface EngineOptions {
  /** Called every few thousand events with arrivals processed and the total. */
  /** Jobs arrived so far of all, and the simulated time reached (seconds). */
  onProgress?: (done: number, total: number, simTimeS: number) => void;
  /** Check every node's capacity after every instant (slow; for tests). */
  checkCapacity?: boolean;
  /** A clock in milliseconds, for benchmarks: the run then reports setup and event-loop time. */
  now?: () => number;
}

/**
 * Fields left with `!` are set by setup.ts before any other function reads them; the typed
 * arrays start empty so their fields hold a typed array from the first. Numbers that may hold a
 * fraction (times, speeds, the free-resource bounds read from a Float64Array) start as NaN, a
 * double: V8 then stores them as doubles from the first. Started as integers, each changed the
 * object's shape the first time it got a fraction, and every function reading the state was
 * deoptimised mid-run (seen with --trace-deopt as "wrong map"; the closures had no shape).
 */
export class EngineState {
  // --- the run -------------------------------------------------------------------------------
  input!: SimInput;
  policy!: Policy;
  opts!: EngineOptions;
  rng!: Rng;
  /** Jobs in arrival order, gangs split into members: a job's index is its position here. */
  jobs!: SimJob[];
  N = 0;
  pools!: readonly NodePool[];
  P = 0;
  c!: Cluster;
  d!: Demands;
  ctx!: PlaceContext;
  /** Only events in flight sit here (arrivals are read from `arrival`). */
  heap!: EventHeap;

  // --- per job -------------------------------------------------------------------------------
  st: Uint8Array = new Uint8Array(0);
  /** Reference work left (seconds at speed 1), as of the job's last (re)start. */
  remaining: Float64Array = new Float64Array(0);
  runStart: Float64Array = new Float64Array(0);
  /** The restart overhead of the current run (0 on a first start). */
  overheadNow: Float64Array = new Float64Array(0);
  /** When the current run ends if nothing happens (EASY's reservations read it). */
  endAt: Float64Array = new Float64Array(0);
  node: Int32Array = new Int32Array(0);
  /** GPUs of its node the job holds, one bit each. */
  mask: Int32Array = new Int32Array(0);
  /** Bumped whenever a job's pending events go stale (a finish, a wake-up, a safe moment). */
  gen: Int32Array = new Int32Array(0);
  firstStartS: Float64Array = new Float64Array(0);
  finishS: Float64Array = new Float64Array(0);
  preemptions: Int32Array = new Int32Array(0);
  migrations: Int32Array = new Int32Array(0);
  restarts: Int32Array = new Int32Array(0);
  lostGpuS: Float64Array = new Float64Array(0);
  gpuS: Float64Array = new Float64Array(0);
  /** SPOT or ON_DEMAND once a spot policy has chosen (ANY otherwise). */
  market: Uint8Array = new Uint8Array(0);
  /** 1: on on-demand for good (the deadline rules no longer move it back to spot). */
  committed: Uint8Array = new Uint8Array(0);
  /** The node being provisioned for the job, or -1. */
  waitingFor: Int32Array = new Int32Array(0);
  queueKey: Float64Array = new Float64Array(0);
  // Jobs on each node, as doubly linked lists through the job arrays.
  nextOn: Int32Array = new Int32Array(0);
  prevOn: Int32Array = new Int32Array(0);
  safetySwitches: Int32Array = new Int32Array(0);
  reasons = new Map<number, string>();
  // What the loop needs of each job, read once by setup: the loop then touches no job object.
  arrival: Float64Array = new Float64Array(0);
  overheadS: Float64Array = new Float64Array(0);
  checkpointS: Float64Array = new Float64Array(0);

  // --- per node ------------------------------------------------------------------------------
  headOn: Int32Array = new Int32Array(0);
  /** Bumped when a node goes up or off (stale NODE_UP and PREEMPT events). */
  nodeGen: Int32Array = new Int32Array(0);
  /** Bumped when a node gets a job or a new idle timer (stale IDLE_CHECK events). */
  idleGen: Int32Array = new Int32Array(0);
  /** The job a node was ordered for, or -1. */
  reservedBy: Int32Array = new Int32Array(0);
  isAutoscaled: Uint8Array = new Uint8Array(0);
  idleSince: Float64Array = new Float64Array(0);
  /**
   * Nodes that became empty during this instant; their idle timers start after the scheduling
   * pass, so a node is never released before the jobs waiting for it had their chance.
   */
  becameIdle!: IntList;

  // --- per pool ------------------------------------------------------------------------------
  /** Nodes provisioning or up. */
  poolActive: Int32Array = new Int32Array(0);
  peakNodes: Int32Array = new Int32Array(0);
  /** 1 while the pool's spot trace (or schedule) allows any node. */
  spotAvail: Uint8Array = new Uint8Array(0);
  /** Nodes the pool's spot trace and schedule allow now (Infinity: no bound). */
  spotCap: Float64Array = new Float64Array(0);
  isSpot: boolean[] = [];
  /** Price per GPU-hour (per node-hour for CPU-only pools), as a float for ranking only. */
  poolPrice: number[] = [];
  /** Pools in the order the policy grows them. */
  poolOrder: number[] = [];
  /** Pool filters per (job class, market): filters[class][market][pool] = 1 where allowed. */
  filters: Uint8Array[][] = [];

  // --- the spot rules ------------------------------------------------------------------------
  usesMarket = false;
  /** SPOT or ON_DEMAND for always-spot and always-on-demand, else ANY. */
  fixedMarket = 0;
  /** A rule with a last safe moment (deadline-aware, greedy, slack-reserve, spot-hazard). */
  deadlineRule = false;
  hazard = false;
  /** The rule sends a job on spot to the zone its past says is best (chooseSpotZone), not the first with room. */
  zoneChoice = false;
  /** The spot pool a job on spot was sent to, or -1: any spot pool it may use (also its only filter then). */
  spotPref: Int32Array = new Int32Array(0);
  /** onlyPool[p]: a pool filter that allows pool p alone. */
  onlyPool: Uint8Array[] = [];
  tuning!: UniformProgressTuning;
  reserveTuning!: SlackReserveTuning;
  hazardTuning!: SpotHazardTuning;
  // spot-hazard's view of each spot pool's past, read from its trace tick by tick as time passes
  // (never ahead of now): the next tick to read, the current run's first tick and whether it is a
  // run of availability, and the lengths of the runs of availability that have ended.
  pastTick: number[] = [];
  pastRunStart: number[] = [];
  pastRunUp: boolean[] = [];
  pastUpRunsS: number[][] = [];
  spotAgeGen: Int32Array = new Int32Array(0);
  /** When each pool's next SPOT_AGE event is (-Infinity: none). */
  spotAgeAt: Float64Array = new Float64Array(0);
  // Jobs waiting for spot to come back; inWait keeps each in the list once.
  waitList: number[] = [];
  inWait: Uint8Array = new Uint8Array(0);

  // --- gangs (core/sim/gang.ts): members are engine jobs; the leader is the one queued and timed
  gangs!: Gangs;
  lead: Int32Array = new Int32Array(0);
  gNext: Int32Array = new Int32Array(0);
  gSize: Int32Array = new Int32Array(0);
  /** A running gang's speed: its slowest member's. */
  gangSpeed: Float64Array = new Float64Array(0);
  /** Members a gang could not place in its last try. */
  gangShort: Int32Array = new Int32Array(0);

  // --- the queue: job indices sorted by (key, index) -----------------------------------------
  queue!: IntList;
  // Since the last scheduling pass: did capacity appear or the queue's head change (changed), and
  // which jobs joined the queue (fresh)? Without either, a blocked queue stays blocked.
  changed = true;
  blockedHead = -1;
  fresh!: IntList;
  // Upper bounds on what any node has free, computed once a pass has seen a job not fit. Within a
  // pass resources only shrink, so the bounds stay valid and reject most hopeless jobs in O(1).
  boundValid = false;
  failedInPass = false;
  bWhole = NaN;
  bShare = NaN;
  bCpu = NaN;
  bMem = NaN;
  /** EASY backfill's scratch: a node's free GPU shares, and the jobs on it by expected end. */
  tmpGpu: Int32Array = new Int32Array(0);
  ends: number[] = [];
  /**
   * Backfill's estimate of a job's length uses the slowest GPU, so a backfilled job is never
   * longer than estimated and cannot delay the head.
   */
  minSpeed = NaN;

  // --- the clock -----------------------------------------------------------------------------
  /** When fixed nodes come up: time 0, or the first arrival if it is earlier. */
  t0 = NaN;
  /** Jobs arrived and not finished whose work is finite: the run ends when none is left. */
  activeFinite = 0;
  horizon = Infinity;
  /** The next arrival to read from `arrival`. */
  nextArrival = 0;
  events = 0;
  now = NaN;
  nextReport = 0;
  overCapacity = 0;
  checkCapacity = false;
}
