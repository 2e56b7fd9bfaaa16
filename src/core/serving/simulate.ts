/**
 * The request-level serving simulator, on the discrete-event engine's heap (sim/heap.ts).
 *
 * Requests arrive from the (sorted) workload, read in order rather than pushed into the heap. A
 * balancer sends each to a serving replica; a replica admits requests from its FIFO queue into its
 * batch while the batch has a free slot and the KV cache has room for the request's context and
 * generated tokens (reserved on admission, as vLLM's scheduler does). Prefill is sequential on a
 * replica (prompt tokens at the profile's rate, plus the adapter's load time when it is not
 * resident); the first token comes when its prefill ends (TTFT), the others one decode step apart,
 * the step time set by the KV tokens resident when the request joined (an approximation that
 * keeps one event per request). Replicas start after their start-up time; spot replicas are
 * preempted when their zone's spot trace says capacity is gone, their requests retried elsewhere.
 * With several zones (one spot trace each) spot replicas are spread across the zones that have
 * capacity, so a zone's outage takes only its share of them. Every
 * replica is paid from launch to release; money is computed once at the end from exact prices.
 */
import { Decimal, ZERO } from '../money.js';
import type { Rng } from '../rng.js';
import { availableAt, type SpotTrace } from '../model/spot.js';
import { selectKth } from '../select.js';
import { EventHeap } from '../sim/heap.js';
import type { Autoscaler, ScaleObservation, ScaleTarget } from './autoscale.js';
import { tpotS, type ReplicaProfile } from './replica.js';
import type { ServingWorkload } from './workload.js';

export const BALANCER_NAMES = ['round-robin', 'least-outstanding', 'power-of-two', 'consistent-hash'] as const;
export type BalancerName = (typeof BALANCER_NAMES)[number];

export interface Slo {
  /** A request meets the SLO when its first token comes within this. */
  ttftS: number;
  /** Share of all requests (dropped ones count as misses) that must meet it: 0.99 for "P99 TTFT ≤ ttftS". */
  attainment: number;
}

export interface ServingSimInput {
  workload: ServingWorkload;
  profile: ReplicaProfile;
  onDemandUsdPerHour: Decimal;
  spotUsdPerHour?: Decimal;
  balancer: BalancerName;
  autoscaler: Autoscaler;
  slo: Slo;
  /** Seconds between autoscaler decisions. */
  intervalS: number;
  spot?: SpotTrace;
  /** Spot zones, one trace each (the same period): spot replicas are spread across those up. Replaces `spot`. */
  spotZones?: readonly SpotTrace[];
  /** Each zone's spot price of a replica-hour (index as spotZones); spotUsdPerHour where absent. */
  spotZoneUsdPerHour?: readonly (Decimal | undefined)[];
  /** Where in the spot traces the workload starts, seconds. */
  spotOffsetS?: number;
  /** A request still queued this long after arriving is dropped (the client gave up). */
  timeoutS?: number;
  /** Attempts after the first a preempted request gets before it is dropped. */
  maxRetries?: number;
  /** Adapters resident at once on a replica, and the time to load one that is not. */
  adapterSlots?: number;
  adapterLoadS?: number;
  /** Bounded loads: no replica takes more than this × the mean outstanding (+1). */
  hashLoadFactor?: number;
  rng: Rng;
}

