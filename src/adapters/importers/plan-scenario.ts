/**
 * The plan scenario YAML (docs/planner.md documents every field): horizon, workload classes with
 * demand and the GPU types they may use, catalogs, on-prem pools, reserved offers, quotas, budget,
 * spot availability. Validated with zod; errors carry file:line and the field path. Paths inside
 * are relative to the scenario file.
 */
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { InvalidInput, type Issue } from '../../core/errors.js';
import { normaliseGpu, validateOfferings, type Commitment, type Offering } from '../../core/catalog/offering.js';
import { Decimal } from '../../core/money.js';
import { mergeCatalogs } from '../../core/catalog/query.js';
import { currencyField, decimalField, nameField, numberField } from '../../core/model/fields.js';
import type { PlanInputs, WorkloadClass } from '../../core/planner/inputs.js';
import { periodAvailability } from '../../core/planner/spot.js';
import { offeringFromYaml, offeringSchema, onPremOffering, onPremSchema } from './catalog-yaml.js';
import { readCatalogDated } from './catalog-source.js';
import type { CatalogDate } from '../../core/catalog/age.js';
import { missingRateHint, offeringsToUsd, usdPer, type PlanRates } from '../../core/catalog/currency.js';
import { readDemandCsv, readForecastDemand } from './demand-csv.js';
import { MAX_SCENARIO_BYTES, readTextFile } from './input-file.js';
import { readSpotTrace } from './spot-trace.js';
import { spotCapacity } from '../../core/model/spot.js';
import { parseYaml, validateWith, type ParsedYaml } from './yaml-doc.js';

/** The most work units one class may demand in a period: well inside a double's exact integers. */
const MAX_DEMAND = 1e15;

const demandSchema = z.union([
  z.array(numberField({ min: 0 })).min(1),
  z.object({ csv: z.string().min(1), column: z.string().min(1) }).strict(),
  z.object({ forecast: z.string().min(1), quantile: z.enum(['p10', 'p50', 'p90']).default('p50') }).strict(),
], { error: 'expected a list of numbers, { csv: FILE, column: NAME } or { forecast: FILE, quantile: p10|p50|p90 }' });

const classSchema = z
  .object({
    name: nameField(),
    demand: demandSchema,
    /** GPU type → work units per GPU-hour (throughput factor f[c,g]). */
    // At most 10^6 work units per GPU-hour (a million A100s in one GPU): the solver's coefficients
    // reach its infinity, 10^20, long before any real ratio.
    gpus: z.record(z.string().min(1), numberField({ min: 0, exclusiveMin: true, max: 1e6 })).refine((r) => Object.keys(r).length > 0, 'list at least one GPU type'),
    spotShare: numberField({ min: 0, max: 1 }).default(0),
    regions: z.array(z.string().min(1)).min(1).optional(),
    data: z.object({ region: z.string().min(1), gbPerWorkUnit: numberField({ min: 0 }), egressUsdPerGb: decimalField({ min: 0 }) }).strict().optional(),
  })
  .strict();

