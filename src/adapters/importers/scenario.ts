/** Scenario files (YAML or JSON) → validated core Scenario. */
import { scenarioSchema, type Scenario } from '../../core/model/scenario.js';
import { InvalidInput } from '../../core/errors.js';
import { MAX_SCENARIO_BYTES, readTextFile } from './input-file.js';
import { parseYaml, validateWith } from './yaml-doc.js';

export function parseScenario(text: string, file = '<scenario>'): Scenario {
  const parsed = parseYaml(text, file);
  if (parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    throw new InvalidInput(`${file}: a scenario is a mapping of fields (currency, period, resources, …)`, [{ path: '', file, line: 1, message: 'expected a mapping at the top level' }], 'See docs/scenario.md for an example.');
  }
  return validateWith(scenarioSchema, parsed, file, 'scenario');
}

export async function loadScenario(path: string): Promise<Scenario> {
  return parseScenario(await readTextFile(path, MAX_SCENARIO_BYTES, 'scenario'), path);
}

/** A scenario already parsed (a JSON request body): the same schema, field paths without lines. */
export function scenarioFromValue(value: unknown, file = 'request body'): Scenario {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidInput(`${file}: a scenario is a mapping of fields (currency, period, resources, …)`, [{ path: '', file, message: 'expected an object at the top level' }], 'See docs/scenario.md for an example.');
  }
  return validateWith(scenarioSchema, { value, locate: () => undefined }, file, 'scenario');
}
