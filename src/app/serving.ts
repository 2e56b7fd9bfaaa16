/**
 * Inference serving at least cost: every balancer × autoscaler simulated on a request trace, the
 * fixed-for-peak on-demand baseline in the same run, and a plan (the cheapest replica schedule
 * from the MILP in core/serving/plan.ts) simulated to confirm it meets the SLO.
 */
import { compatible } from '../core/catalog/query.js';
import type { Offering } from '../core/catalog/offering.js';
import { Infeasible } from '../core/errors.js';
import { forecastSeries } from '../core/forecast/forecast.js';
import { resample } from '../core/forecast/series.js';
import { availabilityShare, type SpotTrace } from '../core/model/spot.js';
import { Decimal } from '../core/money.js';
import { seededRng } from '../core/rng.js';
import { AUTOSCALER_NAMES, fixedPeak, forecastDriven, reactive, scheduled, spotMix, type Autoscaler, type ScaleTarget } from '../core/serving/autoscale.js';
import { buildServingPlan, decodeServingPlan, type PlanCandidate } from '../core/serving/plan.js';
import { replicaLoadModel, type ReplicaProfile } from '../core/serving/replica.js';
import { BALANCER_NAMES, simulateServing, type BalancerName, type ServingResult, type Slo } from '../core/serving/simulate.js';
import { arrivalsPerInterval, quantileSorted, summarize, type ServingWorkload, type WorkloadSummary } from '../core/serving/workload.js';
import { InvalidInput } from '../core/errors.js';
import { SCHEMA_VERSIONS } from './contracts.js';
import type { Progress, Solver } from './ports.js';

export interface ReplicaPrice {
  onDemandUsdPerHour: Decimal;
  spotUsdPerHour?: Decimal;
  source: string;
}

export interface ServingInput {
  workload: ServingWorkload;
  /** The profile every balancer × autoscaler runs on. */
  profile: ReplicaProfile;
  price: ReplicaPrice;
  /** Profiles (with prices) the plan may choose from; the compared profile when empty. */
  planCandidates?: { profile: ReplicaProfile; price: ReplicaPrice }[];
  slo: Slo;
  intervalS: number;
  balancers?: BalancerName[];
  autoscalers?: string[];
  seed?: number;
  spot?: SpotTrace;
  /** Several spot zones, one trace each: spot replicas are spread across them (replaces `spot`). */
  spotZones?: SpotTrace[];
  /** Each zone's spot price of a replica-hour (index as spotZones; zoneSpotPrices); price.spotUsdPerHour where absent. */
  spotZonePrices?: (Decimal | undefined)[];
  spotOffsetS?: number;
  /** Share of a replica's capacity the sizing aims at (fixed, forecast, plan) and the reactive target. */
  targetUtilisation?: number;
  /** Extra spot replicas of spot-mix: a number, or by default sized by the zones (autoscale.ts zoneHedge). */
  hedge?: number | 'zones';
  cooldownS?: number;
  timeoutS?: number;
  maxRetries?: number;
  adapterSlots?: number;
  adapterLoadS?: number;
  /** Share of demand the plan keeps on on-demand replicas. */
  planOnDemandShare?: number;
  solver?: Solver;
  /** Told of each comparison row as it is simulated (the job thread relays it to the API's job). */
  progress?: Progress;
}

export interface ServingPlanReport {
  profile: ReplicaProfile;
  price: ReplicaPrice;
  perInterval: ScaleTarget[];
  targetUtilisation: number;
  solverObjectiveUsd: number;
  /** Each round: the plan at a utilisation and on-demand share, simulated; the last is the one reported. */
  rounds: { targetUtilisation: number; onDemandShare: number; burstFloorPerS: number; costUsd: string; sloAttainment: number; sloMet: boolean }[];
  result: ServingResult;
}

