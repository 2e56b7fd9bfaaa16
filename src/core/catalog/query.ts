/** Queries over offerings. Pure: inputs are never mutated; results are new arrays. */
import { Decimal } from '../money.js';
import type { Offering } from './offering.js';

export type PriceModel = 'on-demand' | 'spot' | 'reserved' | 'on-prem';

export interface CatalogFilter {
  gpu?: string[];
  minGpus?: number;
  provider?: string[];
  region?: string[];
  /** Only offerings with a spot price; prices shown are spot prices. */
  spot?: boolean;
}

/** The hourly price of an offering bought one way, or undefined if it cannot be bought so. */
export function priceOf(o: Offering, model: PriceModel): Decimal | undefined {
  switch (model) {
    case 'on-demand':
      return o.onDemandUsdPerHour;
    case 'spot':
      return o.spotUsdPerHour;
    case 'reserved':
      return o.reservedUsdPerHour;
    case 'on-prem':
      return o.onPrem?.marginalUsdPerHour;
  }
}

const eq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Offerings matching a filter (GPU type, minimum GPUs per instance, provider, region, spot). */
export function compatible(offerings: readonly Offering[], f: CatalogFilter): Offering[] {
  return offerings.filter(
    (o) =>
      (!f.gpu?.length || f.gpu.some((g) => eq(g, o.gpu))) &&
      (f.minGpus === undefined || o.gpuCount >= f.minGpus) &&
      (!f.provider?.length || f.provider.some((p) => eq(p, o.provider))) &&
      (!f.region?.length || f.region.some((r) => eq(r, o.region))) &&
      (!f.spot || o.spotUsdPerHour !== undefined),
  );
}

export type SortKey = 'price' | 'price-per-gpu';

/** Cheapest first by instance price or by price per GPU-hour; ties broken by id, so order is total. */
export function orderByPrice(offerings: readonly Offering[], model: PriceModel = 'on-demand', key: SortKey = 'price'): Offering[] {
  const priced = offerings.filter((o) => priceOf(o, model) !== undefined);
  const k = (o: Offering) => (key === 'price' ? priceOf(o, model)! : priceOf(o, model)!.div(o.gpuCount));
  return [...priced].sort((a, b) => k(a).comparedTo(k(b)) || a.gpuCount - b.gpuCount || a.id.localeCompare(b.id));
}

/** The cheapest offering by price per GPU-hour, or undefined when none is priced that way. */
export function cheapest(offerings: readonly Offering[], model: PriceModel = 'on-demand'): Offering | undefined {
  return orderByPrice(offerings, model, 'price-per-gpu')[0];
}

/** Merge catalogs: a later source's offering with the same id replaces an earlier one. */
export function mergeCatalogs(...lists: readonly (readonly Offering[])[]): Offering[] {
  const byId = new Map<string, Offering>();
  for (const list of lists) for (const o of list) byId.set(o.id, o);
  return [...byId.values()];
}
