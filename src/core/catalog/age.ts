/**
 * How old a catalog's prices are. GPU prices move by tens of percent a year (the built-in p5.48xlarge
 * list price of 2025-03 is 1.8× what the demo's scenario pays), so a plan on prices more than 90 days
 * old says so. Pure: the caller passes the date of each catalog and today.
 */

export interface CatalogDate {
  /** The catalog reference as given (`builtin`, a file, a directory). */
  ref: string;
  /** When its prices were taken: YYYY-MM-DD, or YYYY-MM (read as the first of the month). */
  asOf: string;
  /** Where the date comes from, for the message: "list date", "file modified". */
  basis: string;
}

export const MAX_PRICE_AGE_DAYS = 90;

const DAY_MS = 86_400_000;

export function priceAgeDays(asOf: string, now: Date): number {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(asOf);
  if (!m) return NaN;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, m[3] ? Number(m[3]) : 1);
  return Math.floor((now.getTime() - t) / DAY_MS);
}

/** One warning per catalog whose prices are older than `maxDays`. */
export function stalePriceWarnings(dates: CatalogDate[], now: Date, maxDays = MAX_PRICE_AGE_DAYS): string[] {
  const out: string[] = [];
  for (const d of dates) {
    const age = priceAgeDays(d.asOf, now);
    if (!(age > maxDays)) continue;
    const name = d.ref === 'builtin' ? 'the built-in list prices' : `the prices in ${d.ref}`;
    out.push(`${name} are ${age} days old (${d.basis} ${d.asOf}; more than ${maxDays}): refresh them (a SkyPilot catalog folder, e.g. --catalog ~/.sky/catalogs/v8, or your own quotes) before buying on this plan`);
  }
  return out;
}
