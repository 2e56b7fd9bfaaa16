/**
 * Use case: record a plan, forecast or simulation as a run, the decision record the dashboard
 * shows. The same inputs recorded again replace the earlier record (never a duplicate).
 */
import { createHash } from 'node:crypto';
import type { ForecastOutcome } from './forecast.js';
import { slotTime } from '../core/forecast/series.js';
import { canonicalJson } from './cost.js';
import type { Clock, Store } from './ports.js';
import { servingRunSummary, type ServingJson } from './serving.js';
import type { ServingWorkload } from '../core/serving/workload.js';

export function inputHash(kind: string, inputs: unknown): string {
  return createHash('sha256').update(canonicalJson({ kind, inputs })).digest('hex');
}

/** A run to record: where it was computed (here, a job thread, or a CLI beside the server) does not matter. */
export interface RunInput {
  kind: string;
  name: string;
  inputs: unknown;
  summary: Record<string, unknown>;
  result: unknown;
}

export async function recordRun(store: Store, clock: Clock, r: RunInput): Promise<string> {
  return recordHashedRun(store, clock, { kind: r.kind, name: r.name, inputHash: inputHash(r.kind, r.inputs), summary: r.summary, result: r.result });
}

/** A run whose inputs are hashed already (inputHash, where they were read: large ones off the event loop). */
export interface HashedRun {
  kind: string;
  name: string;
  inputHash: string;
  summary: Record<string, unknown>;
  result: unknown;
}

export async function recordHashedRun(store: Store, clock: Clock, r: HashedRun): Promise<string> {
  return store.saveRun({ kind: r.kind, name: r.name, inputHash: r.inputHash, summary: r.summary, result: r.result, createdAt: clock.now().toISOString() });
}

/** A plan run as the CLI, the API and the demo record it: its summary is what the run list shows. */
export function planRun(plan: { scenario: string; totalUsd: string; savings: unknown; solver: unknown }, inputs: unknown): RunInput {
  return { kind: 'plan', name: plan.scenario, inputs, summary: { totalUsd: plan.totalUsd, savings: plan.savings, solver: plan.solver }, result: plan };
}

export function recordPlanRun(store: Store, clock: Clock, plan: { scenario: string; totalUsd: string; savings: unknown; solver: unknown }, inputs: unknown): Promise<string> {
  return recordRun(store, clock, planRun(plan, inputs));
}

/** A simulation run, recorded the same way wherever it ran. */
export function simulationRun(sim: { scenario: string; mode: string }, run: { inputs: unknown; policies: string[]; jobs: number }): RunInput {
  return { kind: 'simulation', name: sim.scenario, inputs: run.inputs, summary: { policies: run.policies, mode: sim.mode, jobs: run.jobs }, result: sim };
}

export function recordSimulationRun(store: Store, clock: Clock, sim: { scenario: string; mode: string }, run: { inputs: unknown; policies: string[]; jobs: number }): Promise<string> {
  return recordRun(store, clock, simulationRun(sim, run));
}

/**
 * A request trace as a run's inputs name it: its size and a digest of exactly what was simulated,
 * so the same trace recorded again replaces its run and a different one of the same length does not.
 */
/**
 * What stands for a long input in a run's recorded inputs: its size and content hash, so two
 * different histories of the same length are two runs (a count alone made one replace the other).
 */
export function contentDigest(items: unknown[], noun: string): string {
  return `${items.length} ${noun}, sha256 ${createHash('sha256').update(canonicalJson(items)).digest('hex')}`;
}

export function workloadDigest(w: ServingWorkload): string {
  const h = createHash('sha256');
  for (const a of [w.arrivalS, w.contextTokens, w.generatedTokens, w.adapter]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return `${w.arrivalS.length} requests, sha256 ${h.digest('hex')}`;
}

/** A serving comparison (penny serving --save, POST /api/serving), recorded the same way wherever it ran. */
export function servingRun(json: ServingJson, inputs: unknown): RunInput {
  return { kind: 'serving', name: `${json.workload.name} · ${json.profile.model} on ${json.profile.gpusPerReplica} × ${json.profile.gpu}`, inputs, summary: servingRunSummary(json), result: json };
}

export function recordServingRun(store: Store, clock: Clock, json: ServingJson, inputs: unknown): Promise<string> {
  return recordRun(store, clock, servingRun(json, inputs));
}

/** The forecast as recorded: the forecast file plus the recent history the chart draws. */
export function forecastRecord(outcome: ForecastOutcome, maxHistory = 2000) {
  const s = outcome.result.series;
  const keep = Math.min(s.values.length, Math.max(outcome.json.points.length * 4, 168), maxHistory);
  const from = s.values.length - keep;
  const history = Array.from({ length: keep }, (_, k) => ({ t: new Date(slotTime(s, from + k)).toISOString(), value: s.values[from + k]!, filled: s.filled[from + k] === 1 }));
  const m = outcome.json.metrics as Record<string, unknown>;
  return {
    name: `${s.name} · ${outcome.json.source.split(/[\\/]/).pop()}`,
    summary: { model: outcome.json.model, unit: outcome.json.unit, interval: outcome.json.interval, horizon: outcome.json.points.length, mase: m.mase, baselineMase: m.baselineMase, coverageP10P90: m.coverageP10P90 },
    result: { ...outcome.json, historyValues: history },
  };
}
