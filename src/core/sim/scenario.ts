/**
 * The simulation scenario (YAML or JSON): the cluster's node pools with prices, power and
 * autoscaling, spot settings, checkpointing defaults, horizon and energy price. docs/simulator.md
 * documents every field; this schema is the single source of truth for validating it.
 */
import { z } from 'zod';
import { ZERO, type Decimal } from '../money.js';
import { currencyField, decimalField, nameField, numberField } from '../model/fields.js';
import { spotCapacity, type SpotTrace } from '../model/spot.js';
import type { Energy, NodePool } from './model.js';
import type { PlanPoolOptions } from './plan-pools.js';

const nonNeg = (int = false) => numberField({ min: 0, int });
const money = () => decimalField({ min: 0 });

const spotSchema = z
  .object({
    /** Path of a SkyPilot spot-traces JSON file, relative to the scenario file. */
    trace: z.string().min(1).optional(),
    /** How the trace's values are read (core/model/spot.ts SpotValues). */
    values: z.enum(['available', 'preempted'], { error: 'expected available or preempted' }).optional(),
    preemptionRatePerHour: nonNeg().optional(),
    /** The warning before a preemption, in seconds (AWS 120, GCP and Azure 30). */
    noticeS: nonNeg().optional(),
  })
  .strict();

const poolSchema = z
  .object({
    name: nameField(),
    gpuType: z.string().default(''),
    gpusPerNode: numberField({ min: 0, max: 31, int: true }),
    cpuMilli: nonNeg(true),
    memoryMib: nonNeg(true),
    pricing: z.enum(['on-prem', 'on-demand', 'spot'], { error: 'expected on-prem, on-demand or spot' }),
    pricePerNodeHour: money(),
    nodes: nonNeg(true).optional(),
    maxNodes: nonNeg(true).optional(),
    provisioningDelayS: nonNeg().optional(),
    idleTimeoutS: nonNeg().optional(),
    idlePowerW: nonNeg().optional(),
    busyPowerW: nonNeg().optional(),
    speed: numberField({ min: 0, exclusiveMin: true }).optional(),
    spot: spotSchema.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.nodes === undefined && p.maxNodes === undefined) ctx.addIssue({ code: 'custom', path: ['nodes'], message: 'give nodes (always on), maxNodes (autoscaled) or both' });
    if (p.nodes !== undefined && p.maxNodes !== undefined && p.maxNodes < p.nodes) ctx.addIssue({ code: 'custom', path: ['maxNodes'], message: `maxNodes (${p.maxNodes}) must be at least nodes (${p.nodes})` });
    if (p.spot && p.pricing !== 'spot') ctx.addIssue({ code: 'custom', path: ['spot'], message: 'spot settings belong to a pool with pricing: spot' });
    if (p.spot?.values && !p.spot.trace) ctx.addIssue({ code: 'custom', path: ['spot', 'values'], message: 'values says how to read a spot trace: give spot.trace too' });
    if (p.spot?.trace && p.spot.preemptionRatePerHour !== undefined) ctx.addIssue({ code: 'custom', path: ['spot', 'preemptionRatePerHour'], message: 'give a spot trace or a preemption rate, not both' });
  });

const nodeModelSchema = z
  .object({
    pricePerGpuHour: money(),
    pricePerNodeHour: money().optional(),
    idlePowerWPerGpu: nonNeg().optional(),
    busyPowerWPerGpu: nonNeg().optional(),
    speed: numberField({ min: 0, exclusiveMin: true }).optional(),
  })
  .strict();

/** The longest simulated period a scenario may ask for: 100 years, in hours. */
export const HORIZON_MAX_H = 876_000;

