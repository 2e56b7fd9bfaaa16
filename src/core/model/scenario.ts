/**
 * The scenario: what a user owns, rents and pays for, over a period. docs/scenario.md documents
 * every field; this schema is the single source of truth for validation (CLI, HTTP and tests).
 *
 * Conventions: money is in the scenario's `currency` and exact (Decimal); names carry units
 * (`powerW`, `pricePerHour`, `capacityTb`); a resource's prices are per unit of its `count`.
 */
import { z } from 'zod';
import { dec, type Decimal } from '../money.js';
import { currencyField, decimalField, describe, nameField, numberField } from './fields.js';

export const HOURS_PER_YEAR = 8760;
export const HOURS_PER_MONTH = HOURS_PER_YEAR / 12;
export const HOURS_PER_DAY = 24;

const nonNeg = () => decimalField({ min: 0 });
const positive = () => decimalField({ min: 0, exclusiveMin: true });
const optNonNeg = () => nonNeg().optional();

const usageSchema = z
  .object({
    hoursPerDay: decimalField({ min: 0, max: 24 }).optional(),
    days: decimalField({ min: 0 }).optional(),
    hours: decimalField({ min: 0 }).optional(),
    utilisation: decimalField({ min: 0, max: 1 }).optional(),
    busyHours: decimalField({ min: 0 }).optional(),
  })
  .strict()
  .superRefine((u, ctx) => {
    if (u.hours !== undefined && (u.hoursPerDay !== undefined || u.days !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['hours'], message: 'give either hours, or hoursPerDay and days, not both' });
    }
    if (u.utilisation !== undefined && u.busyHours !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['busyHours'], message: 'give either utilisation or busyHours, not both' });
    }
  });

const throughputSchema = z
  .object({
    value: positive(),
    unit: z.string().min(1).default('units/h'),
  })
  .strict();

const common = {
  name: nameField(),
  count: numberField({ min: 0, int: true }).default(1),
  usage: usageSchema.optional(),
  throughput: throughputSchema.optional(),
  gpus: numberField({ min: 0, int: true }).optional(),
  gpuType: z.string().min(1).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  /** FOCUS ResourceId/ResourceName values this resource is billed under: links its savings to budgets. */
  billedAs: z.array(z.string().min(1)).optional(),
  note: z.string().optional(),
};

const hardware = {
  purchasePrice: nonNeg(),
  lifetimeYears: decimalField({ min: 0, exclusiveMin: true }).optional(),
  maintenancePerYear: optNonNeg(),
  powerW: numberField({ min: 0 }).optional(),
  idlePowerW: numberField({ min: 0 }).optional(),
};

const server = z.object({ kind: z.literal('server'), ...common, ...hardware }).strict();
const gpu = z.object({ kind: z.literal('gpu'), ...common, ...hardware }).strict();

const instance = z
  .object({
    kind: z.literal('instance'),
    ...common,
    provider: z.string().optional(),
    region: z.string().optional(),
    pricePerHour: optNonNeg(),
    pricePerDay: optNonNeg(),
    pricePerMonth: optNonNeg(),
    spotPricePerHour: optNonNeg(),
    reservedPricePerHour: optNonNeg(),
    powerW: numberField({ min: 0 }).optional(),
  })
  .strict()
  .superRefine(exactlyOne(['pricePerHour', 'pricePerDay', 'pricePerMonth']));

const storage = z
  .object({
    kind: z.literal('storage'),
    ...common,
    tier: z.string().min(1).default('standard'),
    capacityTb: nonNeg(),
    pricePerTbMonth: optNonNeg(),
    purchasePricePerTb: optNonNeg(),
    lifetimeYears: decimalField({ min: 0, exclusiveMin: true }).optional(),
    maintenancePerYear: optNonNeg(),
    powerW: numberField({ min: 0 }).optional(),
    readTbPerMonth: numberField({ min: 0 }).optional(),
  })
  .strict()
  .superRefine(exactlyOne(['pricePerTbMonth', 'purchasePricePerTb']));

