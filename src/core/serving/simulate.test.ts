import { describe, expect, it } from 'vitest';
import { Decimal } from '../money.js';
import { seededRng } from '../rng.js';
import { fixedPeak, forecastDriven, reactive, spotMix, zoneHedge, type Autoscaler } from './autoscale.js';
import { deriveProfile, replicaCapacityPerS, type ReplicaProfile } from './replica.js';
import { BALANCER_NAMES, percentiles, simulateServing, type ServingSimInput } from './simulate.js';
import { arrivalsPerInterval, quantileSorted, syntheticWorkload, workloadFromRows, type ServingWorkload } from './workload.js';

/** A replica whose numbers are easy to add up: 100 prompt tokens/s, 10 ms per token. */
const simple: ReplicaProfile = { model: 'm', gpu: 'g', gpusPerReplica: 1, prefillTokensPerS: 100, decodeStepBaseS: 0.01, decodeStepPerKvTokenS: 0, kvCapacityTokens: 100_000, maxBatch: 8, startupS: 30, source: 'test' };

function wl(rows: [number, number, number, number?][]): ServingWorkload {
  return workloadFromRows('t', rows.map(([tS, c, g, a]) => ({ tMs: tS * 1000, contextTokens: c, generatedTokens: g, ...(a !== undefined && { adapter: a }) })));
}

const base = (o: Partial<ServingSimInput> & Pick<ServingSimInput, 'workload'>): ServingSimInput => ({
  profile: simple,
  onDemandUsdPerHour: new Decimal('3.6'),
  balancer: 'round-robin',
  autoscaler: fixedPeak(1),
  slo: { ttftS: 2, attainment: 0.99 },
  intervalS: 60,
  rng: seededRng(1),
  ...o,
});

