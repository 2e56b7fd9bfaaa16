/**
 * From what the engine measured to the report: cost by pool and pricing model (exact decimals,
 * price × node-seconds once per pool), GPU-hours allocated and busy, energy, job completion
 * times, queueing, preemptions, deadlines, and the conservation checks.
 */
import { Decimal, ZERO, dec, sum, toPlain } from '../money.js';
import { FINISHED, QUEUED, RUNNING, UNSCHEDULABLE, WAITING, type RawRun } from './engine.js';
import type { Pricing, SimInput } from './model.js';

export interface PoolReport {
  name: string;
  pricing: Pricing;
  gpuType: string;
  peakNodes: number;
  nodeHours: number;
  gpuHoursAllocated: number;
  gpuHoursBusy: number;
  utilisation: number;
  energyKwh: number;
  computeCost: Decimal;
  energyCost: Decimal;
  idleCost: Decimal;
  cost: Decimal;
}

export interface Percentiles {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
}

export interface SimReport {
  policy: string;
  summary: string;
  currency: string;
  startS: number;
  endS: number;
  events: number;
  jobs: {
    total: number;
    finished: number;
    unschedulable: number;
    runningAtEnd: number;
    waitingAtEnd: number;
    preemptions: number;
    /** Jobs that did not start the moment they arrived: started later, or still waiting at the end. */
    waited: number;
    /** Planned moves from on-demand back to spot (deadline-aware policy). */
    migrationsToSpot: number;
    /** Moves from spot to on-demand at a job's last safe moment (deadline rules). */
    safetySwitches: number;
    lostGpuHours: number;
    withDeadline: number;
    deadlineMisses: number;
  };
  completionTimeS: Percentiles;
  queueingDelayS: Percentiles;
  gpuHoursAllocated: number;
  gpuHoursBusy: number;
  utilisation: number;
  energyKwh: number;
  cost: {
    total: Decimal;
    compute: Decimal;
    energy: Decimal;
    idle: Decimal;
    byPricing: Record<Pricing, Decimal>;
  };
  pools: PoolReport[];
  unschedulable: { reason: string; jobs: number }[];
  checks: {
    /** finished + unschedulable + running + waiting = total. */
    jobsConserved: boolean;
    /** GPU-seconds held by jobs = GPU-seconds allocated on nodes (relative error below 1e-9). */
    gpuSecondsBalance: boolean;
    jobGpuHours: number;
    nodeGpuHours: number;
    /** No job started before it arrived. */
    noEarlyStart: boolean;
    /** Capacity violations found (counted only when the run was asked to check; must be 0). */
    overCapacity: number;
  };
}

export function percentiles(xs: number[]): Percentiles {
  if (xs.length === 0) return { mean: 0, p50: 0, p90: 0, p99: 0 };
  const s = Float64Array.from(xs).sort();
  // Nearest-rank percentiles: always a value that occurred.
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  let total = 0;
  for (const x of s) total += x;
  return { mean: total / s.length, p50: q(0.5), p90: q(0.9), p99: q(0.99) };
}

