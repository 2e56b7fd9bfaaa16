/**
 * Autoscalers: each turns what the simulator observed into a target number of on-demand and spot
 * replicas. The simulator calls `decide` every interval and at once when spot capacity is lost or
 * comes back; launching, start-up delays and draining are the simulator's.
 */

export interface ScaleTarget {
  onDemand: number;
  spot: number;
}

export interface ScaleObservation {
  nowS: number;
  /** Live replicas (starting or serving, not draining) by market, and those serving. */
  onDemand: number;
  spot: number;
  onDemandReady: number;
  spotReady: number;
  spotAvailable: boolean;
  /** Spot zones with capacity now (0 without spot). */
  spotZonesUp?: number;
  /** Time-averaged requests in flight (queued or in a batch) per serving replica since the last decision. */
  inFlightPerReplica: number;
  /** Arrivals since the last decision, and the seconds that covers. */
  arrivals: number;
  windowS: number;
}

export interface Autoscaler {
  readonly name: string;
  /** Replicas serving (warm) at time 0. */
  initial(): ScaleTarget;
  decide(o: ScaleObservation): ScaleTarget;
}

export const AUTOSCALER_NAMES = ['fixed-peak', 'reactive', 'forecast', 'spot-mix'] as const;
export type AutoscalerName = (typeof AUTOSCALER_NAMES)[number] | 'plan';

/** Enough on-demand replicas for the busiest interval, all the time: the baseline. */
export function fixedPeak(replicas: number): Autoscaler {
  const t = { onDemand: replicas, spot: 0 };
  return { name: 'fixed-peak', initial: () => t, decide: () => t };
}

/**
 * As the Kubernetes HPA: desired = ceil(ready × metric / target), ignored within a 10% tolerance;
 * scaling up is immediate, scaling down takes the highest recommendation of the last `cooldownS`
 * (the HPA's downscale stabilisation window); up by at most double or four more per decision
 * (its default scale-up policy). The metric is requests in flight per replica
 * (KServe/Knative's concurrency), its target a share of what a replica holds at once.
 */
export function reactive(o: { initial: number; targetInFlight: number; cooldownS: number; min?: number; max?: number; tolerance?: number }): Autoscaler {
  const min = o.min ?? 1;
  const max = o.max ?? 1000;
  const tol = o.tolerance ?? 0.1;
  const history: { t: number; n: number }[] = [];
  let current = o.initial;
  return {
    name: 'reactive',
    initial: () => ({ onDemand: o.initial, spot: 0 }),
    decide(s) {
      const ready = s.onDemandReady + s.spotReady;
      // Its own last target, not the replicas live: a wrapper (spot-mix) may run more than it asked.
      let desired = current;
      if (ready > 0) {
        const ratio = s.inFlightPerReplica / o.targetInFlight;
        if (Math.abs(ratio - 1) > tol) desired = Math.ceil(ready * ratio);
        // Starting replicas are capacity on its way: do not drop them while the load is there.
        if (desired < current && ratio > 1 - tol) desired = current;
        // The HPA's default scale-up policy: at most double, or four more, per decision.
        desired = Math.min(desired, Math.max(2 * ready, ready + 4));
      }
      desired = Math.min(max, Math.max(min, desired));
      history.push({ t: s.nowS, n: desired });
      while (history.length && history[0]!.t < s.nowS - o.cooldownS) history.shift();
      let stabilised = desired;
      for (const h of history) stabilised = Math.max(stabilised, h.n);
      current = desired > current ? desired : stabilised;
      return { onDemand: current, spot: 0 };
    },
  };
}

/**
 * Replicas for the P90 forecast of arrivals: at time t, enough for the interval now and for the
 * interval a start-up later, so replicas are serving when the load comes.
 */
export function forecastDriven(o: { p90ArrivalsPerInterval: ArrayLike<number>; intervalS: number; capacityPerReplicaPerS: number; leadS: number; min?: number; max?: number }): Autoscaler {
  const need = (t: number) => {
    const k = Math.min(o.p90ArrivalsPerInterval.length - 1, Math.max(0, Math.floor(t / o.intervalS)));
    const rate = (o.p90ArrivalsPerInterval[k] ?? 0) / o.intervalS;
    const want = Math.max(o.min ?? 1, Math.ceil(rate / o.capacityPerReplicaPerS));
    return o.max === undefined ? want : Math.min(Math.max(o.min ?? 1, o.max), want);
  };
  return {
    name: 'forecast',
    initial: () => ({ onDemand: need(0), spot: 0 }),
    decide: (s) => ({ onDemand: Math.max(need(s.nowS), need(s.nowS + o.leadS)), spot: 0 }),
  };
}

