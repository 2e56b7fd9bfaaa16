/**
 * Use case: build the demo workspace from the bundled example data and summarise it. Re-running
 * it records nothing twice: the scenario is stored once by content hash, runs once by inputs.
 */
import type { Series } from '../core/forecast/series.js';
import type { Scenario } from '../core/model/scenario.js';
import { costAndRecord } from './cost.js';
import { runForecast } from './forecast.js';
import type { Clock, Store } from './ports.js';
import { forecastRecord, recordRun } from './runs.js';
import type { BillingStore } from './billing-ports.js';
import { budgetStatuses, ingestFocus, setBudget, type FocusSource } from './billing.js';
import { silentProgress } from './ports.js';
import { ingestNvidiaSmi, type TelemetryIo } from './telemetry.js';
import type { TelemetryStore } from './telemetry-ports.js';

export interface DemoInputs {
  scenario: Scenario;
  scenarioSource: string;
  /** GPU demand history to forecast a week ahead (examples/demo/gpu-demand.csv). */
  demand?: { series: Series; source: string };
  /** A FOCUS bill (examples/demo/billing-focus.csv) and a monthly budget it is forecast to overrun. */
  billing?: { store: BillingStore; path: string; source: FocusSource; budgetUsd: string };
  /** The demo's nvidia-smi log and where to store it (GPU telemetry). */
  telemetry?: { store: TelemetryStore; io: TelemetryIo; file: string };
}

export async function buildDemo(store: Store, clock: Clock, inputs: DemoInputs) {
  const costed = await costAndRecord(store, clock, inputs.scenario, inputs.scenarioSource);
  let forecast;
  if (inputs.demand) {
    const outcome = runForecast(inputs.demand.series, { horizon: 168, source: inputs.demand.source });
    const rec = forecastRecord(outcome);
    await recordRun(store, clock, { kind: 'forecast', name: rec.name, inputs: { demo: inputs.demand.source }, summary: rec.summary, result: rec.result });
    forecast = outcome.json;
  }
  const telemetry = inputs.telemetry && (await ingestNvidiaSmi(inputs.telemetry.store, clock, inputs.telemetry.io, inputs.telemetry.file, silentProgress));
  let budgets;
  if (inputs.billing) {
    const b = inputs.billing;
    await ingestFocus(b.store, clock, b.path, b.source);
    if (!(await b.store.listBudgets()).some((x) => x.name === 'ai-cloud')) {
      await setBudget(b.store, clock, { name: 'ai-cloud', amount: b.budgetUsd, currency: 'USD', period: 'month', scope: { kind: 'all' }, thresholds: [50, 80, 100] });
    }
    budgets = await budgetStatuses(store, b.store, inputs.telemetry ? { telemetry: inputs.telemetry.store } : {});
  }
  return { ...costed, topSavings: costed.savings.slice(0, 3), forecast, budgets, telemetry };
}
