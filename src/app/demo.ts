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

export interface DemoInputs {
  scenario: Scenario;
  scenarioSource: string;
  /** GPU demand history to forecast a week ahead (examples/demo/gpu-demand.csv). */
  demand?: { series: Series; source: string };
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
  return { ...costed, topSavings: costed.savings.slice(0, 3), forecast };
}
