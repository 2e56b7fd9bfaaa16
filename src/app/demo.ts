/**
 * Use case: build the demo workspace from the bundled example data and summarise it. Re-running
 * it records nothing twice: the scenario is stored once by content hash.
 */
import type { Scenario } from '../core/model/scenario.js';
import { costAndRecord } from './cost.js';
import type { Clock, Store } from './ports.js';
import { silentProgress } from './ports.js';
import { ingestNvidiaSmi, type TelemetryIo } from './telemetry.js';
import type { TelemetryStore } from './telemetry-ports.js';

export interface DemoInputs {
  scenario: Scenario;
  scenarioSource: string;
  /** The demo's nvidia-smi log and where to store it (GPU telemetry). */
  telemetry?: { store: TelemetryStore; io: TelemetryIo; file: string };
}

export async function buildDemo(store: Store, clock: Clock, inputs: DemoInputs) {
  const costed = await costAndRecord(store, clock, inputs.scenario, inputs.scenarioSource);
  const telemetry = inputs.telemetry && (await ingestNvidiaSmi(inputs.telemetry.store, clock, inputs.telemetry.io, inputs.telemetry.file, silentProgress));
  return { ...costed, topSavings: costed.savings.slice(0, 3), telemetry };
}