/**
 * The spot hedge sized by zones: the fewest extra spot replicas such that, spread across `zonesUp`
 * zones (the simulator puts each launch in the zone holding the fewest), losing the zone holding
 * the most still leaves `need` serving: the least h with (need + h) − ⌈(need + h) / zones⌉ ≥ need,
 * which is ⌈need / (zones − 1)⌉. This is SkyServe's over-provisioning against the capacity one outage
 * can take at once, assuming zones fail independently (zones that fail together are one zone here;
 * give a fixed hedge for them). One zone (or none up): an outage takes every spot replica and no
 * spot hedge covers it (the on-demand fallback and base on-demand do), so the hedge is one
 * replica of headroom, as before zones were counted.
 */
export function zoneHedge(need: number, zonesUp: number): number {
  if (need <= 0) return 0;
  if (zonesUp <= 1) return 1;
  // (need + h) − ⌈(need + h) / Z⌉ = ⌊(need + h)(Z − 1) / Z⌋ ≥ need  ⟺  h ≥ need / (Z − 1).
  return Math.ceil(need / (zonesUp - 1));
}

/**
 * SkyServe's idea: serve from spot, a hedge of spot replicas over the need, and launch on-demand
 * replicas only for the spot replicas that are not serving (preempted, or still starting); they
 * drain when spot serves again. The hedge is `hedge` replicas when a number, or by default
 * (`'zones'`) zoneHedge of the need and the zones up now, so one zone's outage leaves the need
 * serving on spot when there are two zones or more. `baseOnDemand` on-demand replicas stay on
 * whatever spot does (SkyServe's base_ondemand_fallback_replicas), so a preemption never leaves
 * nothing serving while the fallback starts. `inner` says how many replicas are needed; `zones` is
 * the zones' count before anything is observed (for the initial fleet).
 */
export function spotMix(inner: Autoscaler, o: { hedge?: number | 'zones'; zones?: number; baseOnDemand?: number; name?: string }): Autoscaler {
  const base = o.baseOnDemand ?? 0;
  const hedgeOf = (spotNeed: number, zonesUp: number) => (typeof o.hedge === 'number' ? o.hedge : zoneHedge(spotNeed, zonesUp));
  const split = (need: number, s: ScaleObservation | undefined): ScaleTarget => {
    const spotNeed = Math.max(0, need - base);
    const hedge = hedgeOf(spotNeed, s?.spotZonesUp ?? o.zones ?? 1);
    const spotReady = s?.spotReady ?? spotNeed + hedge;
    const spotAvailable = s?.spotAvailable ?? true;
    return { spot: spotAvailable && spotNeed > 0 ? spotNeed + hedge : 0, onDemand: Math.min(need, base) + Math.max(0, spotNeed - spotReady) };
  };
  return {
    name: o.name ?? 'spot-mix',
    initial: () => {
      const t = inner.initial();
      return split(t.onDemand + t.spot, undefined);
    },
    decide(s) {
      const t = inner.decide(s);
      return split(t.onDemand + t.spot, s);
    },
  };
}

/** A schedule (the plan's replicas per interval), started a start-up ahead, with on-demand for lost spot. */
export function scheduled(o: { perInterval: readonly ScaleTarget[]; intervalS: number; leadS: number; name?: string }): Autoscaler {
  const at = (t: number) => o.perInterval[Math.min(o.perInterval.length - 1, Math.max(0, Math.floor(t / o.intervalS)))] ?? { onDemand: 0, spot: 0 };
  return {
    name: o.name ?? 'plan',
    initial: () => at(0),
    decide(s) {
      const a = at(s.nowS);
      const b = at(s.nowS + o.leadS);
      const spot = Math.max(a.spot, b.spot);
      // Spot the schedule counts on that is not serving (preempted, or not yet up) is covered on demand.
      const lostSpot = Math.max(0, a.spot - s.spotReady);
      return { onDemand: Math.max(a.onDemand, b.onDemand) + lostSpot, spot: s.spotAvailable ? spot : 0 };
    },
  };
}