export function buildReport(raw: RawRun, input: SimInput): SimReport {
  if (!raw.closed) raw.close();
  const { cluster: c, jobs } = raw;
  const startS = jobs.length > 0 ? Math.min(0, jobs[0]!.arrivalS) : 0;
  const pools: PoolReport[] = input.pools.map((p, pi) => {
    let nodeS = 0;
    let busyMilliS = 0;
    for (let n = c.poolFirst[pi]!; n < c.poolEnd[pi]!; n++) {
      nodeS += c.aliveS[n]!;
      busyMilliS += c.busyMilliS[n]!;
    }
    const gpuS = nodeS * p.gpusPerNode;
    const busyGpuS = busyMilliS / 1000;
    const utilisation = gpuS > 0 ? busyGpuS / gpuS : 0;
    // Power: idle all the time a node is on, plus the busy increment in proportion to GPUs allocated.
    const wattSeconds = p.idlePowerW * nodeS + (p.gpusPerNode > 0 ? ((p.busyPowerW - p.idlePowerW) * busyGpuS) / p.gpusPerNode : 0);
    const energyKwh = (wattSeconds / 3.6e6) * input.energy.pue;
    const computeCost = p.pricePerNodeHour.times(dec(nodeS)).div(3600);
    const energyCost = p.pricing === 'on-prem' ? input.energy.pricePerKwh.times(dec(energyKwh)) : ZERO;
    const cost = computeCost.plus(energyCost);
    const idleCost = p.gpusPerNode > 0 ? cost.times(dec(1 - Math.min(1, utilisation))) : ZERO;
    return {
      name: p.name,
      pricing: p.pricing,
      gpuType: p.gpuType,
      peakNodes: raw.peakNodes[pi]!,
      nodeHours: nodeS / 3600,
      gpuHoursAllocated: gpuS / 3600,
      gpuHoursBusy: busyGpuS / 3600,
      utilisation,
      energyKwh: p.pricing === 'on-prem' ? energyKwh : 0,
      computeCost,
      energyCost,
      idleCost,
      cost,
    };
  });

  const jct: number[] = [];
  const wait: number[] = [];
  let finished = 0;
  let unsched = 0;
  let running = 0;
  let waiting = 0;
  let preemptions = 0;
  let waited = 0;
  let migrationsToSpot = 0;
  let safetySwitches = 0;
  let lostGpuS = 0;
  let withDeadline = 0;
  let misses = 0;
  let jobGpuS = 0;
  let early = false;
  const reasonCount = new Map<string, number>();
  for (let j = 0; j < jobs.length; j++) {
    const job = jobs[j]!;
    const s = raw.state[j]!;
    if (s === FINISHED) {
      finished++;
      jct.push(raw.finishS[j]! - job.arrivalS);
    } else if (s === UNSCHEDULABLE) {
      unsched++;
      const r = raw.reasons.get(j) ?? 'unknown';
      reasonCount.set(r, (reasonCount.get(r) ?? 0) + 1);
    } else if (s === RUNNING) running++;
    else if (s === QUEUED || s === WAITING) waiting++;
    if (!Number.isNaN(raw.firstStartS[j]!)) {
      wait.push(raw.firstStartS[j]! - job.arrivalS);
      if (raw.firstStartS[j]! < job.arrivalS) early = true;
      if (raw.firstStartS[j]! > job.arrivalS) waited++;
    } else if (s === QUEUED || s === WAITING) waited++;
    preemptions += raw.preemptions[j]!;
    migrationsToSpot += raw.migrations[j]!;
    safetySwitches += raw.safetySwitches[j]!;
    lostGpuS += raw.lostGpuS[j]!;
    jobGpuS += raw.gpuS[j]!;
    if (job.deadlineS !== undefined && job.arrivalS <= raw.endS) {
      withDeadline++;
      const met = s === FINISHED && raw.finishS[j]! <= job.deadlineS + 1e-9;
      if (!met) misses++;
    }
  }
  const nodeGpuS = pools.reduce((a, p) => a + p.gpuHoursBusy * 3600, 0);
  const byPricing: Record<Pricing, Decimal> = { 'on-prem': ZERO, 'on-demand': ZERO, spot: ZERO };
  for (const p of pools) byPricing[p.pricing] = byPricing[p.pricing].plus(p.cost);
  const gpuHoursAllocated = pools.reduce((a, p) => a + p.gpuHoursAllocated, 0);
  const gpuHoursBusy = pools.reduce((a, p) => a + p.gpuHoursBusy, 0);
  return {
    policy: raw.policy.name,
    summary: raw.policy.summary,
    currency: input.currency,
    startS,
    endS: raw.endS,
    events: raw.events,
    jobs: {
      total: jobs.length,
      finished,
      unschedulable: unsched,
      runningAtEnd: running,
      waitingAtEnd: waiting,
      preemptions,
      waited,
      migrationsToSpot,
      safetySwitches,
      lostGpuHours: lostGpuS / 3600,
      withDeadline,
      deadlineMisses: misses,
    },
    completionTimeS: percentiles(jct),
    queueingDelayS: percentiles(wait),
    gpuHoursAllocated,
    gpuHoursBusy,
    utilisation: gpuHoursAllocated > 0 ? gpuHoursBusy / gpuHoursAllocated : 0,
    energyKwh: pools.reduce((a, p) => a + p.energyKwh, 0),
    cost: {
      total: sum(pools.map((p) => p.cost)),
      compute: sum(pools.map((p) => p.computeCost)),
      energy: sum(pools.map((p) => p.energyCost)),
      idle: sum(pools.map((p) => p.idleCost)),
      byPricing,
    },
    pools,
    unschedulable: [...reasonCount].map(([reason, n]) => ({ reason, jobs: n })).sort((a, b) => b.jobs - a.jobs || a.reason.localeCompare(b.reason)),
    checks: {
      jobsConserved: finished + unsched + running + waiting === jobs.length,
      gpuSecondsBalance: Math.abs(jobGpuS - nodeGpuS) <= 1e-9 * Math.max(1, nodeGpuS),
      jobGpuHours: jobGpuS / 3600,
      nodeGpuHours: nodeGpuS / 3600,
      noEarlyStart: !early,
      overCapacity: raw.overCapacity,
    },
  };
}

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** JSON with money as decimal strings and measured quantities rounded to 6 decimals. */
export function simReportToJson(r: SimReport): unknown {
  const pc = (p: Percentiles) => ({ mean: r6(p.mean), p50: r6(p.p50), p90: r6(p.p90), p99: r6(p.p99) });
  const m = (x: Decimal) => toPlain(x.toDecimalPlaces(12, Decimal.ROUND_HALF_EVEN));
  return {
    policy: r.policy,
    summary: r.summary,
    currency: r.currency,
    startS: r.startS,
    endS: r6(r.endS),
    events: r.events,
    jobs: { ...r.jobs, lostGpuHours: r6(r.jobs.lostGpuHours) },
    completionTimeS: pc(r.completionTimeS),
    queueingDelayS: pc(r.queueingDelayS),
    gpuHoursAllocated: r6(r.gpuHoursAllocated),
    gpuHoursBusy: r6(r.gpuHoursBusy),
    utilisation: r6(r.utilisation),
    energyKwh: r6(r.energyKwh),
    cost: {
      total: m(r.cost.total),
      compute: m(r.cost.compute),
      energy: m(r.cost.energy),
      idle: m(r.cost.idle),
      byPricing: Object.fromEntries(Object.entries(r.cost.byPricing).map(([k, v]) => [k, m(v)])),
    },
    pools: r.pools.map((p) => ({
      ...p,
      nodeHours: r6(p.nodeHours),
      gpuHoursAllocated: r6(p.gpuHoursAllocated),
      gpuHoursBusy: r6(p.gpuHoursBusy),
      utilisation: r6(p.utilisation),
      energyKwh: r6(p.energyKwh),
      computeCost: m(p.computeCost),
      energyCost: m(p.energyCost),
      idleCost: m(p.idleCost),
      cost: m(p.cost),
    })),
    unschedulable: r.unschedulable,
    checks: { ...r.checks, jobGpuHours: r6(r.checks.jobGpuHours), nodeGpuHours: r6(r.checks.nodeGpuHours) },
  };
}