export interface ServingOutcome {
  workload: WorkloadSummary & { name: string };
  profile: ReplicaProfile;
  price: ReplicaPrice;
  slo: Slo;
  intervalS: number;
  capacityPerReplicaPerS: number;
  /** Requests/s one replica serves within the SLO on this trace (calibrated by the fixed-for-peak search). */
  capacityAtSloPerS: number;
  fixedPeakReplicas: number;
  /** The least replicas each autoscaler keeps (its minReplicas), searched so it meets the SLO. */
  floors: Record<string, number>;
  forecast: { model: string; note: string };
  results: ServingResult[];
  /** Index in results of the fixed-for-peak on-demand baseline (round robin). */
  baseline: number;
  /** The spot zones' trace names (empty without spot). */
  spotZones: string[];
  /** Each zone's spot price of a replica-hour, as the simulations paid it (index as spotZones). */
  spotZonePrices: (Decimal | undefined)[];
  plan?: ServingPlanReport;
  notes: string[];
}

/** The TTFT the quantile request would have on an idle replica: no queue can make it faster. */
export function bestTtftS(w: ServingWorkload, p: ReplicaProfile, attainment: number): number {
  const ctx = Int32Array.from(w.contextTokens).sort();
  return quantileSorted(ctx, attainment) / p.prefillTokensPerS;
}

/**
 * A replica-hour price a user gives (CLI flag or API field). A billion dollars or more is a unit
 * mistake, and its cost coefficients overflow the plan's solver (a request with 1 followed by 400
 * zeros failed as a 500 mid-job); zero would make every plan free.
 */
export const MAX_REPLICA_USD_PER_HOUR = new Decimal('1e9');
export const INTERVAL_S_RANGE = { min: 1, max: 86_400 } as const;

export function givenReplicaPrice(raw: string, path: string, hint: string): Decimal {
  const d = /^\d+(\.\d+)?$/.test(raw.trim()) ? new Decimal(raw.trim()) : undefined;
  if (!d || d.lte(0) || d.gte(MAX_REPLICA_USD_PER_HOUR)) {
    throw new InvalidInput(`${path} must be a positive decimal below 1,000,000,000 (USD per replica-hour), found "${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}"`, [{ path, message: 'not a replica-hour price', expected: 'a decimal in (0, 1e9) USD per replica-hour', found: raw.length > 40 ? `${raw.slice(0, 40)}… (${raw.length} characters)` : raw }], hint);
  }
  return d;
}

/** Refuses an SLO no replica of this profile meets even idle, saying which prompt is too long for it. */
export function checkSloReachable(w: ServingWorkload, profile: ReplicaProfile, slo: Slo): void {
  const best = bestTtftS(w, profile, slo.attainment);
  if (best <= slo.ttftS) return;
  throw new Infeasible(
    `no ${profile.model} replica on ${profile.gpusPerReplica} × ${profile.gpu} can meet TTFT ≤ ${slo.ttftS} s for ${(slo.attainment * 100).toFixed(1)}% of requests`,
    [`the ${(slo.attainment * 100).toFixed(1)}th percentile prompt (${quantileSorted(Int32Array.from(w.contextTokens).sort(), slo.attainment)} tokens) takes ${best.toFixed(2)} s of prefill on an idle replica (${Math.round(profile.prefillTokensPerS)} tokens/s)`],
    'Loosen the SLO (--slo-ttft, --slo-attainment; in the API sloTtftS, sloAttainment) or choose a faster GPU or more GPUs per replica (--gpu, --gpus).',
  );
}