describe('simulateServing: hand-checked cases', () => {
  it('one request on one replica: TTFT is the prefill, the rest one decode step per token, cost is time × price', () => {
    const r = simulateServing(base({ workload: wl([[0, 100, 11]]) }));
    expect(r.served).toBe(1);
    expect(r.ttftS.p50).toBeCloseTo(1, 9); // 100 tokens at 100 tokens/s
    expect(r.tpotS.p50).toBeCloseTo(0.01, 9);
    expect(r.e2eS.p50).toBeCloseTo(1.1, 9); // + 10 more tokens × 10 ms
    expect(r.endS).toBeCloseTo(1.1, 9);
    // 1.1 s of one replica at $3.60/h = $0.0011 exactly.
    expect(r.cost.total.toString()).toBe('0.0011');
    expect(r.sloMet).toBe(true);
  });

  it('a batch of one serves simultaneous requests one after the other (TTFT 1, 2, 3 s)', () => {
    const r = simulateServing(base({ workload: wl([[0, 100, 1], [0, 100, 1], [0, 100, 1]]), profile: { ...simple, maxBatch: 1 } }));
    expect(r.ttftS.p50).toBeCloseTo(2, 9);
    expect(r.ttftS.max).toBeCloseTo(3, 9);
    expect(r.ttftS.mean).toBeCloseTo(2, 9);
    // TTFT ≤ 2 s for 2 of the 3 requests.
    expect(r.sloAttainment).toBeCloseTo(2 / 3, 9);
    expect(r.sloMet).toBe(false);
  });

  it('M/D/1: Poisson arrivals at 0.5/s, 1 s of service, mean wait ρ/(2μ(1−ρ)) = 0.5 s', () => {
    const w = syntheticWorkload(seededRng(7), { durationS: 40_000, ratePerS: 0.5, context: [100, 100], generated: [1, 1] });
    const r = simulateServing(base({ workload: w, profile: { ...simple, maxBatch: 1 }, timeoutS: 1e9 }));
    expect(r.served).toBe(w.arrivalS.length);
    // TTFT = wait + 1 s of service; Pollaczek–Khinchine gives 1.5 s.
    expect(r.ttftS.mean).toBeGreaterThan(1.45);
    expect(r.ttftS.mean).toBeLessThan(1.55);
  });

  it('the KV cache limits the batch: a request that does not fit waits for one to finish', () => {
    const p = { ...simple, kvCapacityTokens: 150 };
    const r = simulateServing(base({ workload: wl([[0, 50, 50], [0, 50, 50]]), profile: p }));
    // First: prefill 0.5 s, then 49 × 10 ms = 0.99 s. The second is admitted at 0.99 s.
    expect(r.e2eS.max).toBeCloseTo(0.99 + 0.99, 9);
    expect(r.ttftS.max).toBeCloseTo(0.99 + 0.5, 9);
  });

  it('a request longer than the KV cache is dropped as too long, and counted', () => {
    const r = simulateServing(base({ workload: wl([[0, 100, 1], [1, 200_000, 1]]) }));
    expect(r.dropped).toEqual({ total: 1, timeout: 0, tooLong: 1, retries: 0 });
    expect(r.tokens.asked).toBe(r.tokens.served + r.tokens.dropped);
    expect(r.sloAttainment).toBe(0.5);
  });

  it('one preemption: the in-flight request is retried on the on-demand fallback after its start-up', () => {
    // Spot for the first 10 s, then none. The request needs 1 s + 999 × 10 ms ≈ 11 s.
    const spot = { name: 't', gapS: 10, available: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] };
    const r = simulateServing(base({ workload: wl([[0, 100, 1000]]), spot, spotUsdPerHour: new Decimal('1.2'), autoscaler: spotMix(fixedPeak(1), { hedge: 0 }) }));
    expect(r.preemptions).toBe(1);
    expect(r.retries).toBe(1);
    expect(r.served).toBe(1);
    // Preempted at 10 s, on-demand launched then, serving at 40 s; first token 1 s later.
    expect(r.ttftS.p50).toBeCloseTo(40 + 1, 9);
    expect(r.launches).toEqual({ onDemand: 1, spot: 1 });
    // Spot paid 0–10 s, on-demand 10 s to the end (41 + 9.99 s).
    expect(r.replicaHours.spot * 3600).toBeCloseTo(10, 9);
    expect(r.replicaHours.onDemand * 3600).toBeCloseTo(r.endS - 10, 9);
    expect(r.endS).toBeCloseTo(41 + 9.99, 9);
  });

  it('base on-demand replicas stay on through a preemption, and the retried request goes to one at once', () => {
    const spot = { name: 't', gapS: 10, available: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] };
    // Need 2: 1 on-demand always on, 1 spot; round robin sends the request to the spot replica (second).
    const r = simulateServing(base({ workload: wl([[0, 0, 1], [0, 100, 1000]]), spot, spotUsdPerHour: new Decimal('1.2'), autoscaler: spotMix(fixedPeak(2), { hedge: 0, baseOnDemand: 1 }) }));
    expect(r.preemptions).toBe(1);
    expect(r.retries).toBe(1);
    // Retried at 10 s on the on-demand replica already serving: first token 1 s later, not after a start-up.
    expect(r.ttftS.max).toBeCloseTo(11, 9);
    // The fallback for the lost spot replica launches beside the base one.
    expect(r.launches).toEqual({ onDemand: 2, spot: 1 });
  });

  it('a request preempted more often than it may retry is dropped', () => {
    const spot = { name: 't', gapS: 10, available: [1, 0] };
    const r = simulateServing(base({ workload: wl([[0, 100, 100_000]]), profile: { ...simple, kvCapacityTokens: 1e6 }, spot, spotUsdPerHour: new Decimal('1.2'), autoscaler: spotMix(fixedPeak(1), { hedge: 0 }), maxRetries: 0 }));
    expect(r.dropped.retries).toBe(1);
    expect(r.served).toBe(0);
  });
});