export const simScenarioSchema = z
  .object({
    name: nameField(),
    currency: currencyField(),
    seed: numberField({ min: 0, int: true }).optional(),
    // Up to 100 years: more is a unit mistake (1e9 hours was accepted and costed every fixed node
    // idle for all of it, $39B at 0% utilisation), not a period anyone simulates.
    horizonH: numberField({ min: 0, exclusiveMin: true, max: HORIZON_MAX_H }).optional(),
    energy: z.object({ pricePerKwh: money(), pue: numberField({ min: 1 }).optional() }).strict().optional(),
    checkpoint: z
      .object({
        intervalS: nonNeg().optional(),
        restartOverheadS: nonNeg().optional(),
        /** Jobs write a checkpoint when warned of a preemption, taking writeS (see spot.noticeS). */
        onNotice: z.object({ writeS: nonNeg().optional() }).strict().optional(),
      })
      .strict()
      .optional(),
    pools: z.array(poolSchema).optional(),
    nodeModels: z.record(z.string(), nodeModelSchema).optional(),
    /** How a plan's lines become pools (`penny simulate --plan`): what the plan does not say. */
    fromPlan: z
      .object({ provisioningDelayS: nonNeg().optional(), idleTimeoutS: nonNeg().optional(), spot: spotSchema.optional() })
      .strict()
      .superRefine((f, ctx) => {
        if (f.spot?.values && !f.spot.trace) ctx.addIssue({ code: 'custom', path: ['spot', 'values'], message: 'values says how to read a spot trace: give spot.trace too' });
        if (f.spot?.trace && f.spot.preemptionRatePerHour !== undefined) ctx.addIssue({ code: 'custom', path: ['spot', 'preemptionRatePerHour'], message: 'give a spot trace or a preemption rate, not both' });
      })
      .optional(),
    fill: z.object({ targetShare: numberField({ min: 0, exclusiveMin: true }).optional(), stepShare: numberField({ min: 0, exclusiveMin: true, max: 1 }).optional(), order: z.enum(['list', 'shuffled']).optional() }).strict().optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (!s.pools?.length && !s.nodeModels && !s.fromPlan) ctx.addIssue({ code: 'custom', path: ['pools'], message: 'give pools, nodeModels to price a node list given with --nodes, or fromPlan for a plan given with --plan' });
    const seen = new Set<string>();
    s.pools?.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: 'custom', path: ['pools', i, 'name'], message: `pool name "${p.name}" is used twice` });
      seen.add(p.name);
    });
  });

export type SimScenarioInput = z.output<typeof simScenarioSchema>;

export interface NodeModel {
  pricePerGpuHour: Decimal;
  pricePerNodeHour: Decimal;
  idlePowerWPerGpu: number;
  busyPowerWPerGpu: number;
  speed: number;
}

export interface SimScenario {
  name: string;
  currency: string;
  seed: number;
  horizonS: number | undefined;
  energy: Energy;
  checkpointIntervalS: number;
  restartOverheadS: number;
  /** Seconds to write a checkpoint on a preemption notice; undefined = jobs do not. */
  checkpointOnNoticeWriteS?: number;
  pools: NodePool[];
  /** Prices and power per GPU model for nodes read from a node list ("*" = any other model). */
  nodeModels: Record<string, NodeModel>;
  fill: { targetShare: number; stepShare: number; order: 'list' | 'shuffled' };
  /** Settings for pools made from a plan (`--plan`); defaults when the scenario has no fromPlan. */
  fromPlan?: PlanPoolOptions;
}

/** Key under which the loader passes fromPlan's spot trace in `traces`. */
export const FROM_PLAN_TRACE = '\u0000fromPlan';