export async function runServing(input: ServingInput): Promise<ServingOutcome> {
  const { workload: w, profile, slo } = input;
  const I = input.intervalS;
  const util = input.targetUtilisation ?? 0.7;
  const notes: string[] = [];
  const sum = summarize(w);
  checkSloReachable(w, profile, slo);
  const load = replicaLoadModel(profile, sum.contextTokens.mean, sum.generatedTokens.mean);
  const arrivals = arrivalsPerInterval(w, I);
  let peak = 0;
  for (const a of arrivals) peak = Math.max(peak, a / I);
  const seed = input.seed ?? 1;
  const zones = spotZones(input);
  const common = {
    workload: w,
    slo,
    intervalS: I,
    ...(zones.length && { spotZones: zones }),
    ...(input.spotOffsetS !== undefined && { spotOffsetS: input.spotOffsetS }),
    ...(input.timeoutS !== undefined && { timeoutS: input.timeoutS }),
    ...(input.maxRetries !== undefined && { maxRetries: input.maxRetries }),
    ...(input.adapterSlots !== undefined && { adapterSlots: input.adapterSlots }),
    ...(input.adapterLoadS !== undefined && { adapterLoadS: input.adapterLoadS }),
  };
  const balancers = input.balancers ?? [...BALANCER_NAMES];
  const scalers = input.autoscalers ?? [...AUTOSCALER_NAMES];
  // Each zone's spot replicas are paid at the zone's price (the replica's spot price where none).
  const zonePrices = zones.map((_, z) => input.spotZonePrices?.[z] ?? input.price.spotUsdPerHour);
  const hasSpot = zones.length > 0 && zonePrices.every((x) => x !== undefined);
  const spotPricing = hasSpot ? { spotUsdPerHour: (input.price.spotUsdPerHour ?? zonePrices[0])!, spotZoneUsdPerHour: zonePrices } : {};
  // Progress counts the comparison rows and the plan; it starts before the fixed-for-peak search,
  // the first long step on a long trace.
  const progress = input.progress;
  const rows = scalers.filter((s) => s !== 'spot-mix' || hasSpot).length * balancers.length + (input.solver ? 1 : 0);
  progress?.start(rows, 'simulating');
  progress?.note?.('fixed-peak: searching the fewest always-on replicas that meet the SLO');
  progress?.tick(0);
  // Fixed for peak: the fewest always-on replicas that meet the SLO on this trace (found by
  // simulation, from the capacity model's estimate up), so bursts shorter than an interval count.
  const meets = (k: number) => simulateServing({ ...common, profile, onDemandUsdPerHour: input.price.onDemandUsdPerHour, balancer: 'round-robin', autoscaler: fixedPeak(k), rng: seededRng(seed) }).sloMet;
  const fixedN = smallestMeeting(meets, Math.max(1, Math.ceil(peak / (load.capacityPerS * util))), 1024);
  if (fixedN === undefined) throw new Infeasible(`even 1,024 always-on replicas miss the SLO (TTFT ≤ ${slo.ttftS} s for ${(slo.attainment * 100).toFixed(1)}% of requests)`, ['requests time out or are too long for a replica: see the dropped counts of a run with a looser SLO'], 'Loosen the SLO or choose a replica with more memory or speed.');
  // What one replica serves at the SLO on this trace's mix and burstiness: the sizing of the
  // forecast autoscaler and the plan, and (× hold time) the reactive autoscaler's target.
  const capacityAtSlo = Math.min(load.capacityPerS * util, peak / fixedN);
  progress?.note?.('forecasting arrivals (P90)');
  progress?.tick(0);
  const fc = rollingP90(arrivals, I);
  if (scalers.includes('spot-mix') && !hasSpot) notes.push(zones.length === 0 ? 'spot-mix left out: no spot trace (the CLI\'s --spot-trace; the API\'s spot or spotZones)' : 'spot-mix left out: no spot price for this GPU (the CLI\'s --spot-price, or a price per zone: --spot-trace FILE@PRICE; the API\'s spotUsdPerHour, or spotZones[].spotUsdPerHour)');
  const initial = Math.max(1, Math.ceil(arrivals[0]! / I / capacityAtSlo));
  const makeScaler = (name: string, min: number, baseOnDemand = 0): Autoscaler | undefined => {
    // Both elastic autoscalers stop at the fixed-for-peak fleet (the HPA's maxReplicas): that many
    // always-on replicas meet the SLO on this trace, so more only costs. Without the cap a P90
    // band widened to its held-out coverage asked for up to half again as many on the Azure code
    // trace, at 57% more than the fixed fleet for the same attainment.
    const react = () => reactive({ initial: Math.min(fixedN, Math.max(initial, min)), min, max: Math.max(min, fixedN), targetInFlight: Math.max(1, capacityAtSlo * load.holdS), cooldownS: input.cooldownS ?? 300 });
    if (name === 'fixed-peak') return fixedPeak(fixedN);
    if (name === 'reactive') return react();
    if (name === 'forecast') return forecastDriven({ p90ArrivalsPerInterval: fc.p90, intervalS: I, capacityPerReplicaPerS: capacityAtSlo, leadS: profile.startupS, min, max: fixedN });
    if (name === 'spot-mix') return hasSpot ? spotMix(react(), { hedge: input.hedge ?? 'zones', zones: zones.length, baseOnDemand }) : undefined;
    return undefined;
  };
  const run = (name: string, balancer: BalancerName, min: number, baseOnDemand = 0) => {
    const autoscaler = makeScaler(name, min, baseOnDemand);
    return autoscaler && simulateServing({ ...common, profile, onDemandUsdPerHour: input.price.onDemandUsdPerHour, ...spotPricing, balancer, autoscaler, rng: seededRng(seed) });
  };
  // Each autoscaler's floor (its minReplicas) is the least that meets the SLO on this trace with
  // least-outstanding balancing, found by simulation: the costs then compare at the service level.
  const floors: Record<string, number> = {};
  const results: ServingResult[] = [];
  for (const s of scalers) {
    progress?.note?.(s === 'fixed-peak' ? `${s}: ${fixedN} replicas` : `${s}: searching the least replicas that meet the SLO`);
    progress?.tick(results.length);
    if (s !== 'fixed-peak' && makeScaler(s, 1)) {
      const floor = smallestMeeting((m) => run(s, 'least-outstanding', m)!.sloMet, 1, fixedN);
      floors[s] = floor ?? fixedN;
      // Spot that misses the SLO (preemptions leave too little serving while the fallback starts)
      // gets the fewest always-on on-demand replicas under it that meet it.
      if (floor === undefined && s === 'spot-mix') {
        const base = smallestMeeting((b) => run(s, 'least-outstanding', fixedN, b)!.sloMet, 1, fixedN);
        if (base !== undefined) floors['spot-mix base on-demand'] = base;
      }
      if (floor === undefined && floors['spot-mix base on-demand'] === undefined) notes.push(`${s}: misses the SLO even with ${fixedN} replicas at least; shown with that floor`);
    }
    for (const balancer of balancers) {
      const r = run(s, balancer, floors[s] ?? 1, s === 'spot-mix' ? (floors['spot-mix base on-demand'] ?? 0) : 0);
      if (r) {
        results.push(r);
        progress?.note?.(`${s} × ${balancer}`);
        progress?.tick(results.length);
      }
    }
  }
  // The baseline is always in the run, even when fixed-peak was not asked for.
  let baseline = results.findIndex((r) => r.autoscaler === 'fixed-peak' && r.balancer === 'round-robin');
  if (baseline < 0) {
    results.unshift(simulateServing({ ...common, profile, onDemandUsdPerHour: input.price.onDemandUsdPerHour, balancer: 'round-robin', autoscaler: fixedPeak(fixedN), rng: seededRng(seed) }));
    baseline = 0;
  }

  let plan: ServingPlanReport | undefined;
  if (input.solver) {
    const candidates = (input.planCandidates?.length ? input.planCandidates : [{ profile, price: input.price }]).filter((c) => {
      const ok = bestTtftS(w, c.profile, slo.attainment) <= slo.ttftS && c.profile.kvCapacityTokens >= sum.contextTokens.p99 + sum.generatedTokens.p99;
      if (!ok) notes.push(`plan: ${c.profile.model} on ${c.profile.gpusPerReplica} × ${c.profile.gpu} cannot meet the SLO, left out`);
      return ok;
    });
    progress?.note?.('plan: solving and simulating');
    progress?.tick(results.length);
    plan = await planAndConfirm(input, candidates, fc.p90, capacityAtSlo / load.capacityPerS, floors.forecast ?? floors.reactive ?? fixedN, capacityAtSlo, common, seed, notes);
  }
  progress?.tick(rows);
  progress?.finish();
  return { workload: { name: w.name, ...sum }, profile, price: input.price, slo, intervalS: I, capacityPerReplicaPerS: load.capacityPerS, capacityAtSloPerS: capacityAtSlo, floors, fixedPeakReplicas: fixedN, forecast: { model: fc.model, note: fc.note }, results, baseline, spotZones: zones.map((z) => z.name), spotZonePrices: hasSpot ? zonePrices : zones.map(() => undefined), ...(plan && { plan }), notes };
}