export interface Percentiles {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface ServingResult {
  balancer: BalancerName;
  autoscaler: string;
  requests: number;
  served: number;
  dropped: { total: number; timeout: number; tooLong: number; retries: number };
  retries: number;
  preemptions: number;
  launches: { onDemand: number; spot: number };
  peakReplicas: number;
  tokens: { asked: number; served: number; dropped: number };
  /** Seconds; over served requests. */
  ttftS: Percentiles;
  tpotS: Percentiles;
  e2eS: Percentiles;
  /** Share of all requests whose first token came within the SLO. */
  sloAttainment: number;
  sloMet: boolean;
  replicaHours: { onDemand: number; spot: number };
  cost: { onDemand: Decimal; spot: Decimal; total: Decimal; perThousandRequests: Decimal };
  adapterHitRate: number | null;
  endS: number;
  events: number;
}

// Event kinds.
const DONE = 1;
const UP = 2;
const TICK = 3;
const SPOT = 4;

// Replica states.
const STARTING = 1;
const SERVING = 2;
const DRAINING = 3;
const OFF = 4;

// Request states.
const PENDING = 0;
const QUEUED = 1;
const ACTIVE = 2;
const SERVED = 3;
const DROPPED = 4;

/** Places in the ring's replica list below this pack beside a 32-bit hash in one float64 (2^52); far more replicas than any fleet serves at once. */
const RING_SLOT_SPAN = 2 ** 20;
const VNODES = 40;

function mix32(x: number): number {
  // murmur3's finaliser: a well-spread 32-bit hash of an integer.
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

class Queue {
  a: number[] = [];
  head = 0;
  get length(): number {
    return this.a.length - this.head;
  }
  push(x: number): void {
    this.a.push(x);
  }
  peek(): number {
    return this.a[this.head]!;
  }
  shift(): number {
    const x = this.a[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.a.length) {
      this.a = this.a.slice(this.head);
      this.head = 0;
    }
    return x;
  }
  drain(): number[] {
    const out = this.a.slice(this.head);
    this.a = [];
    this.head = 0;
    return out;
  }
}

interface Replica {
  id: number;
  spot: boolean;
  /** The spot zone (index into the zones), -1 on demand. */
  zone: number;
  state: number;
  launchS: number;
  offS: number;
  queue: Queue;
  inflight: number[];
  kvUsed: number;
  prefillFreeS: number;
  adapters: number[];
  adapterUse: number[];
}

export function simulateServing(input: ServingSimInput): ServingResult {
  const { workload: w, profile: p, slo, rng } = input;
  const n = w.arrivalS.length;
  const timeoutS = input.timeoutS ?? 60;
  const maxRetries = input.maxRetries ?? 3;
  const adapterSlots = input.adapterSlots ?? 4;
  const adapterLoadS = input.adapterLoadS ?? 0.2;
  const loadFactor = input.hashLoadFactor ?? 1.25;
  const spotOffsetS = input.spotOffsetS ?? 0;
  const kind = input.balancer;

  const state = new Uint8Array(n);
  const attempt = new Int32Array(n);
  const where = new Int32Array(n).fill(-1);
  const pos = new Int32Array(n);
  const ttft = new Float64Array(n).fill(NaN);
  const tpot = new Float64Array(n).fill(NaN);
  const doneAt = new Float64Array(n).fill(NaN);
  const pendingTtft = new Float64Array(n);
  let served = 0;
  let dropTimeout = 0;
  let dropTooLong = 0;
  let dropRetries = 0;
  let retries = 0;
  let preemptions = 0;
  let adapterHits = 0;
  let adapterLookups = 0;

  const replicas: Replica[] = [];
  // Replicas not yet released: ticks and spot changes look at these, not at every replica ever launched.
  let alive: Replica[] = [];
  let ready: Replica[] = [];
  let ringDirty = true;
  let ringHash = new Uint32Array(0);
  let ringReplica: Replica[] = [];
  const pending = new Queue();
  let outstanding = 0;
  let rr = 0;
  let launchesOd = 0;
  let launchesSpot = 0;
  let peak = 0;

  const heap = new EventHeap(1024);
  let now = 0;
  let events = 0;
  // Integrals for the autoscaler's metric since its last decision.
  let lastT = 0;
  let inFlightArea = 0;
  let readyArea = 0;
  let arrivalsSince = 0;
  let lastDecisionS = 0;
  const zones: readonly SpotTrace[] = input.spotZones?.length ? input.spotZones : input.spot ? [input.spot] : [];
  const zoneUp = zones.map((z) => availableAt(z, spotOffsetS));
  const zonePrice = zones.map((_, z) => input.spotZoneUsdPerHour?.[z] ?? input.spotUsdPerHour ?? ZERO);
  // Spot is available while any zone has capacity.
  let spotUp = zoneUp.some(Boolean);

  const advance = (t: number) => {
    if (t > lastT) {
      inFlightArea += outstanding * (t - lastT);
      readyArea += ready.length * (t - lastT);
      lastT = t;
    }
    now = t;
  };

  const rebuildReady = () => {
    const next = alive.filter((r) => r.state === SERVING);
    // The ring changes only when the serving set does (decisions that change nothing are common).
    let same = next.length === ready.length;
    for (let i = 0; same && i < next.length; i++) same = next[i] === ready[i];
    ready = next;
    if (!same) ringDirty = true;
  };

  const buildRing = () => {
    // Each virtual node as one number, hash × 2^20 + its replica's place in `ready` (exact below
    // 2^53), sorted natively: no comparator, no object per node. `ready` is in launch order, so
    // ties of hash still go to the lower id.
    const keys = new Float64Array(ready.length * VNODES);
    let k = 0;
    for (let i = 0; i < ready.length; i++) {
      const id = ready[i]!.id;
      for (let v = 0; v < VNODES; v++) keys[k++] = mix32(mix32(id + 1) ^ (v * 0x9e3779b1)) * RING_SLOT_SPAN + i;
    }
    keys.sort();
    ringHash = new Uint32Array(keys.length);
    ringReplica = new Array<Replica>(keys.length);
    for (let j = 0; j < keys.length; j++) {
      const slot = keys[j]! % RING_SLOT_SPAN;
      ringHash[j] = (keys[j]! - slot) / RING_SLOT_SPAN;
      ringReplica[j] = ready[slot]!;
    }
    ringDirty = false;
  };

  const load = (r: Replica) => r.queue.length + r.inflight.length;

  const pick = (req: number): Replica => {
    const m = ready.length;
    if (kind === 'round-robin') return ready[rr++ % m]!;
    if (kind === 'least-outstanding') {
      let best = ready[0]!;
      let bl = load(best);
      for (let i = 1; i < m; i++) {
        const l = load(ready[i]!);
        if (l < bl) ((best = ready[i]!), (bl = l));
      }
      return best;
    }
    if (kind === 'power-of-two') {
      if (m === 1) return ready[0]!;
      const i = rng.int(m);
      let j = rng.int(m - 1);
      if (j >= i) j++;
      const a = ready[i]!;
      const b = ready[j]!;
      return load(b) < load(a) ? b : a;
    }
    // Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam, SODA 2018).
    if (ringDirty) buildRing();
    const a = w.adapter[req]!;
    const key = mix32(a >= 0 ? a + 0x51ed27 : req ^ 0x2545f491);
    let lo = 0;
    let hi = ringHash.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ringHash[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    const bound = Math.ceil((loadFactor * (outstanding + 1)) / m);
    for (let k = 0; k < ringHash.length; k++) {
      const r = ringReplica[(lo + k) % ringHash.length]!;
      if (load(r) < bound) return r;
    }
    return ringReplica[lo % ringHash.length]!;
  };

  const drop = (req: number, why: 'timeout' | 'tooLong' | 'retries') => {
    state[req] = DROPPED;
    if (why === 'timeout') dropTimeout++;
    else if (why === 'tooLong') dropTooLong++;
    else dropRetries++;
  };

  const dispatch = (req: number) => {
    const need = w.contextTokens[req]! + w.generatedTokens[req]!;
    if (need > p.kvCapacityTokens) return drop(req, 'tooLong');
    if (ready.length === 0) {
      state[req] = PENDING;
      pending.push(req);
      return;
    }
    const r = pick(req);
    state[req] = QUEUED;
    where[req] = r.id;
    outstanding++;
    // Most requests find room at once: they skip the queue (same order: the queue is empty).
    if (r.queue.length === 0 && r.inflight.length < p.maxBatch && r.kvUsed + need <= p.kvCapacityTokens && now - w.arrivalS[req]! <= timeoutS) return start(r, req, need);
    r.queue.push(req);
    admit(r);
  };

  const admit = (r: Replica) => {
    while (r.queue.length > 0) {
      const req = r.queue.peek();
      if (now - w.arrivalS[req]! > timeoutS) {
        r.queue.shift();
        outstanding--;
        drop(req, 'timeout');
        continue;
      }
      const need = w.contextTokens[req]! + w.generatedTokens[req]!;
      if (r.inflight.length >= p.maxBatch || r.kvUsed + need > p.kvCapacityTokens) break;
      r.queue.shift();
      start(r, req, need);
    }
  };

  /** Into the batch: KV reserved, prefill after the replica's earlier prompts, completion scheduled. */
  const start = (r: Replica, req: number, need: number) => {
    r.kvUsed += need;
    pos[req] = r.inflight.length;
    r.inflight.push(req);
    state[req] = ACTIVE;
    let loadS = 0;
    const a = w.adapter[req]!;
    if (a >= 0) {
      adapterLookups++;
      const k = r.adapters.indexOf(a);
      if (k >= 0) {
        adapterHits++;
        r.adapterUse[k] = now;
      } else {
        loadS = adapterLoadS;
        if (r.adapters.length < adapterSlots) (r.adapters.push(a), r.adapterUse.push(now));
        else {
          let lru = 0;
          for (let i = 1; i < r.adapters.length; i++) if (r.adapterUse[i]! < r.adapterUse[lru]!) lru = i;
          r.adapters[lru] = a;
          r.adapterUse[lru] = now;
        }
      }
    }
    const prefillFromS = Math.max(now, r.prefillFreeS);
    const firstTokenS = prefillFromS + loadS + w.contextTokens[req]! / p.prefillTokensPerS;
    r.prefillFreeS = firstTokenS;
    const step = tpotS(p, r.kvUsed);
    pendingTtft[req] = firstTokenS - w.arrivalS[req]!;
    tpot[req] = step;
    heap.push(firstTokenS + (w.generatedTokens[req]! - 1) * step, DONE, req, attempt[req]!);
  };

  const removeInflight = (r: Replica, req: number) => {
    const i = pos[req]!;
    const last = r.inflight.pop()!;
    if (last !== req) {
      r.inflight[i] = last;
      pos[last] = i;
    }
  };

  const release = (r: Replica) => {
    r.state = OFF;
    r.offS = now;
    alive = alive.filter((x) => x !== r);
  };

  /** The zone with capacity holding the fewest live spot replicas: spread, so one outage takes a share. */
  const spreadZone = (): number => {
    const live = zones.map(() => 0);
    for (const r of alive) if (r.spot && (r.state === STARTING || r.state === SERVING)) live[r.zone]!++;
    let best = -1;
    // Among zones holding as few, the cheaper (zones priced alike: the first).
    for (let z = 0; z < zones.length; z++) if (zoneUp[z] && (best < 0 || live[z]! < live[best]! || (live[z] === live[best] && zonePrice[z]!.lt(zonePrice[best]!)))) best = z;
    return best;
  };

  const launch = (spot: boolean, warm: boolean) => {
    const r: Replica = { id: replicas.length, spot, zone: spot ? spreadZone() : -1, state: warm ? SERVING : STARTING, launchS: warm ? 0 : now, offS: NaN, queue: new Queue(), inflight: [], kvUsed: 0, prefillFreeS: 0, adapters: [], adapterUse: [] };
    replicas.push(r);
    alive.push(r);
    if (spot) launchesSpot++;
    else launchesOd++;
    if (!warm) heap.push(now + p.startupS, UP, r.id, 0);
  };

  /** Take a replica out: its queued and in-flight requests go elsewhere (in-flight ones as retries). */
  const evict = (r: Replica, preempted: boolean) => {
    const queued = r.queue.drain();
    const inflight = r.inflight.slice();
    r.inflight = [];
    r.kvUsed = 0;
    outstanding -= queued.length + inflight.length;
    release(r);
    if (preempted) preemptions++;
    rebuildReady();
    for (const req of inflight) {
      attempt[req]!++;
      retries++;
      if (attempt[req]! > maxRetries) drop(req, 'retries');
      else dispatch(req);
    }
    for (const req of queued) dispatch(req);
  };

  const liveCount = () => {
    let od = 0;
    let sp = 0;
    let odReady = 0;
    let spReady = 0;
    for (const r of alive) {
      if (r.state !== STARTING && r.state !== SERVING) continue;
      if (r.spot) ((sp += 1), (spReady += r.state === SERVING ? 1 : 0));
      else ((od += 1), (odReady += r.state === SERVING ? 1 : 0));
    }
    return { od, sp, odReady, spReady };
  };

  const reconcile = (t: ScaleTarget) => {
    for (const spot of [false, true]) {
      const want = Math.max(0, Math.floor(spot ? (spotUp && input.spotUsdPerHour ? t.spot : 0) : t.onDemand));
      const live = alive.filter((r) => r.spot === spot && (r.state === STARTING || r.state === SERVING));
      for (let k = live.length; k < want; k++) launch(spot, false);
      let extra = live.length - want;
      // Cancel starting replicas first, then drain the least loaded serving ones (spot: from the
      // zones holding the most first, so the fleet stays spread).
      for (const r of live) if (extra > 0 && r.state === STARTING) (release(r), extra--);
      const inZone = zones.map(() => 0);
      if (spot) for (const r of live) if (r.state === SERVING) inZone[r.zone]!++;
      const byLoad = live.filter((r) => r.state === SERVING).sort((a, b) => (spot ? inZone[b.zone]! - inZone[a.zone]! : 0) || load(a) - load(b) || b.id - a.id);
      for (const r of byLoad) {
        if (extra <= 0) break;
        extra--;
        if (load(r) === 0) release(r);
        else r.state = DRAINING;
      }
    }
    rebuildReady();
    if (alive.length > peak) peak = alive.length;
  };

  const decide = () => {
    const c = liveCount();
    const windowS = now - lastDecisionS;
    const o: ScaleObservation = { nowS: now, onDemand: c.od, spot: c.sp, onDemandReady: c.odReady, spotReady: c.spReady, spotAvailable: spotUp, spotZonesUp: zoneUp.reduce((k, up) => k + (up ? 1 : 0), 0), inFlightPerReplica: readyArea > 0 ? inFlightArea / readyArea : 0, arrivals: arrivalsSince, windowS };
    inFlightArea = 0;
    readyArea = 0;
    arrivalsSince = 0;
    lastDecisionS = now;
    reconcile(input.autoscaler.decide(o));
    drainPending();
    // With no replica serving, waiting requests time out here (no replica event will reach them).
    if (pending.length > 0) for (const req of pending.drain()) if (now - w.arrivalS[req]! > timeoutS) drop(req, 'timeout');
      else pending.push(req);
  };

  const drainPending = () => {
    if (ready.length === 0) return;
    for (const req of pending.drain()) dispatch(req);
  };

  const nextSpotChangeS = (zone: number, fromS: number): number => {
    const tr = zones[zone]!;
    const len = tr.available.length;
    const g = tr.gapS;
    // Nudged: at a change instant, float rounding must not put us in the sample before it.
    const i = Math.floor((fromS + spotOffsetS) / g + 1e-9);
    const up = availableAt(tr, i * g);
    for (let k = 1; k <= len; k++) if (availableAt(tr, (i + k) * g) !== up) return (i + k) * g - spotOffsetS;
    return Infinity;
  };

  // Time 0: the autoscaler's initial replicas are serving.
  const init = input.autoscaler.initial();
  for (let k = 0; k < Math.floor(init.onDemand); k++) launch(false, true);
  if (spotUp && input.spotUsdPerHour) for (let k = 0; k < Math.floor(init.spot); k++) launch(true, true);
  rebuildReady();
  peak = replicas.length;
  heap.push(input.intervalS, TICK, 0, 0);
  // One spot event in the heap at a time, at the next change of any zone: zones changing at the
  // same instant change together, before the autoscaler decides (so it never launches into a zone
  // about to go).
  const zoneNextS = zones.map((_, z) => (input.spotUsdPerHour ? nextSpotChangeS(z, 0) : Infinity));
  const nextSpotS = () => zoneNextS.reduce((m, t) => Math.min(m, t), Infinity);
  if (Number.isFinite(nextSpotS())) heap.push(nextSpotS(), SPOT, 0, 0);

  let next = 0;
  let resolved = 0;
  const countResolved = () => {
    resolved = served + dropTimeout + dropTooLong + dropRetries;
  };
  while (next < n || resolved < n) {
    const ta = next < n ? w.arrivalS[next]! : Infinity;
    if (ta <= heap.peekTime()) {
      advance(ta);
      arrivalsSince++;
      dispatch(next++);
      countResolved();
      events++;
      continue;
    }
    if (heap.size === 0) break;
    heap.pop();
    events++;
    advance(heap.t);
    const k = heap.k;
    if (k === DONE) {
      const req = heap.ea;
      if (heap.eb !== attempt[req] || state[req] !== ACTIVE) continue;
      const r = replicas[where[req]!]!;
      r.kvUsed -= w.contextTokens[req]! + w.generatedTokens[req]!;
      removeInflight(r, req);
      outstanding--;
      state[req] = SERVED;
      ttft[req] = pendingTtft[req]!;
      doneAt[req] = now;
      served++;
      admit(r);
      if (r.state === DRAINING && load(r) === 0) release(r);
    } else if (k === UP) {
      const r = replicas[heap.ea]!;
      if (r.state !== STARTING) continue;
      r.state = SERVING;
      rebuildReady();
      drainPending();
    } else if (k === TICK) {
      decide();
      if (next < n || resolved < n) heap.push(now + input.intervalS, TICK, 0, 0);
    } else if (k === SPOT) {
      for (let z = 0; z < zones.length; z++) {
        if (zoneNextS[z]! > now) continue;
        zoneUp[z] = !zoneUp[z];
        zoneNextS[z] = nextSpotChangeS(z, now);
      }
      spotUp = zoneUp.some(Boolean);
      for (const r of alive.slice()) if (r.spot && !zoneUp[r.zone]) evict(r, true);
      decide();
      const t = nextSpotS();
      if (Number.isFinite(t) && (next < n || resolved < n)) heap.push(t, SPOT, 0, 0);
    }
    countResolved();
  }
  // Requests left pending when nothing could ever serve them (no replica and none coming).
  for (const req of pending.drain()) drop(req, 'timeout');
  countResolved();

  const endS = Math.max(now, n ? w.arrivalS[n - 1]! : 0);
  let odS = 0;
  let spotS = 0;
  const zoneS = zones.map(() => 0);
  for (const r of replicas) {
    const paid = (Number.isNaN(r.offS) ? endS : r.offS) - r.launchS;
    if (r.spot) ((spotS += paid), (zoneS[r.zone]! += paid));
    else odS += paid;
  }

  // Conservation: every request is served or dropped; every token asked is served or dropped.
  let asked = 0;
  let tokServed = 0;
  let tokDropped = 0;
  for (let i = 0; i < n; i++) {
    const t = w.contextTokens[i]! + w.generatedTokens[i]!;
    asked += t;
    if (state[i] === SERVED) tokServed += t;
    else if (state[i] === DROPPED) tokDropped += t;
  }
  const dropped = dropTimeout + dropTooLong + dropRetries;
  if (served + dropped !== n || tokServed + tokDropped !== asked) throw new Error(`serving simulation lost requests: ${n} in, ${served} served, ${dropped} dropped`);

  const ttfts = new Float64Array(served);
  const tpots = new Float64Array(served);
  const e2es = new Float64Array(served);
  let met = 0;
  for (let i = 0, j = 0; i < n; i++) {
    if (state[i] !== SERVED) continue;
    ttfts[j] = ttft[i]!;
    tpots[j] = tpot[i]!;
    e2es[j++] = doneAt[i]! - w.arrivalS[i]!;
    if (ttft[i]! <= slo.ttftS + 1e-9) met++;
  }
  const odPrice = input.onDemandUsdPerHour;
  const odCost = odPrice.times(new Decimal(odS.toFixed(6))).div(3600);
  // Each zone's spot seconds at its own price (money once per zone).
  let spotCost = ZERO;
  for (let z = 0; z < zones.length; z++) if (zoneS[z]! > 0) spotCost = spotCost.plus(zonePrice[z]!.times(new Decimal(zoneS[z]!.toFixed(6))).div(3600));
  const total = odCost.plus(spotCost);
  const attainment = n ? met / n : 1;
  return {
    balancer: input.balancer,
    autoscaler: input.autoscaler.name,
    requests: n,
    served,
    dropped: { total: dropped, timeout: dropTimeout, tooLong: dropTooLong, retries: dropRetries },
    retries,
    preemptions,
    launches: { onDemand: launchesOd, spot: launchesSpot },
    peakReplicas: peak,
    tokens: { asked, served: tokServed, dropped: tokDropped },
    ttftS: percentiles(ttfts),
    tpotS: percentiles(tpots),
    e2eS: percentiles(e2es),
    sloAttainment: attainment,
    sloMet: attainment >= slo.attainment,
    replicaHours: { onDemand: odS / 3600, spot: spotS / 3600 },
    cost: { onDemand: odCost, spot: spotCost, total, perThousandRequests: n ? total.times(1000).div(n) : ZERO },
    adapterHitRate: adapterLookups ? adapterHits / adapterLookups : null,
    endS,
    events,
  };
}

/** Sorts `xs` in place (the simulator's own scratch arrays: a copy of 1 M values costs more than the loop). */
export function percentiles(xs: Float64Array): Percentiles {
  const n = xs.length;
  if (n === 0) return { mean: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN };
  let total = 0;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    total += xs[i]!;
    if (xs[i]! > max) max = xs[i]!;
  }
  // Nearest rank (quantileSorted's index) by selection, O(n), not a sort (O(n log n): a third of a
  // million-request simulation's time went to sorting three columns). Each selection leaves the
  // larger values to its right, so the next one searches only there. xs is reordered.
  const rank = (q: number) => Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
  const k50 = rank(0.5);
  const k90 = rank(0.9);
  const k99 = rank(0.99);
  selectKth(xs, k50, 0, n - 1);
  selectKth(xs, k90, k50, n - 1);
  selectKth(xs, k99, k90, n - 1);
  return { mean: total / n, p50: xs[k50]!, p90: xs[k90]!, p99: xs[k99]!, max };
}