/** From the validated document to the core scenario; `traces` are the spot traces already read, by pool name. */
export function toSimScenario(s: SimScenarioInput, traces: Record<string, SpotTrace> = {}): SimScenario {
  return {
    name: s.name,
    currency: s.currency,
    seed: s.seed ?? 1,
    horizonS: s.horizonH !== undefined ? s.horizonH * 3600 : undefined,
    energy: { pricePerKwh: s.energy?.pricePerKwh ?? ZERO, pue: s.energy?.pue ?? 1 },
    checkpointIntervalS: s.checkpoint?.intervalS ?? 0,
    restartOverheadS: s.checkpoint?.restartOverheadS ?? 0,
    ...(s.checkpoint?.onNotice && { checkpointOnNoticeWriteS: s.checkpoint.onNotice.writeS ?? 0 }),
    pools: (s.pools ?? []).map((p) => {
      const fixed = p.nodes ?? 0;
      const pool: NodePool = {
        name: p.name,
        gpuType: p.gpuType,
        gpusPerNode: p.gpusPerNode,
        cpuMilliPerNode: p.cpuMilli,
        memoryMibPerNode: p.memoryMib,
        pricing: p.pricing,
        pricePerNodeHour: p.pricePerNodeHour,
        fixedNodes: fixed,
        maxNodes: p.maxNodes ?? fixed,
        provisioningDelayS: p.provisioningDelayS ?? 0,
        idleTimeoutS: p.idleTimeoutS ?? 600,
        idlePowerW: p.idlePowerW ?? 0,
        busyPowerW: p.busyPowerW ?? p.idlePowerW ?? 0,
        speed: p.speed ?? 1,
      };
      const trace = traces[p.name];
      if (trace) pool.spotTrace = spotCapacity(trace, p.spot?.values ?? 'available');
      if (p.spot?.preemptionRatePerHour !== undefined) pool.preemptionRatePerHour = p.spot.preemptionRatePerHour;
      if (p.spot?.noticeS !== undefined) pool.spotNoticeS = p.spot.noticeS;
      return pool;
    }),
    nodeModels: Object.fromEntries(
      Object.entries(s.nodeModels ?? {}).map(([k, m]) => [
        k,
        { pricePerGpuHour: m.pricePerGpuHour, pricePerNodeHour: m.pricePerNodeHour ?? ZERO, idlePowerWPerGpu: m.idlePowerWPerGpu ?? 0, busyPowerWPerGpu: m.busyPowerWPerGpu ?? m.idlePowerWPerGpu ?? 0, speed: m.speed ?? 1 },
      ]),
    ),
    fill: { targetShare: s.fill?.targetShare ?? 1, stepShare: s.fill?.stepShare ?? 0.05, order: s.fill?.order ?? 'list' },
    fromPlan: {
      provisioningDelayS: s.fromPlan?.provisioningDelayS ?? 0,
      idleTimeoutS: s.fromPlan?.idleTimeoutS ?? 600,
      ...(traces[FROM_PLAN_TRACE] && { spotTrace: spotCapacity(traces[FROM_PLAN_TRACE], s.fromPlan?.spot?.values ?? 'available') }),
      ...(s.fromPlan?.spot?.preemptionRatePerHour !== undefined && { preemptionRatePerHour: s.fromPlan.spot.preemptionRatePerHour }),
      ...(s.fromPlan?.spot?.noticeS !== undefined && { spotNoticeS: s.fromPlan.spot.noticeS }),
    },
  };
}

/** A node from a node list (Alibaba v2023 `openb_node_list_*.csv`). */
export interface ListedNode {
  name: string;
  cpuMilli: number;
  memoryMib: number;
  gpus: number;
  model: string;
}

/**
 * On-prem pools from a node list: one pool per GPU model and node shape, priced from the
 * scenario's nodeModels. Returns the models that have no price (the caller reports them).
 */
export function poolsFromNodes(nodes: readonly ListedNode[], models: Record<string, NodeModel>): { pools: NodePool[]; unpriced: string[] } {
  const groups = new Map<string, { n: ListedNode; count: number }>();
  for (const n of nodes) {
    const key = `${n.model}/${n.gpus}/${n.cpuMilli}/${n.memoryMib}`;
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { n, count: 1 });
  }
  const unpriced = new Set<string>();
  const pools: NodePool[] = [];
  for (const { n, count } of groups.values()) {
    const m = models[n.model] ?? models['*'];
    if (!m) {
      unpriced.add(n.model);
      continue;
    }
    let name = `${n.model || 'cpu'}-${n.gpus}g-${n.cpuMilli / 1000}c-${Math.round(n.memoryMib / 1024)}Gi`;
    // Shapes that differ only below the rounding of the name still get distinct pool names.
    if (pools.some((p) => p.name === name)) name = `${name}-${pools.length}`;
    pools.push({
      name,
      gpuType: n.model,
      gpusPerNode: n.gpus,
      cpuMilliPerNode: n.cpuMilli,
      memoryMibPerNode: n.memoryMib,
      pricing: 'on-prem',
      pricePerNodeHour: m.pricePerGpuHour.times(n.gpus).plus(m.pricePerNodeHour),
      fixedNodes: count,
      maxNodes: count,
      provisioningDelayS: 0,
      idleTimeoutS: 0,
      idlePowerW: m.idlePowerWPerGpu * n.gpus,
      busyPowerW: m.busyPowerWPerGpu * n.gpus,
      speed: m.speed,
    });
  }
  return { pools, unpriced: [...unpriced].sort() };
}