const spotZones = (input: ServingInput): SpotTrace[] => (input.spotZones?.length ? input.spotZones : input.spot ? [input.spot] : []);

/** The smallest k ≥ from (up to max) for which meets(k) holds, meets being monotone in k. */
export function smallestMeeting(meets: (k: number) => boolean, from: number, max: number): number | undefined {
  let lo = from;
  let hi = from;
  while (!meets(hi)) {
    if (hi >= max) return undefined;
    lo = hi + 1;
    hi = Math.min(max, hi * 2);
  }
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (meets(mid)) hi = mid;
    else lo = mid + 1;
  }
  return hi;
}

async function planAndConfirm(input: ServingInput, candidates: { profile: ReplicaProfile; price: ReplicaPrice }[], p90: Float64Array, util0: number, floor: number, capacityAtSloOfFirst: number, common: Omit<Parameters<typeof simulateServing>[0], 'profile' | 'onDemandUsdPerHour' | 'balancer' | 'autoscaler' | 'rng'>, seed: number, notes: string[]): Promise<ServingPlanReport> {
  const w = input.workload;
  const I = input.intervalS;
  const sum = summarize(w);
  // Spot counts for an interval when some zone has capacity all through it (replicas in a zone
  // that goes are replaced in one that stays).
  const zones = spotZones(input);
  const off = input.spotOffsetS ?? 0;
  const spotAvail = zones.length ? Float64Array.from(p90, (_, k) => (zones.some((z) => availabilityShare(z, off + k * I, off + (k + 1) * I) >= 1) ? 1 : 0)) : undefined;
  // The compared profile's spot is paid per zone; another GPU type at its own spot price in every
  // zone. The MILP prices spot at the zones' mean: replicas are spread evenly across them.
  const planSpotPrice = (c: { profile: ReplicaProfile; price: ReplicaPrice }): { mean: Decimal; zones: Decimal[] } | undefined => {
    const same = c.profile.model === input.profile.model && c.profile.gpu === input.profile.gpu && c.profile.gpusPerReplica === input.profile.gpusPerReplica;
    const per = zones.map((_, z) => (same ? input.spotZonePrices?.[z] : undefined) ?? c.price.spotUsdPerHour);
    if (!zones.length || per.some((x) => x === undefined)) return c.price.spotUsdPerHour && { mean: c.price.spotUsdPerHour, zones: [] };
    const zs = per as Decimal[];
    return { mean: zs.reduce((a, b) => a.plus(b), new Decimal(0)).div(zs.length), zones: zs };
  };
  const rounds: ServingPlanReport['rounds'] = [];
  let util = util0;
  let sigma = input.planOnDemandShare ?? 0;
  let last: ServingPlanReport | undefined;
  // Simulate the plan; while it misses the SLO, plan again for a lower utilisation.
  for (let round = 0; round < 5; round++) {
    const cands: PlanCandidate[] = candidates.map((c) => {
      const spot = planSpotPrice(c);
      return {
        profile: c.profile,
        capacityPerReplicaPerS: replicaLoadModel(c.profile, sum.contextTokens.mean, sum.generatedTokens.mean).capacityPerS * util,
        onDemandUsdPerHour: c.price.onDemandUsdPerHour.toNumber(),
        ...(spot && zones.length && { spotUsdPerHour: spot.mean.toNumber() }),
      };
    });
    const model = buildServingPlan({ demandPerS: Float64Array.from(p90, (a) => a / I), intervalS: I, candidates: cands, ...(spotAvail && { spotAvailable: spotAvail }), onDemandShare: sigma, minCapacityPerS: floor * capacityAtSloOfFirst });
    const sol = await input.solver!.solve(model, { maxNodes: 20_000, mipRelGap: 1e-4 });
    if (sol.status !== 'optimal' && sol.status !== 'feasible') throw new Infeasible(`the serving plan has no solution (${sol.status})`, [sol.message ?? 'the solver found no schedule'], 'Loosen the SLO or allow more replica types.');
    const d = decodeServingPlan(model, sol.values, sol.objective);
    const chosen = candidates[d.candidate]!;
    const chosenSpot = planSpotPrice(chosen);
    const result = simulateServing({ ...common, profile: chosen.profile, onDemandUsdPerHour: chosen.price.onDemandUsdPerHour, ...(chosenSpot && { spotUsdPerHour: chosenSpot.mean, spotZoneUsdPerHour: chosenSpot.zones }), balancer: 'least-outstanding', autoscaler: scheduled({ perInterval: d.perInterval, intervalS: I, leadS: chosen.profile.startupS }), rng: seededRng(seed) });
    rounds.push({ targetUtilisation: Math.round(util * 1000) / 1000, onDemandShare: sigma, burstFloorPerS: Math.round(floor * capacityAtSloOfFirst * 1000) / 1000, costUsd: result.cost.total.toString(), sloAttainment: result.sloAttainment, sloMet: result.sloMet });
    last = { profile: chosen.profile, price: chosen.price, perInterval: d.perInterval, targetUtilisation: Math.round(util * 1000) / 1000, solverObjectiveUsd: sol.objective, rounds, result };
    if (result.sloMet) break;
    // Misses come from load (more capacity helps) or from preemptions (on-demand helps): both.
    util = Math.round(util * 0.8 * 1000) / 1000;
    sigma = Math.min(1, sigma + 0.25);
  }
  if (!last!.result.sloMet) notes.push(`plan: still below the SLO after ${rounds.length} rounds (utilisation down to ${util}); the report shows the last`);
  return last!;
}