export const planScenarioSchema = z
  .object({
    name: nameField().optional(),
    currency: currencyField().default('USD'),
    periodHours: numberField({ min: 0, exclusiveMin: true }).default(1),
    periods: numberField({ min: 1, int: true }).optional(),
    /** A reference, or { path, currency } for a file whose prices are in another currency than it says (a CSV says none: USD). */
    catalogs: z.array(z.union([z.string().min(1), z.object({ path: z.string().min(1), currency: currencyField() }).strict()])).default(['builtin']),
    offerings: z.array(offeringSchema).default([]),
    onPrem: z.array(onPremSchema).default([]),
    reserved: z.array(z.object({ offering: z.string().min(1), usdPerHour: decimalField({ min: 0 }), maxInstances: numberField({ min: 0, int: true }).optional() }).strict()).default([]),
    commitments: z
      .array(
        z
          .object({
            offering: z.string().min(1),
            name: z.string().min(1).optional(),
            termYears: numberField({ min: 1, max: 3, int: true }).refine((n) => n === 1 || n === 3, 'termYears is 1 or 3 (the terms clouds sell)'),
            payment: z.enum(['none', 'partial', 'all']),
            upfrontUsd: decimalField({ min: 0 }).optional(),
            usdPerHour: decimalField({ min: 0 }).optional(),
            maxInstances: numberField({ min: 0, int: true }).optional(),
          })
          .strict()
          .superRefine((c, ctx) => {
            const up = c.upfrontUsd !== undefined && !c.upfrontUsd.isZero();
            const hourly = c.usdPerHour !== undefined && !c.usdPerHour.isZero();
            const need = { none: [false, true], partial: [true, true], all: [true, false] }[c.payment];
            if (need[0] !== up) ctx.addIssue({ code: 'custom', path: ['upfrontUsd'], message: need[0] ? `payment ${c.payment} needs an upfrontUsd above 0 (per instance)` : `payment ${c.payment} has no upfront; remove upfrontUsd or use payment: partial` });
            if (need[1] !== hourly) ctx.addIssue({ code: 'custom', path: ['usdPerHour'], message: need[1] ? `payment ${c.payment} needs a usdPerHour above 0 (per instance-hour)` : `payment all has no hourly rate; remove usdPerHour or use payment: partial` });
          }),
      )
      .default([]),
    savingsPlans: z
      .array(
        z
          .object({
            name: nameField(),
            provider: z.string().min(1),
            regions: z.array(z.string().min(1)).min(1).optional(),
            gpus: z.array(z.string().min(1)).min(1).optional(),
            termYears: numberField({ min: 1, max: 3, int: true }).refine((n) => n === 1 || n === 3, 'termYears is 1 or 3 (the terms clouds sell)'),
            payment: z.enum(['none', 'partial', 'all']),
            discount: numberField({ min: 0, max: 1, exclusiveMin: true }),
            maxUsdPerHour: numberField({ min: 0 }).optional(),
          })
          .strict(),
      )
      .default([]),
    classes: z.array(classSchema).min(1),
    spot: z
      .object({
        availability: numberField({ min: 0, max: 1 }).default(1),
        traces: z
          .array(
            z
              .object({
                match: z.string().min(1),
                file: z.string().min(1),
                startS: numberField({ min: 0 }).default(0),
                // How the trace's values are read (docs/simulator.md weighs the evidence).
                values: z.enum(['available', 'preempted'], { error: 'expected available or preempted' }).default('available'),
              })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .default({ availability: 1, traces: [] }),
    quotas: z
      .object({
        offerings: z.record(z.string(), numberField({ min: 0, int: true })).default({}),
        groups: z.array(z.object({ provider: z.string().min(1), region: z.string().min(1).optional(), maxGpus: numberField({ min: 0, int: true }) }).strict()).default([]),
      })
      .strict()
      .default({ offerings: {}, groups: [] }),
    budgetUsd: decimalField({ min: 0 }).optional(),
    allow: z.object({ onDemand: z.boolean().default(true), spot: z.boolean().default(true), reserved: z.boolean().default(true), onPrem: z.boolean().default(true) }).strict().optional(),
    /** Units of `currency` per unit of each listed currency: { USD: 0.92 } for EUR. */
    exchangeRates: z.record(z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD'), decimalField({ min: 0, exclusiveMin: true })).optional(),
  })
  .strict()
  .refine((s) => s.currency === 'USD' || s.exchangeRates?.USD !== undefined, {
    message: 'a plan in another currency than USD needs the rate from USD: exchangeRates: { USD: <units of the currency per US dollar> } (catalog prices are USD)',
    path: ['currency'],
  });

export type PlanScenario = z.output<typeof planScenarioSchema>;

export interface LoadedPlan {
  inputs: PlanInputs;
  catalogs: string[];
  /** When each catalog's prices were taken (for the price-age warning). */
  catalogDates: CatalogDate[];
  /** The currency the plan is reported in, and its units per US dollar (1 for USD). */
  currency: { code: string; perUsd: Decimal };
  file: string;
}

function issueAt(parsed: ParsedYaml, file: string, path: (string | number)[], message: string, found?: string): Issue {
  const pos = parsed.locate(path);
  return { file, ...(pos && { line: pos.line, column: pos.column }), path: path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join(''), message, ...(found !== undefined && { found }) };
}

export interface PlanOverrides {
  /** Replace the scenario's catalogs (references, relative to the working directory). */
  catalogs?: string[];
  /** The currency of those catalogs' prices where a file does not say (CSV); converted with the scenario's rates. */
  catalogCurrency?: string;
}

export async function loadPlanScenario(file: string, overrides: PlanOverrides = {}): Promise<LoadedPlan> {
  return planScenarioFromText(await readTextFile(file, MAX_SCENARIO_BYTES, 'plan scenario'), file, overrides);
}

/** A plan scenario from its text; `file` names it in messages and anchors relative paths. */
export async function planScenarioFromText(text: string, file: string, overrides: PlanOverrides = {}): Promise<LoadedPlan> {
  const parsed = parseYaml(text, file);
  if (parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    throw new InvalidInput(`${file}: a plan scenario is a mapping (periodHours, classes, catalogs, …)`, [{ path: '', file, line: 1, message: 'expected a mapping at the top level' }], 'See docs/planner.md for an example.');
  }
  const s = validateWith(planScenarioSchema, parsed, file, 'plan scenario');
  const dir = dirname(file);
  const rel = (p: string) => (p === 'builtin' ? p : resolve(dir, p));
  const entries = overrides.catalogs ? overrides.catalogs.map((path) => ({ path, ...(overrides.catalogCurrency && { currency: overrides.catalogCurrency }) })) : s.catalogs.map((c) => (typeof c === 'string' ? { path: c } : c));
  const catalogs = entries.map((e) => e.path);
  const rates: PlanRates = { code: s.currency, rates: s.exchangeRates ?? {} };
  const lists: Offering[][] = [];
  const catalogDates: CatalogDate[] = [];
  const currencyIssues: Issue[] = [];
  for (const [i, e] of entries.entries()) {
    const read = await readCatalogDated(overrides.catalogs ? e.path : rel(e.path));
    const at = overrides.catalogs ? { file: '--catalog-currency', path: e.path } : undefined;
    const said = read.currency;
    if ('currency' in e && e.currency && said && e.currency !== said) {
      const msg = `the catalog says its prices are in ${said}, not ${e.currency}`;
      currencyIssues.push(at ? { ...at, message: msg } : issueAt(parsed, file, ['catalogs', i, 'currency'], msg, e.currency));
      continue;
    }
    const ccy = said ?? ('currency' in e && e.currency ? e.currency : 'USD');
    if (!usdPer(ccy, rates)) {
      const msg = `prices in ${ccy} need ${missingRateHint(ccy, rates)} (units of ${rates.code} per unit of each currency)`;
      currencyIssues.push(at ? { ...at, message: msg } : issueAt(parsed, file, ['catalogs', i], msg, e.path));
      continue;
    }
    lists.push(offeringsToUsd(read.offerings, ccy, rates, { file, path: `catalogs[${i}]` }));
    for (const d of read.dates) catalogDates.push({ ...d, ref: e.path });
  }
  if (currencyIssues.length) throw new InvalidInput(`${file}: a catalog's prices cannot be converted to USD`, currencyIssues, `Add the rates to the scenario's exchangeRates (units of ${rates.code} per unit of each currency), or fix the catalog's currency.`);
  lists.push(s.offerings.map((o) => offeringFromYaml(o, file)));
  lists.push(s.onPrem.map((p) => onPremOffering(p, file)));
  let offerings = mergeCatalogs(...lists);
  validateOfferings(offerings, file);

  const issues: Issue[] = [];
  const ids = new Set(offerings.map((o) => o.id));
  const unknownId = (path: (string | number)[], id: string) => issues.push(issueAt(parsed, file, path, 'no offering with this id in the catalogs (ids are provider/region/instanceType; `penny catalog --json` lists them)', JSON.stringify(id)));
  s.reserved.forEach((r, i) => {
    if (!ids.has(r.offering)) unknownId(['reserved', i, 'offering'], r.offering);
  });
  offerings = offerings.map((o) => {
    const r = s.reserved.find((x) => x.offering === o.id);
    return r ? { ...o, reservedUsdPerHour: r.usdPerHour, ...(r.maxInstances !== undefined && { reservedMaxInstances: r.maxInstances }) } : o;
  });
  s.commitments.forEach((c, i) => {
    if (!ids.has(c.offering)) unknownId(['commitments', i, 'offering'], c.offering);
  });
  const paymentName = { none: 'no upfront', partial: 'partial upfront', all: 'all upfront' } as const;
  const commitments = new Map<string, Commitment[]>();
  s.commitments.forEach((c, i) => {
    const list = commitments.get(c.offering) ?? [];
    const name = c.name ?? `${c.termYears}-year reservation, ${paymentName[c.payment]}`;
    if (list.some((x) => x.name === name)) issues.push(issueAt(parsed, file, ['commitments', i], 'a second commitment of the same term and payment on this offering; give each a distinct name', JSON.stringify(name)));
    list.push({ name, termYears: c.termYears, payment: c.payment, upfrontUsd: c.upfrontUsd ?? new Decimal(0), usdPerHour: c.usdPerHour ?? new Decimal(0), ...(c.maxInstances !== undefined && { maxInstances: c.maxInstances }) });
    commitments.set(c.offering, list);
  });
  offerings = offerings.map((o) => (commitments.has(o.id) ? { ...o, commitments: [...(o.commitments ?? []), ...commitments.get(o.id)!] } : o));
  for (const id of Object.keys(s.quotas.offerings)) if (!ids.has(id)) unknownId(['quotas', 'offerings', id], id);

  // Demand series.
  const demands: number[][] = [];
  for (let i = 0; i < s.classes.length; i++) {
    const d = s.classes[i]!.demand;
    if (Array.isArray(d)) demands.push(d);
    else if ('csv' in d) demands.push(await readDemandCsv(rel(d.csv), d.column));
    else demands.push(await readForecastDemand(rel(d.forecast), d.quantile));
  }
  const T = s.periods ?? Math.max(...demands.map((d) => d.length));
  demands.forEach((d, i) => {
    if (d.length < T) issues.push(issueAt(parsed, file, ['classes', i, 'demand'], `demand has ${d.length} periods; the horizon has ${T}`, `${d.length} values`));
    // Demand is a bound of the solver's rows: from 10^20 it is infinite there (the solve failed as
    // an internal error), and above 2^53 doubles lose whole work units. Checked here, whatever the
    // source (inline, CSV, forecast), so the message names the class.
    const t = d.findIndex((v) => v > MAX_DEMAND);
    if (t >= 0) issues.push(issueAt(parsed, file, ['classes', i, 'demand'], `period ${t}: ${d[t]} work units; at most 10^15 a period (the solver works in doubles)`, String(d[t])));
  });
  if (issues.length) throw new InvalidInput(`${file}: ${issues.length} problem${issues.length > 1 ? 's' : ''} in the plan scenario`, issues, 'Fix the fields named above; docs/planner.md describes each one.');

  const classes: WorkloadClass[] = s.classes.map((c, i) => ({
    name: c.name,
    demand: demands[i]!.slice(0, T),
    throughput: Object.fromEntries(Object.entries(c.gpus).map(([g, f]) => [normaliseGpu(g), f])),
    spotShare: c.spotShare,
    ...(c.regions && { regions: c.regions }),
    ...(c.data && { data: c.data }),
  }));

  const byOffering: Record<string, number[]> = {};
  for (const tr of s.spot.traces) {
    const trace = spotCapacity(await readSpotTrace(rel(tr.file)), tr.values);
    const avail = periodAvailability(trace, T, s.periodHours, tr.startS);
    for (const o of offerings) if (o.spotUsdPerHour && (o.id === tr.match || o.id.startsWith(`${tr.match}/`) || o.provider === tr.match)) byOffering[o.id] = avail;
  }

  const allow = s.allow;
  const inputs: PlanInputs = {
    name: s.name ?? file.replace(/^.*\//, '').replace(/\.ya?ml$/, ''),
    periodHours: s.periodHours,
    periods: T,
    classes,
    offerings,
    spot: { defaultAvailability: s.spot.availability, byOffering },
    offeringQuota: s.quotas.offerings,
    groupQuotas: s.quotas.groups.map((g) => ({ provider: g.provider, ...(g.region && { region: g.region }), maxGpus: g.maxGpus })),
    ...(s.budgetUsd !== undefined && { budgetUsd: s.budgetUsd }),
    ...(s.savingsPlans.length && { savingsPlans: s.savingsPlans.map((p) => ({ ...p, ...(p.gpus && { gpus: p.gpus.map(normaliseGpu) }) })) }),
    ...(allow && { allow: { 'on-demand': allow.onDemand, spot: allow.spot, reserved: allow.reserved, 'on-prem': allow.onPrem } }),
  };
  const currency = { code: s.currency, perUsd: s.currency === 'USD' ? new Decimal(1) : s.exchangeRates!.USD! };
  return { inputs, catalogs, catalogDates, currency, file };
}
