/**
 * Penny's own catalog YAML: offerings a public table lacks (negotiated cloud prices, reserved or
 * committed rates) and on-prem server pools. docs/planner.md documents every field.
 */
import { z } from 'zod';
import { InvalidInput } from '../../core/errors.js';
import { normaliseGpu, offeringId, type Offering } from '../../core/catalog/offering.js';
import { currencyField, decimalField, nameField, numberField } from '../../core/model/fields.js';
import { Decimal } from '../../core/money.js';
import { MAX_SCENARIO_BYTES, readTextFile } from './input-file.js';
import { parseYaml, validateWith } from './yaml-doc.js';

const price = () => decimalField({ min: 0 });

export const offeringSchema = z
  .object({
    provider: nameField(),
    region: nameField().default('default'),
    instanceType: nameField(),
    gpu: nameField(),
    gpus: numberField({ min: 1, int: true }),
    vcpus: numberField({ min: 0 }).optional(),
    memoryGiB: numberField({ min: 0 }).optional(),
    onDemandUsdPerHour: price().optional(),
    spotUsdPerHour: price().optional(),
    reservedUsdPerHour: price().optional(),
    reservedMaxInstances: numberField({ min: 0, int: true }).optional(),
    powerW: numberField({ min: 0 }).optional(),
  })
  .strict()
  .refine((o) => o.onDemandUsdPerHour !== undefined || o.spotUsdPerHour !== undefined || o.reservedUsdPerHour !== undefined, {
    message: 'an offering needs at least one price: onDemandUsdPerHour, spotUsdPerHour or reservedUsdPerHour',
  });

export const onPremSchema = z
  .object({
    name: nameField(),
    region: nameField().default('on-prem'),
    gpu: nameField(),
    gpusPerServer: numberField({ min: 1, int: true }),
    servers: numberField({ min: 0, int: true }),
    /** Whole server at load, watts. */
    powerW: numberField({ min: 0 }),
    pue: numberField({ min: 1, max: 5 }).default(1.0),
    energyUsdPerKwh: price(),
    capexUsd: price().optional(),
  })
  .strict();

export const catalogSchema = z
  .object({
    catalog: nameField().optional(),
    /** The currency of every price in the file (default USD); a plan converts it with its exchange rates. */
    currency: currencyField().optional(),
    date: z.string().optional(),
    offerings: z.array(offeringSchema).default([]),
    onPrem: z.array(onPremSchema).default([]),
  })
  .strict();

export function offeringFromYaml(o: z.output<typeof offeringSchema>, source: string): Offering {
  return {
    id: offeringId(o.provider, o.region, o.instanceType),
    provider: o.provider,
    region: o.region,
    instanceType: o.instanceType,
    gpu: normaliseGpu(o.gpu),
    gpuCount: o.gpus,
    ...(o.vcpus !== undefined && { vcpus: o.vcpus }),
    ...(o.memoryGiB !== undefined && { memoryGiB: o.memoryGiB }),
    ...(o.onDemandUsdPerHour !== undefined && { onDemandUsdPerHour: o.onDemandUsdPerHour }),
    ...(o.spotUsdPerHour !== undefined && { spotUsdPerHour: o.spotUsdPerHour }),
    ...(o.reservedUsdPerHour !== undefined && { reservedUsdPerHour: o.reservedUsdPerHour }),
    ...(o.reservedMaxInstances !== undefined && { reservedMaxInstances: o.reservedMaxInstances }),
    ...(o.powerW !== undefined && { powerW: o.powerW }),
    source,
  };
}

/** An on-prem pool as an offering whose price is its marginal running cost (energy × PUE × price). */
export function onPremOffering(p: z.output<typeof onPremSchema>, source: string): Offering {
  const marginal = new Decimal(String(p.powerW)).div(1000).times(String(p.pue)).times(p.energyUsdPerKwh);
  return {
    id: offeringId('on-prem', p.region, p.name),
    provider: 'on-prem',
    region: p.region,
    instanceType: p.name,
    gpu: normaliseGpu(p.gpu),
    gpuCount: p.gpusPerServer,
    powerW: p.powerW,
    onPrem: { installed: p.servers, marginalUsdPerHour: marginal, pue: p.pue, energyUsdPerKwh: p.energyUsdPerKwh, ...(p.capexUsd !== undefined && { capexUsd: p.capexUsd }) },
    source,
  };
}

/** The offerings of a catalog YAML, their money fields in the file's `currency` (absent: unsaid, USD by default). */
export function parseCatalogYamlWithCurrency(text: string, file: string): { offerings: Offering[]; currency?: string } {
  const parsed = parseYaml(text, file);
  if (parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    throw new InvalidInput(`${file}: a catalog is a mapping with offerings and/or onPrem`, [{ path: '', file, line: 1, message: 'expected a mapping at the top level' }], 'See docs/planner.md, "Catalog YAML".');
  }
  const c = validateWith(catalogSchema, parsed, file, 'catalog');
  return { offerings: [...c.offerings.map((o) => offeringFromYaml(o, file)), ...c.onPrem.map((p) => onPremOffering(p, file))], ...(c.currency && { currency: c.currency }) };
}

export function parseCatalogYaml(text: string, file: string): Offering[] {
  return parseCatalogYamlWithCurrency(text, file).offerings;
}

export async function readCatalogYaml(path: string): Promise<{ offerings: Offering[]; currency?: string }> {
  return parseCatalogYamlWithCurrency(await readTextFile(path, MAX_SCENARIO_BYTES, 'catalog'), path);
}
