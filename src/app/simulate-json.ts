/**
 * The JSON contract of a simulation: what `penny simulate --json` prints, what the API's simulation
 * jobs return and what a simulation run records. One place, used by every adapter.
 */
import type { SimulateResult } from './simulate.js';
import { SCHEMA_VERSIONS } from './contracts.js';
import { fillReportToJson } from '../core/sim/fill.js';
import { simReportToJson } from '../core/sim/metrics.js';
import { versusReference } from '../core/sim/reference.js';

/** Six decimals: shares and ratios byte-identical across machines. */
const r6 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : x);

export function resultToJson(r: SimulateResult, traceFormat: string): unknown {
  return {
    schemaVersion: SCHEMA_VERSIONS.simulation,
    scenario: r.scenario,
    mode: r.mode,
    traceFormat,
    currency: r.currency,
    pools: r.pools.map((p) => ({ name: p.name, pricing: p.pricing, gpuType: p.gpuType, gpusPerNode: p.gpusPerNode, nodes: p.fixedNodes, maxNodes: p.maxNodes, pricePerNodeHour: p.pricePerNodeHour.toFixed() })),
    policies:
      r.mode === 'fill'
        ? r.reports.map(fillReportToJson)
        : r.reports.map((p) => {
            const base = baselineOf(r);
            const json = simReportToJson(p) as Record<string, unknown>;
            if (!r.reference || !base) return json;
            const v = versusReference(p.cost.total, base.cost.total, r.reference);
            return { ...json, vsReference: { ratio: r6(v.ratio), capturedShare: r6(v.capturedShare) } };
          }),
    ...(r.mode === 'replay' &&
      r.reference && {
        reference: { cost: r.reference.cost.toFixed(), jobs: r.reference.jobs, ...(baselineOf(r) && { baseline: 'always-on-demand', baselineCost: baselineOf(r)!.cost.total.toFixed() }) },
      }),
    ...(r.mode === 'replay' &&
      r.plan && {
        plan: {
          scenario: r.plan.scenario,
          horizonS: r.plan.horizonS,
          fixedCostUsd: r.plan.fixedCostUsd.toFixed(),
          notes: r.plan.notes,
          checks: r.plan.checks.map((c) => ({ ...c, planUsd: c.planUsd.toFixed(), simulatedUsd: c.simulatedUsd.toDecimalPlaces(12).toFixed(), waitMeanS: r6(c.waitMeanS), waitP99S: r6(c.waitP99S) })),
        },
      }),
  };
}


/** The run the possible saving is measured from: always-on-demand, when it was compared. */
export function baselineOf(r: SimulateResult) {
  return r.mode === 'replay' ? r.reports.find((p) => p.policy === 'always-on-demand') : undefined;
}