/**
 * P90 of arrivals per interval, each from history before it (Penny's forecaster, refitted every
 * block of intervals). Before there is history enough to backtest, the most seen so far.
 */
export function rollingP90(arrivals: Float64Array, intervalS: number): { p90: Float64Array; model: string; note: string } {
  const K = arrivals.length;
  const out = new Float64Array(K);
  const minHistory = 16;
  const block = Math.max(5, Math.ceil(K / 20));
  let seen = 0;
  const models = new Set<string>();
  for (let k = 0; k < Math.min(K, minHistory); k++) {
    seen = Math.max(seen, arrivals[k === 0 ? 0 : k - 1]!);
    out[k] = Math.max(seen, arrivals[0]!);
  }
  for (let k = minHistory; k < K; k += block) {
    const h = Math.min(block, K - k);
    const obs = Array.from(arrivals.subarray(0, k), (value, i) => ({ t: i * intervalS * 1000, value }));
    const series = resample(obs, { name: 'arrivals', unit: 'requests', intervalMs: intervalS * 1000, agg: 'sum', kind: 'events', fill: 'zero' });
    const f = forecastSeries(series, { horizon: h, model: 'auto', origins: 3 });
    models.add(f.model);
    for (let j = 0; j < h; j++) out[k + j] = Math.max(0, f.points[j]!.p90);
  }
  const note = `refitted every ${block} intervals on the history before them; the first ${Math.min(K, minHistory)} use the most arrivals seen so far`;
  return { p90: out, model: [...models].join(', ') || 'max so far', note };
}

