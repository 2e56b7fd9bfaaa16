/**
 * A run's start: the engine's state (state.ts) filled again for one input and policy.
 *
 * Owns: splitting gangs, copying what the loop needs of each job into typed arrays (so the loop
 * touches no job object), the pools' order and filters, the spot rules' settings, the first
 * spot-count events, and the fixed nodes, up from the start. Everything a run reads is set here,
 * every run, so nothing carries over from the one before.
 */
import { seededRng } from '../../rng.js';
import { Cluster, Demands } from '../cluster.js';
import { splitGangs } from '../gang.js';
import { EventHeap } from '../heap.js';
import { IntList } from '../int-list.js';
import type { SimInput } from '../model.js';
import type { Policy } from '../policies/policy.js';
import { DEFAULT_TUNING, HAZARD_TUNING, RESERVE_TUNING } from '../spot.js';
import { capAt, hasCapLimit, nextCapChange } from './capacity.js';
import { autoscaled, nodeUp } from './nodes.js';
import { armSpotAge } from './spot-events.js';
import { ANY, ON_DEMAND, SPOT, SPOT_CHANGE, type EngineOptions, type EngineState } from './state.js';

export function setUp(s: EngineState, input: SimInput, policy: Policy, opts: EngineOptions): void {
  s.input = input;
  s.policy = policy;
  s.opts = opts;
  s.rng = seededRng(input.seed);
  // Jobs in arrival order (stable), gangs split into members: the engine's job index is the
  // position in this order.
  s.gangs = splitGangs(input.jobs, input.pools);
  const jobs = s.gangs.jobs;
  s.jobs = jobs;
  s.lead = s.gangs.lead;
  s.gNext = s.gangs.next;
  s.gSize = s.gangs.size;
  const N = jobs.length;
  s.N = N;
  s.gangSpeed = new Float64Array(N);
  s.gangShort = new Int32Array(N);
  const pools = input.pools;
  s.pools = pools;
  const P = pools.length;
  s.P = P;
  const c = new Cluster(pools);
  s.c = c;
  s.d = new Demands(jobs, pools);
  s.ctx = { c, d: s.d, rng: s.rng, jobId: (j) => jobs[j]!.id };
  // Only events in flight sit in the heap (arrivals are read from the trace): it starts small.
  s.heap = new EventHeap(4096);

  s.st = new Uint8Array(N);
  s.remaining = new Float64Array(N);
  s.runStart = new Float64Array(N);
  s.overheadNow = new Float64Array(N);
  s.endAt = new Float64Array(N);
  s.node = new Int32Array(N).fill(-1);
  s.mask = new Int32Array(N);
  s.gen = new Int32Array(N);
  s.firstStartS = new Float64Array(N).fill(NaN);
  s.finishS = new Float64Array(N).fill(NaN);
  s.preemptions = new Int32Array(N);
  s.migrations = new Int32Array(N);
  s.safetySwitches = new Int32Array(N);
  s.restarts = new Int32Array(N);
  s.lostGpuS = new Float64Array(N);
  s.gpuS = new Float64Array(N);
  s.market = new Uint8Array(N);
  s.committed = new Uint8Array(N);
  s.waitingFor = new Int32Array(N).fill(-1);
  s.queueKey = new Float64Array(N);
  s.nextOn = new Int32Array(N).fill(-1);
  s.prevOn = new Int32Array(N).fill(-1);
  s.headOn = new Int32Array(c.n).fill(-1);
  s.reasons = new Map<number, string>();

  s.nodeGen = new Int32Array(c.n);
  s.idleGen = new Int32Array(c.n);
  s.reservedBy = new Int32Array(c.n).fill(-1);
  s.poolActive = new Int32Array(P);
  s.peakNodes = new Int32Array(P);
  s.spotAvail = new Uint8Array(P).fill(1);
  s.spotCap = new Float64Array(P).fill(Infinity);

  const isSpot = pools.map((p) => p.pricing === 'spot');
  s.isSpot = isSpot;
  const poolPrice = pools.map((p) => p.pricePerNodeHour.toNumber() / Math.max(1, p.gpusPerNode));
  s.poolPrice = poolPrice;
  s.poolOrder = pools
    .map((p, i) => i)
    .sort((a, b) => {
      if (policy.poolRank === 'perf-per-dollar') {
        const va = poolPrice[a]! > 0 ? pools[a]!.speed / poolPrice[a]! : Number.MAX_VALUE;
        const vb = poolPrice[b]! > 0 ? pools[b]!.speed / poolPrice[b]! : Number.MAX_VALUE;
        return vb - va || a - b;
      }
      return poolPrice[a]! - poolPrice[b]! || a - b;
    });
  // Pool filters per (job class, market), built once.
  s.filters = s.d.classes.map((allowed) =>
    [ANY, SPOT, ON_DEMAND].map((m) => {
      const f = new Uint8Array(P);
      for (let p = 0; p < P; p++) f[p] = allowed[p] === 1 && (m === ANY || (m === SPOT) === isSpot[p]) ? 1 : 0;
      return f;
    }),
  );
  s.usesMarket = policy.market !== 'any';
  s.hazard = policy.market === 'spot-hazard';
  s.deadlineRule = policy.market === 'deadline-aware' || policy.market === 'greedy' || policy.market === 'slack-reserve' || s.hazard;
  // Measured on the real traces (docs/simulator.md, Several zones): the zone choice helps these
  // two; slack-reserve and greedy keep the first zone with room.
  s.zoneChoice = s.hazard || policy.market === 'deadline-aware';
  s.spotPref = new Int32Array(N).fill(-1);
  s.onlyPool = pools.map((_, p) => {
    const f = new Uint8Array(P);
    f[p] = 1;
    return f;
  });
  s.tuning = policy.tuning ?? DEFAULT_TUNING;
  s.reserveTuning = policy.reserveTuning ?? RESERVE_TUNING;
  s.hazardTuning = policy.hazardTuning ?? HAZARD_TUNING;
  s.fixedMarket = policy.market === 'always-spot' ? SPOT : policy.market === 'always-on-demand' ? ON_DEMAND : ANY;

  s.arrival = new Float64Array(N);
  s.overheadS = new Float64Array(N);
  s.checkpointS = new Float64Array(N);
  // What the loop needs of each job, read once here: the loop then touches no job object.
  const order = policy.queue;
  for (let j = 0; j < N; j++) {
    const job = jobs[j]!;
    s.arrival[j] = job.arrivalS;
    s.remaining[j] = job.workS;
    s.overheadS[j] = Math.max(0, job.restartOverheadS);
    s.checkpointS[j] = job.checkpointIntervalS;
    s.queueKey[j] = order === 'priority' ? -job.priority : order === 'sjf' ? job.workS : job.arrivalS;
  }

  s.queue = new IntList(1024);
  s.changed = true;
  s.blockedHead = -1;
  s.fresh = new IntList(256);
  for (let p = 0; p < P; p++) {
    if (!hasCapLimit(s, p)) continue;
    const t0 = jobs.length > 0 ? jobs[0]!.arrivalS : 0;
    s.spotCap[p] = capAt(s, p, t0);
    s.spotAvail[p] = s.spotCap[p]! > 0 ? 1 : 0;
    const nx = nextCapChange(s, p, t0);
    if (Number.isFinite(nx)) s.heap.push(nx, SPOT_CHANGE, p, 0);
  }
  s.pastTick = pools.map(() => 0);
  s.pastRunStart = pools.map(() => 0);
  s.pastRunUp = pools.map(() => false);
  s.pastUpRunsS = pools.map(() => []);
  s.spotAgeGen = new Int32Array(P);
  s.spotAgeAt = new Float64Array(P).fill(-Infinity);
  if (s.hazard) for (let p = 0; p < P; p++) if (isSpot[p] && s.spotAvail[p] === 1 && pools[p]!.spotTrace) armSpotAge(s, p, jobs.length > 0 ? jobs[0]!.arrivalS : 0);
  s.isAutoscaled = new Uint8Array(c.n);
  for (let n = 0; n < c.n; n++) s.isAutoscaled[n] = autoscaled(s, n) ? 1 : 0;
  s.idleSince = new Float64Array(c.n);
  s.becameIdle = new IntList(64);
  // Fixed nodes exist from the start.
  const t0 = jobs.length > 0 ? Math.min(0, jobs[0]!.arrivalS) : 0;
  s.t0 = t0;
  for (let p = 0; p < P; p++) {
    for (let k = 0; k < pools[p]!.fixedNodes; k++) {
      const n = c.poolFirst[p]! + k;
      c.provision(n, t0);
      nodeUp(s, n, t0);
    }
    s.poolActive[p] = pools[p]!.fixedNodes;
    s.peakNodes[p] = pools[p]!.fixedNodes;
  }

  s.activeFinite = 0;
  s.waitList = [];
  s.inWait = new Uint8Array(N);
  s.boundValid = false;
  s.failedInPass = false;
  s.bWhole = 0;
  s.bShare = 0;
  s.bCpu = 0;
  s.bMem = 0;
  s.tmpGpu = new Int32Array(32);
  s.ends = [];
  s.minSpeed = Math.min(...pools.map((p) => p.speed));
}
