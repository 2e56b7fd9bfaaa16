/** Simulation scenario files (YAML or JSON) → validated core SimScenario, spot traces read. */
import { dirname, resolve } from 'node:path';
import { InvalidInput } from '../../core/errors.js';
import type { SpotTrace } from '../../core/model/spot.js';
import { FROM_PLAN_TRACE, simScenarioSchema, toSimScenario, type SimScenario } from '../../core/sim/scenario.js';
import { MAX_SCENARIO_BYTES, readTextFile } from './input-file.js';
import { readSpotTrace } from './spot-trace.js';
import { parseYaml, validateWith } from './yaml-doc.js';

export async function parseSimScenario(text: string, file = '<simulation scenario>'): Promise<SimScenario> {
  const parsed = parseYaml(text, file);
  if (parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    throw new InvalidInput(`${file}: a simulation scenario is a mapping of fields (name, currency, pools, …)`, [{ path: '', file, line: 1, message: 'expected a mapping at the top level' }], 'See docs/simulator.md for an example.');
  }
  let doc;
  try {
    doc = validateWith(simScenarioSchema, parsed, file, 'simulation scenario');
  } catch (e) {
    if (e instanceof InvalidInput) throw new InvalidInput(e.message, e.issues, 'Fix the fields named above; docs/simulator.md describes each one.');
    throw e;
  }
  const traces: Record<string, SpotTrace> = {};
  for (const [i, p] of (doc.pools ?? []).entries()) {
    if (!p.spot?.trace) continue;
    const path = resolve(dirname(file), p.spot.trace);
    try {
      traces[p.name] = await readSpotTrace(path);
    } catch (e) {
      if (!(e instanceof InvalidInput)) throw e;
      const pos = parsed.locate(['pools', i, 'spot', 'trace']);
      throw new InvalidInput(`${file}: pools[${i}].spot.trace: ${e.message}`, [{ path: `pools[${i}].spot.trace`, file, ...(pos && { line: pos.line, column: pos.column }), message: e.message }, ...e.issues], 'The path is relative to the scenario file; a spot trace is SkyPilot spot-traces JSON.');
    }
  }
  const planTrace = doc.fromPlan?.spot?.trace;
  if (planTrace) {
    try {
      traces[FROM_PLAN_TRACE] = await readSpotTrace(resolve(dirname(file), planTrace));
    } catch (e) {
      if (!(e instanceof InvalidInput)) throw e;
      const pos = parsed.locate(['fromPlan', 'spot', 'trace']);
      throw new InvalidInput(`${file}: fromPlan.spot.trace: ${e.message}`, [{ path: 'fromPlan.spot.trace', file, ...(pos && { line: pos.line, column: pos.column }), message: e.message }, ...e.issues], 'The path is relative to the scenario file; a spot trace is SkyPilot spot-traces JSON.');
    }
  }
  return toSimScenario(doc, traces);
}

export async function loadSimScenario(path: string): Promise<SimScenario> {
  return parseSimScenario(await readTextFile(path, MAX_SCENARIO_BYTES, 'simulation scenario'), path);
}