const network = z
  .object({
    kind: z.literal('network'),
    ...common,
    egressGb: optNonNeg(),
    pricePerGb: optNonNeg(),
    bandwidthGbps: optNonNeg(),
    pricePerGbps: optNonNeg(),
    pricePerGbpsMonth: optNonNeg(),
  })
  .strict()
  .superRefine((n, ctx) => {
    const egress = n.egressGb !== undefined || n.pricePerGb !== undefined;
    const bandwidth = n.bandwidthGbps !== undefined || n.pricePerGbps !== undefined || n.pricePerGbpsMonth !== undefined;
    if (!egress && !bandwidth) {
      ctx.addIssue({ code: 'custom', path: ['egressGb'], message: 'give egressGb with pricePerGb, or bandwidthGbps with pricePerGbps or pricePerGbpsMonth' });
    }
    if (egress) requireBoth(n, ctx, 'egressGb', 'pricePerGb');
    if (bandwidth) {
      if (n.bandwidthGbps === undefined) ctx.addIssue({ code: 'custom', path: ['bandwidthGbps'], message: 'required field is missing (a bandwidth price needs bandwidthGbps)' });
      exactlyOne(['pricePerGbps', 'pricePerGbpsMonth'])(n, ctx);
    }
  });

const software = z
  .object({
    kind: z.literal('software'),
    ...common,
    licence: z.enum(['per-seat', 'per-node', 'flat'], { error: (i) => `expected one of per-seat, per-node, flat, found ${describe(i.input)}` }).default('flat'),
    seats: numberField({ min: 0, int: true }).optional(),
    seatsUsed: numberField({ min: 0, int: true }).optional(),
    nodes: numberField({ min: 0, int: true }).optional(),
    pricePerYear: optNonNeg(),
    purchasePrice: optNonNeg(),
  })
  .strict()
  .superRefine(exactlyOne(['pricePerYear', 'purchasePrice']))
  .superRefine((s, ctx) => {
    if (s.licence === 'per-seat' && s.seats === undefined) ctx.addIssue({ code: 'custom', path: ['seats'], message: 'required field is missing (licence is per-seat)' });
    if (s.licence === 'per-node' && s.nodes === undefined) ctx.addIssue({ code: 'custom', path: ['nodes'], message: 'required field is missing (licence is per-node)' });
  });

const data = z
  .object({
    kind: z.literal('data'),
    ...common,
    quantityTb: optNonNeg(),
    pricePerTb: optNonNeg(),
    items: optNonNeg(),
    pricePerItem: optNonNeg(),
  })
  .strict()
  .superRefine((d, ctx) => {
    const tb = d.quantityTb !== undefined || d.pricePerTb !== undefined;
    const items = d.items !== undefined || d.pricePerItem !== undefined;
    if (tb === items) {
      ctx.addIssue({ code: 'custom', path: ['quantityTb'], message: 'give quantityTb with pricePerTb (data bought) or items with pricePerItem (labelling), one of the two' });
      return;
    }
    if (tb) requireBoth(d, ctx, 'quantityTb', 'pricePerTb');
    else requireBoth(d, ctx, 'items', 'pricePerItem');
  });

const staff = z
  .object({
    kind: z.literal('staff'),
    ...common,
    role: z.string().min(1).optional(),
    yearlyCost: nonNeg(),
  })
  .strict();

export const RESOURCE_KINDS = ['server', 'gpu', 'instance', 'storage', 'network', 'software', 'data', 'staff'] as const;

const resourceSchema = z.discriminatedUnion('kind', [server, gpu, instance, storage, network, software, data, staff], {
  error: (iss) =>
    iss.input && typeof iss.input === 'object' && 'kind' in iss.input
      ? `unknown resource kind ${describe((iss.input as { kind: unknown }).kind)}; expected one of ${RESOURCE_KINDS.join(', ')}`
      : `expected a resource with a kind (${RESOURCE_KINDS.join(', ')}), found ${describe(iss.input)}`,
});

const periodSchema = z
  .object({
    hours: numberField({ min: 0, exclusiveMin: true }).optional(),
    days: numberField({ min: 0, exclusiveMin: true }).optional(),
    months: numberField({ min: 0, exclusiveMin: true }).optional(),
    years: numberField({ min: 0, exclusiveMin: true }).optional(),
  })
  .strict()
  .superRefine(exactlyOne(['hours', 'days', 'months', 'years']));

