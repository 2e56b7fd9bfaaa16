/**
 * The result contracts are the ones the CLI prints and the API returns: each result a use case
 * builds validates against its schema in app/contracts.ts, carries its version, and a result that
 * breaks the contract is refused (the check can fail).
 */
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { forecastResultSchema, planResultSchema, runRecordSchema, SCHEMA_VERSIONS, servingResultSchema, simulationResultSchema } from './contracts.js';
import { replicaPrice, runServing, servingToJson } from './serving.js';
import { recordServingRun } from './runs.js';
import { builtinCatalog } from '../core/catalog/builtin.js';
import { seededRng } from '../core/rng.js';
import { deriveProfile } from '../core/serving/replica.js';
import { syntheticWorkload } from '../core/serving/workload.js';
import { planToJson } from './plan-json.js';
import { planCapacity } from './plan.js';
import { resultToJson } from './simulate-json.js';
import { runSimulation } from './simulate.js';
import { runForecast } from './forecast.js';
import { recordPlanRun } from './runs.js';
import { highsSolver } from '../adapters/solver/highs.js';
import { planScenarioFromText } from '../adapters/importers/plan-scenario.js';
import { loadSeries } from '../adapters/importers/series-source.js';
import { readJobTrace } from '../adapters/importers/jobs-csv.js';
import { loadSimScenario } from '../adapters/importers/sim-scenario.js';
import { openMemoryStore } from '../adapters/store/workspace.js';

const root = join(import.meta.dirname, '..', '..');
const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ strict: false, allErrors: true });
const check = (schema: object, value: unknown) => {
  const validate = ajv.compile(schema);
  return validate(JSON.parse(JSON.stringify(value))) ? [] : (validate.errors ?? []).map((e: { instancePath: string; message?: string }) => `${e.instancePath} ${e.message}`);
};

const PLAN_YAML = 'name: contract\ncatalogs: [builtin]\nperiodHours: 2\nclasses:\n  - { name: train, demand: [30, 30, 50, 10], gpus: { H100: 2, A100: 1 }, spotShare: 0.3 }\nspot: { availability: 0.9 }\n';

describe('result contracts', () => {
  it('a plan validates against the plan contract, at its version, and a broken one does not', async () => {
    const loaded = await planScenarioFromText(PLAN_YAML, 'contract.yaml');
    const r = await planCapacity(loaded.inputs, highsSolver(), { mipRelGap: 0.005, explain: false });
    const json = planToJson(r, loaded.catalogs);
    expect(json.schemaVersion).toBe(SCHEMA_VERSIONS.plan);
    expect(check(planResultSchema, json)).toEqual([]);
    const { totalUsd: _gone, ...broken } = json;
    expect(check(planResultSchema, broken).join()).toMatch(/totalUsd/);
    expect(check(planResultSchema, { ...json, totalUsd: 12.5 }).join()).toMatch(/totalUsd/);
    expect(check(planResultSchema, { ...json, schemaVersion: SCHEMA_VERSIONS.plan + 1 }).join()).toMatch(/schemaVersion/);

    // What a run records is the same contract, inside the run record's.
    const store = await openMemoryStore();
    try {
      const id = await recordPlanRun(store, { now: () => new Date('2026-12-01T00:00:00Z') }, json, { yaml: PLAN_YAML });
      const run = await store.getRun(id);
      expect(check(runRecordSchema, run)).toEqual([]);
      expect((run!.result as { schemaVersion: number }).schemaVersion).toBe(SCHEMA_VERSIONS.plan);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('a simulation validates against the simulation contract', async () => {
    const trace = await readJobTrace(join(root, 'examples', 'sim', 'jobs.csv'));
    const sim = runSimulation({ scenario: await loadSimScenario(join(root, 'examples', 'sim', 'cloud.yaml')), jobs: trace.jobs, hasTimes: trace.hasTimes, policies: ['fifo', 'backfill'], fill: false });
    const json = resultToJson(sim, trace.format) as { schemaVersion: number; policies: unknown[] };
    expect(json.schemaVersion).toBe(SCHEMA_VERSIONS.simulation);
    expect(check(simulationResultSchema, json)).toEqual([]);
    expect(check(simulationResultSchema, { ...json, policies: [{ policy: 'fifo' }] })).not.toEqual([]);
  }, 180_000);

  it('a forecast validates against the forecast contract', async () => {
    const { series } = await loadSeries(join(root, 'examples', 'demo', 'gpu-demand.csv'));
    const outcome = runForecast(series, { horizon: 24, source: 'gpu-demand.csv' });
    expect(outcome.json.schemaVersion).toBe(SCHEMA_VERSIONS.forecast);
    // A run records the forecast with the history it was fitted on.
    const recorded = { ...outcome.json, historyValues: [] };
    expect(check(forecastResultSchema, recorded)).toEqual([]);
    expect(check(forecastResultSchema, { ...recorded, points: [{ t: 'x', p50: 1 }] })).not.toEqual([]);
  }, 180_000);

  it('a serving comparison validates against the serving contract, and its run against the run record', async () => {
    const profile = deriveProfile('llama-3-8b', 'A100');
    const w = syntheticWorkload(seededRng(2), { durationS: 1200, ratePerS: 2, context: [100, 1500], generated: [10, 100] });
    const o = await runServing({ workload: w, profile, price: replicaPrice(builtinCatalog(), profile, 'aws')!, slo: { ttftS: 2, attainment: 0.99 }, intervalS: 60, autoscalers: ['fixed-peak', 'reactive'], balancers: ['round-robin'], solver: highsSolver() });
    const json = servingToJson(o);
    expect(json.schemaVersion).toBe(SCHEMA_VERSIONS.serving);
    expect(check(servingResultSchema, json)).toEqual([]);
    expect(check(servingResultSchema, { ...json, results: [{ balancer: 'round-robin' }] }).join()).toMatch(/results\/0/);
    expect(check(servingResultSchema, { ...json, schemaVersion: SCHEMA_VERSIONS.serving + 1 }).join()).toMatch(/schemaVersion/);
    const store = await openMemoryStore();
    try {
      const id = await recordServingRun(store, { now: () => new Date('2026-12-01T00:00:00Z') }, json, { test: 1 });
      const run = await store.getRun(id);
      expect(run!.kind).toBe('serving');
      expect(check(runRecordSchema, run)).toEqual([]);
      expect((run!.summary as { planUsd: string }).planUsd).toBe(json.plan!.result.costUsd.total);
    } finally {
      await store.close();
    }
  }, 180_000);
});
