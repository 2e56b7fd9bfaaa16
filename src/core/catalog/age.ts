/**
 * How old a catalog's prices are. GPU prices move by tens of percent a year (AWS's p5.48xlarge was
 * listed at $98.32/h in 2025-03 and $55.04/h in the SkyPilot catalog of late 2025), so a plan on prices more than 90 days
 * old says so. Pure: the caller passes the date of each catalog and today.
 */

export interface CatalogDate {
  /** The catalog reference as given (`builtin`, a file, a directory). */
  ref: string;
  /** When its prices were taken: YYYY-MM-DD, or YYYY-MM (read as the first of the month). */
  asOf: string;
  /** Where the date comes from, for the message: "list date", "file modified", "not before" (a lower bound). */
  basis: string;
  /** What to call these prices in the message; default from ref. */
  label?: string;
}

export const MAX_PRICE_AGE_DAYS = 90;

const DAY_MS = 86_400_000;

export function priceAgeDays(asOf: string, now: Date): number {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(asOf);
  if (!m) return NaN;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, m[3] ? Number(m[3]) : 1);
  return Math.floor((now.getTime() - t) / DAY_MS);
}

/**
 * One warning per catalog whose prices are older than `maxDays`; the built-in catalog's dated parts
 * (ref `builtin`) in one warning, naming each stale part.
 */
export function stalePriceWarnings(dates: CatalogDate[], now: Date, maxDays = MAX_PRICE_AGE_DAYS): string[] {
  const out: string[] = [];
  const refresh = 'refresh them (a SkyPilot catalog folder, e.g. --catalog ~/.sky/catalogs/v8, or your own quotes) before buying on this plan';
  const stale = dates.filter((d) => priceAgeDays(d.asOf, now) > maxDays);
  const builtin = stale.filter((d) => d.ref === 'builtin');
  for (const d of stale) {
    if (d.ref === 'builtin' && builtin.length > 1) continue;
    const age = priceAgeDays(d.asOf, now);
    const name = d.label ?? (d.ref === 'builtin' ? 'the built-in list prices' : `the prices in ${d.ref}`);
    // A lower-bound date bounds the age from above only.
    const old = d.basis === 'not before' ? `may be up to ${age} days old` : `are ${age} days old`;
    out.push(`${name} ${old} (${d.basis} ${d.asOf}; more than ${maxDays}): ${refresh}`);
  }
  if (builtin.length > 1) {
    const ages = builtin.map((d) => priceAgeDays(d.asOf, now));
    const parts = builtin.map((d) => `${(d.label ?? 'list prices').replace(/^the built-in /, '')}: ${d.basis} ${d.asOf}`);
    out.unshift(`the built-in prices are ${Math.min(...ages)}–${Math.max(...ages)} days old (${parts.join('; ')}; more than ${maxDays}): ${refresh}`);
  }
  return out;
}