/**
 * A replica-hour from the catalog: the cheapest per-GPU price among offerings of the GPU type
 * (an instance's price over its GPUs) × GPUs per replica; spot likewise where a spot price exists.
 */
export function replicaPrice(offerings: readonly Offering[], p: ReplicaProfile, provider?: string): ReplicaPrice | undefined {
  const match = compatible(offerings, { gpu: [p.gpu], ...(provider && { provider: [provider] }) });
  let od: { per: Decimal; o: Offering } | undefined;
  let sp: { per: Decimal; o: Offering } | undefined;
  for (const o of match) {
    if (o.onDemandUsdPerHour) {
      const perOd = o.onDemandUsdPerHour.div(o.gpuCount);
      if (!od || perOd.lt(od.per)) od = { per: perOd, o };
    }
    if (o.spotUsdPerHour) {
      const perSp = o.spotUsdPerHour.div(o.gpuCount);
      if (!sp || perSp.lt(sp.per)) sp = { per: perSp, o };
    }
  }
  if (!od) return undefined;
  const n = p.gpusPerReplica;
  return {
    onDemandUsdPerHour: od.per.times(n),
    ...(sp && { spotUsdPerHour: sp.per.times(n) }),
    source: `${n} × per-GPU share of ${od.o.provider} ${od.o.instanceType} (${od.o.source})${sp ? `; spot: ${sp.o.provider} ${sp.o.instanceType}` : ''}`,
  };
}