export const scenarioSchema = z
  .object({
    version: z.literal(1).default(1),
    name: nameField().default('scenario'),
    description: z.string().optional(),
    currency: currencyField().default('USD'),
    period: periodSchema.default({ years: 1 }),
    capex: z.enum(['amortise', 'expense'], { error: (i) => `expected amortise or expense, found ${describe(i.input)}` }).default('amortise'),
    electricity: z
      .object({ pricePerKwh: nonNeg(), pue: numberField({ min: 1, max: 5 }).default(1) })
      .strict()
      .optional(),
    resources: z.array(resourceSchema, { error: (i) => `expected a list of resources, found ${describe(i.input)}` }).min(1, 'a scenario needs at least one resource'),
  })
  .strict()
  .superRefine((s, ctx) => {
    const seen = new Map<string, number>();
    s.resources.forEach((r, i) => {
      const first = seen.get(r.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['resources', i, 'name'], message: `duplicate resource name ${JSON.stringify(r.name)} (also resources[${first}])` });
      else seen.set(r.name, i);
    });
    const periodHours = periodToHours(s.period);
    s.resources.forEach((r, i) => {
      if ('powerW' in r && r.powerW !== undefined && r.powerW > 0 && !s.electricity && r.kind !== 'instance') {
        ctx.addIssue({ code: 'custom', path: ['electricity'], message: `resources[${i}] (${r.name}) draws power, so the scenario needs electricity.pricePerKwh (and pue)` });
      }
      if (r.usage && usageHours(r.usage, periodHours).gt(periodHours)) {
        ctx.addIssue({ code: 'custom', path: ['resources', i, 'usage'], message: `usage of ${usageHours(r.usage, periodHours)} h exceeds the period of ${periodHours} h` });
      }
      if (r.usage?.busyHours !== undefined && r.usage.busyHours.gt(usageHours(r.usage, periodHours))) {
        ctx.addIssue({ code: 'custom', path: ['resources', i, 'usage', 'busyHours'], message: `busyHours exceeds the hours the resource is on (${usageHours(r.usage, periodHours)} h)` });
      }
    });
  });

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;
export type Resource = Scenario['resources'][number];
export type ResourceKind = Resource['kind'];
export type Usage = z.output<typeof usageSchema>;
export type Period = z.output<typeof periodSchema>;

export function periodToHours(p: Period): number {
  if (p.hours !== undefined) return p.hours;
  if (p.days !== undefined) return p.days * HOURS_PER_DAY;
  if (p.months !== undefined) return p.months * HOURS_PER_MONTH;
  return (p.years ?? 1) * HOURS_PER_YEAR;
}

/** Hours a resource is switched on (available) in the period; the whole period by default. */
export function usageHours(u: Usage | undefined, periodHours: number): Decimal {
  if (!u) return dec(periodHours);
  if (u.hours !== undefined) return u.hours;
  if (u.hoursPerDay === undefined && u.days === undefined) return dec(periodHours);
  return (u.hoursPerDay ?? dec(24)).times(u.days ?? dec(periodHours).div(HOURS_PER_DAY));
}

/** Busy hours; utilisation 1 when the scenario does not say (everything on counts as used). */
export function busyHours(u: Usage | undefined, periodHours: number): Decimal {
  const on = usageHours(u, periodHours);
  if (u?.busyHours !== undefined) return u.busyHours;
  return on.times(u?.utilisation ?? 1);
}

export function hasMeasuredUtilisation(u: Usage | undefined): boolean {
  return u?.utilisation !== undefined || u?.busyHours !== undefined;
}

function exactlyOne(keys: string[]) {
  return (obj: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const given = keys.filter((k) => obj[k] !== undefined);
    if (given.length === 0) ctx.addIssue({ code: 'custom', path: [keys[0]!], message: `required field is missing: give one of ${keys.join(', ')}` });
    else if (given.length > 1) ctx.addIssue({ code: 'custom', path: [given[1]!], message: `give only one of ${given.join(', ')}` });
  };
}

function requireBoth(obj: Record<string, unknown>, ctx: z.RefinementCtx, a: string, b: string) {
  for (const k of [a, b]) {
    if (obj[k] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: `required field is missing (${a} goes with ${b})` });
  }
}

export type { Decimal };
