/**
 * The JSON contract of a simulation: what `penny simulate --json` prints, what the API's simulation
 * jobs return and what a simulation run records. One place, used by every adapter.
 */
import type { SimulateResult } from './simulate.js';
import { SCHEMA_VERSIONS } from './contracts.js';
import { fillReportToJson } from '../core/sim/fill.js';
import { simReportToJson } from '../core/sim/metrics.js';

export function resultToJson(r: SimulateResult, traceFormat: string): unknown {
  return {
    schemaVersion: SCHEMA_VERSIONS.simulation,
    scenario: r.scenario,
    mode: r.mode,
    traceFormat,
    currency: r.currency,
    pools: r.pools.map((p) => ({ name: p.name, pricing: p.pricing, gpuType: p.gpuType, gpusPerNode: p.gpusPerNode, nodes: p.fixedNodes, maxNodes: p.maxNodes, pricePerNodeHour: p.pricePerNodeHour.toFixed() })),
    policies: r.mode === 'fill' ? r.reports.map(fillReportToJson) : r.reports.map(simReportToJson),
  };
}