/** The region of a spot zone named as the spot traces name them: us-west-2a(_v100_1) → us-west-2 (AWS), us-central1-a → us-central1 (GCP). */
export function zoneRegion(zone: string): string | undefined {
  const z = zone.split('_')[0]!;
  return /^([a-z]{2}(?:-[a-z]+)+-\d+)[a-z]$/.exec(z)?.[1] ?? /^([a-z]+-[a-z]+\d+)-[a-z]$/.exec(z)?.[1];
}

/**
 * Each spot zone's price of a replica-hour and where it came from: the price given for the zone
 * (`--spot-trace FILE@PRICE`, `spotZones[i].spotUsdPerHour`), else the one given for all spot
 * (`--spot-price`), else the catalog's cheapest spot offering of the GPU in the zone's region, else
 * the replica's spot price (the cheapest anywhere): undefined then, and the caller's default applies.
 */
export function zoneSpotPrices(offerings: readonly Offering[], p: ReplicaProfile, zones: readonly SpotTrace[], given: readonly (Decimal | undefined)[], spotForAll: Decimal | undefined, provider?: string): { prices: (Decimal | undefined)[]; sources: string[] } {
  const prices: (Decimal | undefined)[] = [];
  const sources: string[] = [];
  zones.forEach((z, i) => {
    const own = given[i];
    if (own) return void (prices.push(own), sources.push(`${z.name}: given`));
    if (spotForAll) return void (prices.push(undefined), sources.push(`${z.name}: the spot price given for all zones`));
    const region = zoneRegion(z.name);
    const inRegion = region ? replicaPrice(compatible(offerings, { region: [region] }), p, provider)?.spotUsdPerHour : undefined;
    if (inRegion) return void (prices.push(inRegion), sources.push(`${z.name}: catalog spot in ${region}`));
    prices.push(undefined);
    sources.push(`${z.name}: ${region ? `no catalog spot price in ${region}; ` : ''}the replica's spot price`);
  });
  return { prices, sources };
}

const r6 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : null);

export function resultToJson(r: ServingResult, baseline?: ServingResult) {
  const pc = (p: ServingResult['ttftS']) => ({ mean: r6(p.mean), p50: r6(p.p50), p90: r6(p.p90), p99: r6(p.p99), max: r6(p.max) });
  return {
    balancer: r.balancer,
    autoscaler: r.autoscaler,
    requests: r.requests,
    served: r.served,
    dropped: r.dropped,
    retries: r.retries,
    preemptions: r.preemptions,
    launches: r.launches,
    peakReplicas: r.peakReplicas,
    tokens: r.tokens,
    ttftS: pc(r.ttftS),
    tpotS: pc(r.tpotS),
    e2eS: pc(r.e2eS),
    sloAttainment: r6(r.sloAttainment),
    sloMet: r.sloMet,
    replicaHours: { onDemand: r6(r.replicaHours.onDemand), spot: r6(r.replicaHours.spot) },
    costUsd: { onDemand: r.cost.onDemand.toFixed(6), spot: r.cost.spot.toFixed(6), total: r.cost.total.toFixed(6), perThousandRequests: r.cost.perThousandRequests.toFixed(6) },
    ...(baseline && { savingVsBaseline: baseline.cost.total.isZero() ? null : r6(1 - r.cost.total.div(baseline.cost.total).toNumber()) }),
    adapterHitRate: r.adapterHitRate === null ? null : r6(r.adapterHitRate),
    checks: { requestsConserved: r.served + r.dropped.total === r.requests, tokensConserved: r.tokens.served + r.tokens.dropped === r.tokens.asked },
    endS: r6(r.endS),
    events: r.events,
  };
}

