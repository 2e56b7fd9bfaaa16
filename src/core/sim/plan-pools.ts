/**
 * A plan from `penny plan` as a simulated cluster: each plan line (an offering bought one way)
 * becomes a node pool whose node count follows the plan period by period, so the plan can be
 * played against a job trace with preemptions and queueing (`penny simulate --plan`).
 */
import { type Decimal, sum } from '../money.js';
import type { SpotTrace } from '../model/spot.js';
import type { NodePool } from './model.js';
import type { SimReport } from './metrics.js';

/** What the simulator needs of a plan (the JSON `penny plan --json` prints, app/plan-json.ts). */
export interface PlanSpec {
  scenario: string;
  periodHours: number;
  periods: number;
  totalUsd: Decimal;
  lines: PlanSpecLine[];
}

export interface PlanSpecLine {
  offering: string;
  gpu: string;
  /** GPUs per instance; 0 for a savings plan's commitment line (dollars per hour, no instances). */
  gpuCount: number;
  priceModel: 'on-demand' | 'spot' | 'reserved' | 'on-prem';
  priceUsdPerHour: Decimal;
  /** Instances per period, run-length: periods from..to (inclusive) hold `count`. */
  runs: { from: number; to: number; count: number }[];
  costUsd: Decimal;
}

/** How plan lines become pools: what a plan does not say about the nodes. */
export interface PlanPoolOptions {
  /** From ordering an on-demand or spot node to it taking jobs. */
  provisioningDelayS: number;
  /** An on-demand or spot node idle this long is released (the plan's count is a cap, not a purchase). */
  idleTimeoutS: number;
  /** Spot lines: an availability trace (its count further caps the plan's), or a preemption rate. */
  spotTrace?: SpotTrace;
  preemptionRatePerHour?: number;
  spotNoticeS?: number;
}

export interface PlanPools {
  pools: NodePool[];
  horizonS: number;
  /** Costs paid whatever runs: savings plan commitments (lines without instances). */
  fixedCostUsd: Decimal;
  notes: string[];
}

/** A plan gives no CPU or memory per instance: the nodes never run out of either. */
const UNBOUNDED = 1e12;

export function countsOf(line: PlanSpecLine, periods: number): number[] {
  const counts = new Array<number>(periods).fill(0);
  for (const r of line.runs) for (let t = Math.max(0, r.from); t <= Math.min(periods - 1, r.to); t++) counts[t] = r.count;
  return counts;
}

/**
 * One pool per line. Reserved and on-prem lines are paid whether used or not: with the same count
 * every period they are fixed nodes, present and billed throughout, as the plan bills them. Every
 * other line is a pool that grows on demand up to the plan's count in each period (billed for the
 * nodes that ran): a queue longer than the plan bought waits, and when a period's count falls, the
 * excess nodes go (idle first; a busy one preempts its jobs).
 */
export function poolsFromPlan(plan: PlanSpec, o: PlanPoolOptions): PlanPools {
  const periodS = plan.periodHours * 3600;
  const pools: NodePool[] = [];
  const notes: string[] = [];
  const commitments: Decimal[] = [];
  const names = new Set<string>();
  plan.lines.forEach((l) => {
    if (l.gpuCount === 0) {
      // A savings plan's commitment: dollars per hour, no instances; its usage lines carry the nodes.
      commitments.push(l.costUsd);
      return;
    }
    const counts = countsOf(l, plan.periods);
    const max = Math.max(0, ...counts);
    if (max === 0) return;
    let name = `${l.offering} (${l.priceModel})`;
    for (let k = 2; names.has(name); k++) name = `${l.offering} (${l.priceModel} ${k})`;
    names.add(name);
    const owned = l.priceModel === 'reserved' || l.priceModel === 'on-prem';
    const constant = counts.every((n) => n === max);
    const pool: NodePool = {
      name,
      gpuType: l.gpu,
      gpusPerNode: l.gpuCount,
      cpuMilliPerNode: UNBOUNDED,
      memoryMibPerNode: UNBOUNDED,
      pricing: l.priceModel === 'spot' ? 'spot' : l.priceModel === 'on-prem' ? 'on-prem' : 'on-demand',
      pricePerNodeHour: l.priceUsdPerHour,
      fixedNodes: owned && constant ? max : 0,
      maxNodes: max,
      provisioningDelayS: owned ? 0 : o.provisioningDelayS,
      idleTimeoutS: o.idleTimeoutS,
      idlePowerW: 0,
      busyPowerW: 0,
      speed: 1,
    };
    if (!(owned && constant)) pool.schedule = { periodS, maxNodes: counts };
    if (owned && !constant) notes.push(`${name}: the plan's count changes from period to period; simulated as nodes started when needed up to each period's count and billed while they run, not for the whole period`);
    if (l.priceModel === 'spot') {
      if (o.spotTrace) pool.spotTrace = o.spotTrace;
      else if (o.preemptionRatePerHour !== undefined) pool.preemptionRatePerHour = o.preemptionRatePerHour;
      else notes.push(`${name}: no spot trace or preemption rate given, so this spot pool is never preempted`);      if (o.spotNoticeS !== undefined) pool.spotNoticeS = o.spotNoticeS;
    }
    pools.push(pool);
  });
  return { pools, horizonS: periodS * plan.periods, fixedCostUsd: sum(commitments), notes };
}

/** How a plan held once its trace was played out under one policy. */
export interface PlanCheck {
  policy: string;
  planUsd: Decimal;
  /** The simulated cost of the nodes plus the plan's fixed costs (commitments). */
  simulatedUsd: Decimal;
  jobs: number;
  finished: number;
  /** Jobs that had not finished when the plan's last period ended (running or waiting). */
  unfinished: number;
  unschedulable: number;
  /** Jobs arriving after the plan's last period: nothing was bought for them. */
  afterPlan: number;
  withDeadline: number;
  late: number;
  /** Jobs that waited at all for their first start, and the mean and p99 wait. */
  queued: number;
  waitMeanS: number;
  waitP99S: number;
  preemptions: number;
  holds: boolean;
}

export function checkPlan(plan: PlanSpec, fixedCostUsd: Decimal, r: SimReport, afterPlan: number): PlanCheck {
  const unfinished = r.jobs.runningAtEnd + r.jobs.waitingAtEnd;
  return {
    policy: r.policy,
    planUsd: plan.totalUsd,
    simulatedUsd: r.cost.total.plus(fixedCostUsd),
    jobs: r.jobs.total,
    finished: r.jobs.finished,
    unfinished,
    unschedulable: r.jobs.unschedulable,
    afterPlan,
    withDeadline: r.jobs.withDeadline,
    late: r.jobs.deadlineMisses,
    queued: r.jobs.waited,
    waitMeanS: r.queueingDelayS.mean,
    waitP99S: r.queueingDelayS.p99,
    preemptions: r.jobs.preemptions,
    holds: unfinished === 0 && r.jobs.unschedulable === 0 && r.jobs.deadlineMisses === 0 && afterPlan === 0,
  };
}