describe('percentiles', () => {
  it('selects the same nearest-rank values as sorting, on random, sorted, reversed and constant columns', () => {
    const rng = seededRng(3);
    const cases: Float64Array[] = [];
    for (const n of [1, 2, 3, 10, 101, 1000, 10_007]) {
      cases.push(Float64Array.from({ length: n }, () => rng.int(50) / 7));
      cases.push(Float64Array.from({ length: n }, (_, i) => i));
      cases.push(Float64Array.from({ length: n }, (_, i) => n - i));
      cases.push(new Float64Array(n).fill(2.5));
    }
    for (const xs of cases) {
      const sorted = xs.slice().sort();
      const p = percentiles(xs.slice());
      expect([p.p50, p.p90, p.p99, p.max]).toEqual([quantileSorted(sorted, 0.5), quantileSorted(sorted, 0.9), quantileSorted(sorted, 0.99), sorted[sorted.length - 1]]);
      expect(p.mean).toBeCloseTo(sorted.reduce((a, b) => a + b, 0) / sorted.length, 9);
    }
  });
});

describe('simulateServing: spot zones', () => {
  // One small request a second for 30 min; always 4 spot replicas wanted, no on-demand.
  const steady = wl(Array.from({ length: 1800 }, (_, i) => [i, 50, 5] as [number, number, number]));
  const spot4: Autoscaler = { name: 'spot-4', initial: () => ({ onDemand: 0, spot: 4 }), decide: () => ({ onDemand: 0, spot: 4 }) };
  // Zone a loses its capacity from 600 s to 1,200 s; zone b never does.
  const a = { name: 'a', gapS: 300, available: [1, 1, 0, 0, 1, 1] };
  const b = { name: 'b', gapS: 300, available: [1, 1, 1, 1, 1, 1] };

  it('one zone: its outage takes every spot replica, and requests wait for it to end', () => {
    const r = simulateServing(base({ workload: steady, spot: a, spotUsdPerHour: new Decimal('1.2'), autoscaler: spot4 }));
    expect(r.preemptions).toBe(4);
    expect(r.dropped.timeout).toBeGreaterThan(500);
    expect(r.served + r.dropped.total).toBe(1800);
  });

  it('two zones: replicas are spread, an outage takes only its zone\'s share, replaced in the other zone', () => {
    const r = simulateServing(base({ workload: steady, spotZones: [a, b], spotUsdPerHour: new Decimal('1.2'), autoscaler: spot4 }));
    expect(r.preemptions).toBe(2);
    // The two lost replicas are relaunched in zone b; the two left there serve meanwhile.
    expect(r.launches).toEqual({ onDemand: 0, spot: 6 });
    expect(r.dropped.total).toBe(0);
    expect(r.sloMet).toBe(true);
  });

  it('the zone hedge: the fewest extra spot replicas that survive losing the fullest zone (hand-computed)', () => {
    // need 6: two zones hold 6 + 6 (lose 6, 6 left); three 3 + 3 + 3 (lose 3); four 2 × 4 (lose 2); seven 1 × 7.
    expect([2, 3, 4, 7].map((z) => zoneHedge(6, z))).toEqual([6, 3, 2, 1]);
    // need 4 over three zones: 2 extra, 6 spread 2/2/2, one zone's loss leaves 4.
    expect(zoneHedge(4, 3)).toBe(2);
    expect(zoneHedge(5, 3)).toBe(3); // 8 spread 3/3/2: losing 3 leaves 5
    expect(zoneHedge(0, 3)).toBe(0);
    expect(zoneHedge(6, 1)).toBe(1); // one zone: no spot hedge covers its loss; one of headroom
  });

  it('three zones: the zone hedge of spot-mix rides out one zone outage on spot alone, a one-replica hedge needs on-demand', () => {
    const c = { ...b, name: 'c' };
    const run = (hedge: number | 'zones') => simulateServing(base({ workload: steady, spotZones: [a, b, c], spotUsdPerHour: new Decimal('1.2'), autoscaler: spotMix(fixedPeak(4), { hedge, zones: 3 }) }));
    const z = run('zones');
    // 4 needed + 2 hedge = 6 spread 2/2/2; zone a's outage takes 2 and leaves 4 serving: no on-demand.
    // With two zones up the hedge is 4: 8 spot, the 4 more launched in b and c; back to 6 when a returns.
    expect(z.preemptions).toBe(2);
    expect(z.launches).toEqual({ onDemand: 0, spot: 10 });
    expect(z.replicaHours.onDemand).toBe(0);
    expect(z.dropped.total).toBe(0);
    // A hedge of 1: 5 spread 2/2/1, a's outage leaves 3 of the 4 needed, one on-demand covers it.
    const one = run(1);
    expect(one.preemptions).toBe(2);
    expect(one.launches.onDemand).toBe(1);
  });

  it('spot replicas are paid at their zone price; ties in the spread go to the cheaper zone (hand-computed)', () => {
    // One request: 1 s of prefill + 10 tokens × 10 ms, the simulation ends at 1.1 s.
    const one = wl([[0, 100, 11]]);
    const spotN = (k: number): Autoscaler => ({ name: 'spot', initial: () => ({ onDemand: 0, spot: k }), decide: () => ({ onDemand: 0, spot: k }) });
    const c = { ...b, name: 'c' };
    // One replica in b ($1.20, the default) and one in c ($2.40): 1.1 s × $3.60/h = $0.0011.
    const two = simulateServing(base({ workload: one, spotZones: [b, c], spotUsdPerHour: new Decimal('1.2'), spotZoneUsdPerHour: [undefined, new Decimal('2.4')], autoscaler: spotN(2) }));
    expect(two.endS).toBeCloseTo(1.1, 9);
    expect(two.cost.spot.toString()).toBe('0.0011');
    // Three replicas, b at $3.60 and c at $1.80: c (cheaper) gets the first and third, 1.1 s × (3.60 + 2 × 1.80)/h = $0.0022
    // (b first would be 2 × 3.60 + 1.80: $0.00275).
    const three = simulateServing(base({ workload: one, spotZones: [b, c], spotUsdPerHour: new Decimal('1'), spotZoneUsdPerHour: [new Decimal('3.6'), new Decimal('1.8')], autoscaler: spotN(3) }));
    expect(three.cost.spot.toString()).toBe('0.0022');
    expect(three.cost.total.toString()).toBe('0.0022');
  });

  it('two zones down together are one outage of everything', () => {
    const r = simulateServing(base({ workload: steady, spotZones: [a, { ...a, name: 'a2' }], spotUsdPerHour: new Decimal('1.2'), autoscaler: spot4 }));
    expect(r.preemptions).toBe(4);
    expect(r.dropped.timeout).toBeGreaterThan(500);
  });
});