export function servingToJson(o: ServingOutcome) {
  const base = o.results[o.baseline]!;
  const price = (p: ReplicaPrice) => ({ onDemandUsdPerHour: p.onDemandUsdPerHour.toString(), spotUsdPerHour: p.spotUsdPerHour?.toString() ?? null, source: p.source });
  return {
    schemaVersion: SCHEMA_VERSIONS.serving,
    workload: o.workload,
    profile: o.profile,
    price: price(o.price),
    slo: o.slo,
    intervalS: o.intervalS,
    capacityPerReplicaPerS: r6(o.capacityPerReplicaPerS),
    capacityAtSloPerS: r6(o.capacityAtSloPerS),
    fixedPeakReplicas: o.fixedPeakReplicas,
    floors: o.floors,
    forecast: o.forecast,
    spotZones: o.spotZones,
    spotZonePricesUsdPerHour: o.spotZonePrices.map((x) => x?.toString() ?? null),
    baseline: { balancer: base.balancer, autoscaler: base.autoscaler },
    results: o.results.map((r) => resultToJson(r, base)),
    plan: o.plan ? { profile: o.plan.profile, price: price(o.plan.price), targetUtilisation: o.plan.targetUtilisation, solverObjectiveUsd: r6(o.plan.solverObjectiveUsd), perInterval: o.plan.perInterval, rounds: o.plan.rounds, result: resultToJson(o.plan.result, base) } : null,
    notes: o.notes,
  };
}

/** The row of a profile table for this model and GPU (and GPUs per replica, when given). */
export function pickProfile(table: readonly ReplicaProfile[], where: string, model: string, gpu: string, gpus: number | undefined): ReplicaProfile {
  const p = table.find((x) => x.model === model && x.gpu === gpu && (gpus === undefined || x.gpusPerReplica === gpus));
  if (!p) throw new InvalidInput(`${where}: no profile for ${model} on ${gpus === undefined ? '' : `${gpus} × `}${gpu}`, [{ path: 'model', file: where, message: 'no row with this model and GPU', found: `${model} / ${gpu}`, expected: table.map((x) => `${x.model} / ${x.gpusPerReplica} × ${x.gpu}`).join(', ') }], 'Choose the model and GPU from the profiles, or add the row.');
  return p;
}

export type ServingJson = ReturnType<typeof servingToJson>;

/** What the run list shows of a serving comparison: the baseline, the cheapest row meeting the SLO, the plan. */
export function servingRunSummary(j: ServingJson): Record<string, unknown> {
  const base = j.results.find((r) => r.balancer === j.baseline.balancer && r.autoscaler === j.baseline.autoscaler);
  const meeting = j.results.filter((r) => r.sloMet).sort((a, b) => new Decimal(a.costUsd.total).cmp(new Decimal(b.costUsd.total)))[0];
  return {
    requests: j.workload.requests,
    gpu: `${j.profile.gpusPerReplica} × ${j.profile.gpu}`,
    fixedPeakReplicas: j.fixedPeakReplicas,
    baselineUsd: base?.costUsd.total ?? null,
    cheapestMeetingSlo: meeting ? { autoscaler: meeting.autoscaler, balancer: meeting.balancer, costUsd: meeting.costUsd.total } : null,
    planUsd: j.plan?.result.costUsd.total ?? null,
  };
}
