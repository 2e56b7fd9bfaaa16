/** Use case: cost a scenario, optionally recording it in the store. */
import { createHash } from 'node:crypto';
import { computeTco, costReportToJson, type CostReport, type TcoOptions } from '../core/cost/tco.js';
import { recommendationToJson, totalSaving, scenarioSavings, type Recommendation } from '../core/finops/scenario-savings.js';
import type { Scenario } from '../core/model/scenario.js';
import { InvalidInput } from '../core/errors.js';
import { Decimal } from '../core/money.js';
import type { Clock, Store } from './ports.js';

const RECORDABLE = new Decimal(10).pow(26);

export interface CostResult {
  report: CostReport;
  savings: Recommendation[];
}

export function costScenario(scenario: Scenario, opts: TcoOptions = {}): CostResult {
  return { report: computeTco(scenario, opts), savings: scenarioSavings(scenario) };
}

/** The report and its savings as exact JSON: what the CLI prints with --json and the API returns. */
export function costResultToJson(r: CostResult) {
  return { ...costReportToJson(r.report), savings: r.savings.map(recommendationToJson), savingsTotal: totalSaving(r.savings).toFixed() };
}

export function scenarioHash(scenario: Scenario): string {
  return createHash('sha256').update(canonicalJson(scenario)).digest('hex');
}

/** JSON with sorted keys, so equal scenarios hash equally whatever their field order. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, val) => {
    if (val && typeof val === 'object' && !Array.isArray(val) && val.constructor === Object) {
      return Object.fromEntries(Object.keys(val).sort().map((k) => [k, (val as Record<string, unknown>)[k]]));
    }
    return val;
  });
}

/** Cost a scenario and record scenario + report in one transaction. */
export async function costAndRecord(store: Store, clock: Clock, scenario: Scenario, source: string, opts: TcoOptions = {}) {
  const result = costScenario(scenario, opts);
  // The store keeps a report's total as DECIMAL(38, 12): 26 digits before the point. A larger
  // total comes from amounts no real scenario has (a price in the wrong unit): bad input, said
  // here, not a failed write in the store.
  const total = result.report.total;
  if (total.abs().gte(RECORDABLE)) {
    const shown = total.toSignificantDigits(6).toString();
    throw new InvalidInput(`${scenario.name}: the total cost ${shown} ${scenario.currency} is too large to record (below 10^26)`, [{ path: 'resources', message: 'total cost too large to record', expected: 'a total below 10^26', found: shown }], 'Check the prices and counts in the scenario (a price in the wrong unit?); penny cost without --save still shows the report.');
  }
  const createdAt = clock.now().toISOString();
  const ids = await store.transaction(async (tx) => {
    const { id: scenarioId } = await tx.saveScenario({ name: scenario.name, source, scenario, contentHash: scenarioHash(scenario), createdAt });
    const reportId = await tx.saveCostReport({ scenarioId, report: result.report, json: costResultToJson(result), createdAt });
    return { scenarioId, reportId };
  });
  return { ...result, ...ids };
}