describe('simulateServing: balancers and autoscalers', () => {
  const profile = deriveProfile('llama-3-8b', 'A100');
  const w = syntheticWorkload(seededRng(3), { durationS: 1800, ratePerS: (t) => (t < 900 ? 4 : 12), context: [200, 3000], generated: [20, 300], adapters: 50, zipfS: 1.2 });

  it('every balancer × autoscaler conserves requests and tokens', () => {
    const cap = replicaCapacityPerS(profile, 1600, 160);
    const spot = { name: 't', gapS: 300, available: [1, 1, 0, 1, 1, 1, 0, 0, 1, 1] };
    const p90 = arrivalsPerInterval(w, 60);
    const scalers = () => [fixedPeak(Math.ceil(12 / cap / 0.7)), reactive({ initial: 2, targetInFlight: 8, cooldownS: 300 }), forecastDriven({ p90ArrivalsPerInterval: p90, intervalS: 60, capacityPerReplicaPerS: cap * 0.7, leadS: profile.startupS }), spotMix(reactive({ initial: 2, targetInFlight: 8, cooldownS: 300 }), { hedge: 1 })];
    for (const balancer of BALANCER_NAMES) {
      for (const autoscaler of scalers()) {
        const r = simulateServing({ workload: w, profile, onDemandUsdPerHour: new Decimal('4.0966'), spotUsdPerHour: new Decimal('1.2288'), balancer, autoscaler, slo: { ttftS: 2, attainment: 0.99 }, intervalS: 60, spot, rng: seededRng(5) });
        expect(r.served + r.dropped.total).toBe(w.arrivalS.length);
        expect(r.tokens.served + r.tokens.dropped).toBe(r.tokens.asked);
        expect(r.cost.total.eq(r.cost.onDemand.plus(r.cost.spot))).toBe(true);
        if (autoscaler.name === 'spot-mix') expect(r.preemptions).toBeGreaterThan(0);
      }
    }
  });

  it('consistent hashing keeps adapters resident more often than round robin on a Zipf mix', () => {
    const run = (balancer: 'round-robin' | 'consistent-hash') => simulateServing({ workload: w, profile, onDemandUsdPerHour: new Decimal(4), balancer, autoscaler: fixedPeak(6), slo: { ttftS: 2, attainment: 0.99 }, intervalS: 60, rng: seededRng(5), adapterSlots: 4 });
    const rr = run('round-robin');
    const ch = run('consistent-hash');
    expect(ch.adapterHitRate!).toBeGreaterThan(rr.adapterHitRate! + 0.15);
  });

  it('the reactive autoscaler scales up when the load triples and back down after its cool-down', () => {
    const steps = syntheticWorkload(seededRng(9), { durationS: 3600, ratePerS: (t) => (t >= 1200 && t < 2400 ? 12 : 4), context: [500, 1500], generated: [50, 150] });
    const r = simulateServing({ workload: steps, profile, onDemandUsdPerHour: new Decimal(4), balancer: 'least-outstanding', autoscaler: reactive({ initial: 1, targetInFlight: 6, cooldownS: 300 }), slo: { ttftS: 2, attainment: 0.99 }, intervalS: 30, rng: seededRng(1) });
    const fixed = simulateServing({ workload: steps, profile, onDemandUsdPerHour: new Decimal(4), balancer: 'least-outstanding', autoscaler: fixedPeak(r.peakReplicas), slo: { ttftS: 2, attainment: 0.99 }, intervalS: 30, rng: seededRng(1) });
    expect(r.peakReplicas).toBeGreaterThan(1);
    expect(r.cost.total.lt(fixed.cost.total)).toBe(true);
  });

  it('the forecast autoscaler asks for its P90 need, never above its max (the HPA maxReplicas) nor below its min', () => {
    // 600 requests a minute P90 at 2 requests/s per replica: 5 replicas; a max of 3 caps it, a min of 7 lifts it.
    const state: Parameters<Autoscaler['decide']>[0] = { nowS: 0, onDemand: 0, spot: 0, onDemandReady: 0, spotReady: 0, spotAvailable: false, inFlightPerReplica: 0, arrivals: 0, windowS: 60 };
    const p90 = [600, 600];
    expect(forecastDriven({ p90ArrivalsPerInterval: p90, intervalS: 60, capacityPerReplicaPerS: 2, leadS: 60 }).decide(state).onDemand).toBe(5);
    expect(forecastDriven({ p90ArrivalsPerInterval: p90, intervalS: 60, capacityPerReplicaPerS: 2, leadS: 60, max: 3 }).decide(state).onDemand).toBe(3);
    expect(forecastDriven({ p90ArrivalsPerInterval: p90, intervalS: 60, capacityPerReplicaPerS: 2, leadS: 60, min: 7, max: 3 }).decide(state).onDemand).toBe(7);
  });

  it('is deterministic for a seed', () => {
    const run = () => simulateServing({ workload: w, profile, onDemandUsdPerHour: new Decimal(4), balancer: 'power-of-two', autoscaler: fixedPeak(4), slo: { ttftS: 2, attainment: 0.99 }, intervalS: 60, rng: seededRng(11) });
    expect(run()).toEqual(run());
  });
});
