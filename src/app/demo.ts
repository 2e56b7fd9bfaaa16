/**
 * Use case: build the demo workspace from the bundled example data and summarise it. Re-running
 * it records nothing twice: the scenario is stored once by content hash.
 */
import type { Scenario } from '../core/model/scenario.js';
import { costAndRecord } from './cost.js';
import type { Clock, Store } from './ports.js';

export interface DemoInputs {
  scenario: Scenario;
  scenarioSource: string;
}

export async function buildDemo(store: Store, clock: Clock, inputs: DemoInputs) {
  const costed = await costAndRecord(store, clock, inputs.scenario, inputs.scenarioSource);
  return { ...costed, topSavings: costed.savings.slice(0, 3) };
}
