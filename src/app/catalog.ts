/** Use case: list offerings, filtered and cheapest first, with the price per GPU-hour. */
import { compatible, mergeCatalogs, orderByPrice, priceOf, type CatalogFilter, type PriceModel, type SortKey } from '../core/catalog/query.js';
import type { Offering } from '../core/catalog/offering.js';
import type { Decimal } from '../core/money.js';

export interface CatalogRow {
  offering: Offering;
  priceModel: PriceModel;
  usdPerHour: Decimal;
  usdPerGpuHour: Decimal;
}

export interface CatalogListing {
  rows: CatalogRow[];
  sources: string[];
  total: number;
}

export async function listCatalog(refs: string[], read: (ref: string) => Promise<Offering[]>, filter: CatalogFilter, sort: SortKey): Promise<CatalogListing> {
  const lists = [];
  for (const r of refs) lists.push(await read(r));
  const all = mergeCatalogs(...lists);
  const model: PriceModel = filter.spot ? 'spot' : 'on-demand';
  const rows = orderByPrice(compatible(all, filter), model, sort).map((o) => {
    const p = priceOf(o, model)!;
    return { offering: o, priceModel: model, usdPerHour: p, usdPerGpuHour: p.div(o.gpuCount) };
  });
  return { rows, sources: [...new Set(all.map((o) => o.source))], total: all.length };
}
