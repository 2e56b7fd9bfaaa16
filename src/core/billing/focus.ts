/**
 * FOCUS (FinOps Open Cost and Usage Specification) 1.0–1.2 rows as Penny keeps them: the columns
 * Penny queries are typed; every other column (provider `x_` columns included) is kept as text.
 * Pure: parsing of cells only, no files.
 */
import { Decimal, isCurrencyCode, isDecimalString } from '../money.js';

/** FOCUS columns kept typed, and their store column names. */
export const MONEY_COLUMNS = ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost'] as const;
export const QUANTITY_COLUMNS = ['ConsumedQuantity', 'PricingQuantity', 'CommitmentDiscountQuantity'] as const;
export const TIME_COLUMNS = ['ChargePeriodStart', 'ChargePeriodEnd', 'BillingPeriodStart', 'BillingPeriodEnd'] as const;
export const TEXT_COLUMNS = [
  'BillingCurrency',
  'BillingAccountId',
  'BillingAccountName',
  'SubAccountId',
  'SubAccountName',
  'ProviderName',
  'PublisherName',
  'InvoiceIssuerName',
  'ServiceName',
  'ServiceCategory',
  'RegionId',
  'RegionName',
  'AvailabilityZone',
  'ResourceId',
  'ResourceName',
  'ResourceType',
  'SkuId',
  'SkuPriceId',
  'ChargeCategory',
  'ChargeClass',
  'ChargeFrequency',
  'ChargeDescription',
  'PricingCategory',
  'PricingUnit',
  'ConsumedUnit',
  'CommitmentDiscountId',
  'CommitmentDiscountName',
  'CommitmentDiscountCategory',
  'CommitmentDiscountStatus',
  'CommitmentDiscountType',
  'CommitmentDiscountUnit',
] as const;

/** Without these a file cannot be costed or placed in time. */
export const REQUIRED_COLUMNS = ['ChargePeriodStart', 'ChargePeriodEnd', 'BilledCost', 'EffectiveCost'] as const;

/** Store column name for a FOCUS column: BilledCost → billed_cost. */
export function storeColumn(focus: string): string {
  return focus.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export const TYPED_COLUMNS: readonly string[] = [...MONEY_COLUMNS, ...QUANTITY_COLUMNS, ...TIME_COLUMNS, ...TEXT_COLUMNS, 'Tags'];
const TYPED_SET = new Set(TYPED_COLUMNS);

/** Literal nulls as exports write them. */
export function isNullCell(v: string | undefined): boolean {
  if (v === undefined) return true;
  const t = v.trim();
  return t === '' || t.toLowerCase() === 'null' || t === '\\N';
}

export class CellError extends Error {
  constructor(
    readonly column: string,
    readonly found: string,
    readonly expected: string,
  ) {
    super(`${column}: expected ${expected}, found ${JSON.stringify(found.length > 60 ? `${found.slice(0, 60)}…` : found)}`);
  }
}

/** Something read leniently, reported to the user rather than silently accepted. */
export type Notes = string[];

const MAX_MAGNITUDE = new Decimal(10).pow(20);
const PLAIN_DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/**
 * Exact decimal text of a money or quantity cell. Cells formatted for people ("$10,000.00 ", as in
 * the FOCUS spec's own SaaS examples) are read when the grouping is unambiguous (commas every three
 * digits, a point for decimals) and noted; anything else is refused.
 */
export function decimalCell(column: string, v: string | undefined, maxScale: number, notes?: Notes): string | null {
  if (v === undefined || mayBeNull(v)) return null;
  let t = v!.trim();
  // The common shape (-123.4500) is normalised as text: the same result as Decimal's toFixed(),
  // without building a Decimal for each of the millions of cells of a large bill.
  const plainMatch = PLAIN_DECIMAL.exec(t);
  if (plainMatch) {
    const [, sign, int, frac = ''] = plainMatch;
    const fracTrimmed = frac.replace(/0+$/, '');
    if (fracTrimmed.length > maxScale) throw new CellError(column, t, `at most ${maxScale} digits after the point`);
    const intTrimmed = int!.replace(/^0+(?=\d)/, '');
    if (intTrimmed.length > 38 - maxScale) throw new CellError(column, t, `a number below 10^${38 - maxScale} in magnitude (amounts are kept to ${38 - maxScale} digits before the point)`);
    const zero = intTrimmed === '0' && fracTrimmed === '';
    return `${sign === '-' && !zero ? '-' : ''}${intTrimmed}${fracTrimmed ? `.${fracTrimmed}` : ''}`;
  }
  if (!isDecimalString(t)) {
    const m = /^(-?)[$€£¥]?\s*(-?)(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/.exec(t);
    if (!m) throw new CellError(column, t, 'a decimal number');
    const plain = `${m[1] || m[2]}${m[3]!.replace(/,/g, '')}${m[5] ?? ''}`;
    notes?.push(`${column} "${v}" read as ${plain}`);
    t = plain;
  }
  const d = new Decimal(t);
  if (d.decimalPlaces() > maxScale) throw new CellError(column, t, `at most ${maxScale} digits after the point`);
  // The store keeps DECIMAL(38, 18): 20 digits before the point. Said here, not as a cast error.
  if (d.abs().gte(MAX_MAGNITUDE)) throw new CellError(column, t, `a number below 10^${38 - maxScale} in magnitude (amounts are kept to ${38 - maxScale} digits before the point)`);
  return d.toFixed();
}

/**
 * Timestamps as exports write them: ISO 8601 (with or without zone; UTC assumed), `YYYY-MM-DD
 * HH:MM:SS`, and US-style `M/D/YY` or `M/D/YYYY` dates. Returns ISO 8601 UTC.
 */
export function timeCell(column: string, v: string | undefined, notes?: Notes): string | null {
  if (v === undefined || mayBeNull(v)) return null;
  // A bill has few distinct times (its days or hours) over many rows: each is parsed once. Only
  // clean readings are kept (an error or a note names its column and must come again).
  const known = timeCache.get(v!);
  if (known !== undefined) return known;
  const before = notes?.length ?? 0;
  const iso = parseTimeCell(column, v!, notes);
  if ((notes?.length ?? 0) === before) {
    if (timeCache.size >= TIME_CACHE_MAX) timeCache.clear();
    timeCache.set(v!, iso);
  }
  return iso;
}

const TIME_CACHE_MAX = 4096;
const timeCache = new Map<string, string>();

function parseTimeCell(column: string, v: string, notes?: Notes): string {
  const t = v.trim();
  let ms: number;
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
  let parts: number[] | undefined;
  let offsetMin = 0;
  if (us) parts = [us[3]!.length === 2 ? 2000 + Number(us[3]) : Number(us[3]), Number(us[1]), Number(us[2]), Number(us[4] ?? 0), Number(us[5] ?? 0), Number(us[6] ?? 0)];
  else if (iso) {
    parts = [Number(iso[1]), Number(iso[2]), Number(iso[3]), Number(iso[4] ?? 0), Number(iso[5] ?? 0), Number(iso[6] ?? 0)];
    const z = iso[8];
    if (z && z !== 'Z') offsetMin = (z.startsWith('-') ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(-2)));
  }
  if (parts) {
    const [y, mo, d, h, mi, sec] = parts as [number, number, number, number, number, number];
    if (mo < 1 || mo > 12 || d < 1 || d > 31) throw new CellError(column, t, 'a date-time (month 1–12, day 1–31)');
    // Date.UTC would roll 2024-02-30 over to March 1st: a day the month does not have is refused.
    const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    if (d > daysInMonth) throw new CellError(column, t, `a calendar date (${y}-${String(mo).padStart(2, '0')} has ${daysInMonth} days)`);
    // Date.UTC rolls an out-of-range time over (T30:00 → 06:00 the next day): the FOCUS spec's
    // own examples contain such a value. Read it, and say so.
    ms = Date.UTC(y, mo - 1, d, h, mi, sec) - offsetMin * 60_000 + (iso?.[7] ? Math.round(Number(iso[7]) * 1000) : 0);
    if (h > 23 || mi > 59 || sec > 60) notes?.push(`${column} "${t}" is out of range; read as ${new Date(ms).toISOString()}`);
  } else {
    ms = Number.NaN;
  }
  if (!Number.isFinite(ms)) throw new CellError(column, t, 'a date-time (ISO 8601, YYYY-MM-DD HH:MM:SS or M/D/YYYY)');
  return new Date(ms).toISOString();
}

/** Tags: a JSON object of key → value (FOCUS). Values are kept as text. */
export function tagsCell(v: string | undefined): Record<string, string> | null {
  if (v === undefined || mayBeNull(v)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(v!);
  } catch {
    throw new CellError('Tags', v!, 'a JSON object such as {"team":"research"}');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new CellError('Tags', v!, 'a JSON object');
  return Object.fromEntries(Object.entries(parsed as Record<string, unknown>).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]));
}

export interface FocusRow {
  line: number;
  money: Record<(typeof MONEY_COLUMNS)[number], string | null>;
  quantities: Record<(typeof QUANTITY_COLUMNS)[number], string | null>;
  times: Record<(typeof TIME_COLUMNS)[number], string | null>;
  text: Partial<Record<(typeof TEXT_COLUMNS)[number], string>>;
  tags: Record<string, string> | null;
  /** Every other column of the file, as written (x_ columns included). */
  extra: Record<string, string>;
}

export const MONEY_SCALE = 18;

export function parseFocusRow(values: Record<string, string>, line: number, notes?: Notes): FocusRow {
  const header = Object.keys(values);
  const key = header.join('\u0000');
  let parse = parsers.get(key);
  if (!parse) {
    if (parsers.size >= 64) parsers.clear();
    parse = focusRowParser(header);
    parsers.set(key, parse);
  }
  return parse(
    header.map((k) => values[k]!),
    line,
    notes,
  );
}

/** Parsers of the headers met lately: records of one file (JSON lines, Parquet, a mapped export) share theirs. */
const parsers = new Map<string, ReturnType<typeof focusRowParser>>();

/** Could this cell be a literal null? Most cells are ruled out by their first and last characters. */
function mayBeNull(v: string): boolean {
  if (v.length === 0) return true;
  const a = v.charCodeAt(0);
  const z = v.charCodeAt(v.length - 1);
  // Trimmed away (spaces, and any non-ASCII space), or the first letter of null / NULL / \N.
  return a <= 32 || a > 126 || z <= 32 || z > 126 || a === 110 || a === 78 || a === 92 ? isNullCell(v) : false;
}

/**
 * A row parser for one header: each typed column's cell index is found once, and rows come as
 * cell arrays (a CSV record as read), so no object is built per row before its FocusRow. The
 * same rows, checks, notes and errors as parseFocusRow on the record { header[i]: cells[i] }
 * (with a repeated column name, its last cell, as in such a record).
 */
export function focusRowParser(header: readonly string[]): (cells: readonly string[], line: number, notes?: Notes) => FocusRow {
  const at = new Map<string, number>();
  header.forEach((h, i) => at.set(h, i));
  const index = (c: string) => at.get(c) ?? -1;
  const moneyAt = MONEY_COLUMNS.map(index);
  const quantityAt = QUANTITY_COLUMNS.map(index);
  const timeAt = TIME_COLUMNS.map(index);
  const textAt = TEXT_COLUMNS.map(index);
  const tagsAt = index('Tags');
  // Other columns in the order a record of the header lists them (its own key order).
  const record: Record<string, number> = {};
  header.forEach((h, i) => (record[h] = i));
  const extraAt = Object.entries(record).filter(([k]) => !TYPED_SET.has(k));
  const cell = (cells: readonly string[], i: number) => (i < 0 ? undefined : (cells[i] ?? ''));
  const raw = (cells: readonly string[], c: string) => cell(cells, index(c));
  return (cells, line, notes) => {
    const money = {} as FocusRow['money'];
    for (let k = 0; k < MONEY_COLUMNS.length; k++) {
      money[MONEY_COLUMNS[k]!] = decimalCell(MONEY_COLUMNS[k]!, cell(cells, moneyAt[k]!), MONEY_SCALE, notes);
    }
    const quantities = {} as FocusRow['quantities'];
    for (let k = 0; k < QUANTITY_COLUMNS.length; k++) quantities[QUANTITY_COLUMNS[k]!] = decimalCell(QUANTITY_COLUMNS[k]!, cell(cells, quantityAt[k]!), MONEY_SCALE, notes);
    const times = {} as FocusRow['times'];
    for (let k = 0; k < TIME_COLUMNS.length; k++) times[TIME_COLUMNS[k]!] = timeCell(TIME_COLUMNS[k]!, cell(cells, timeAt[k]!), notes);
    if (times.ChargePeriodStart === null) throw new CellError('ChargePeriodStart', raw(cells, 'ChargePeriodStart') ?? '', 'a date-time (it is mandatory)');
    if (times.ChargePeriodEnd === null) throw new CellError('ChargePeriodEnd', raw(cells, 'ChargePeriodEnd') ?? '', 'a date-time (it is mandatory)');
    if (money.BilledCost === null) throw new CellError('BilledCost', raw(cells, 'BilledCost') ?? '', 'a decimal number (it is mandatory)');
    if (money.EffectiveCost === null) throw new CellError('EffectiveCost', raw(cells, 'EffectiveCost') ?? '', 'a decimal number (it is mandatory)');
    if (times.ChargePeriodStart > times.ChargePeriodEnd) throw new CellError('ChargePeriodEnd', raw(cells, 'ChargePeriodEnd') ?? '', `a time not before ChargePeriodStart (${raw(cells, 'ChargePeriodStart')?.trim()})`);
    const text: FocusRow['text'] = {};
    for (let k = 0; k < TEXT_COLUMNS.length; k++) {
      const v = cell(cells, textAt[k]!);
      if (v !== undefined && !mayBeNull(v)) text[TEXT_COLUMNS[k]!] = v.trim();
    }
    if (text.BillingCurrency !== undefined && !isCurrencyCode(text.BillingCurrency)) throw new CellError('BillingCurrency', text.BillingCurrency, 'an ISO 4217 currency code in capitals, such as USD, EUR or JPY');
    const extra: Record<string, string> = {};
    for (const [k, i] of extraAt) {
      const v = cells[i] ?? '';
      if (!mayBeNull(v)) extra[k] = v;
    }
    return { line, money, quantities, times, text, tags: tagsCell(cell(cells, tagsAt)), extra };
  };
}

/**
 * The slice of a bill a row belongs to: its provider, billing account, currency and billing period
 * (the month of its charge when the export has no billing period). A later export of the same
 * slice restates it. Provider and currency are part of it because an export without a
 * BillingAccountId (FOCUS makes it mandatory, hand-made files omit it) must not restate another
 * provider's bill, or a bill in another currency, for the same month.
 */
export function sliceKey(r: FocusRow): string {
  return `${r.text.ProviderName ?? ''}|${r.text.BillingAccountId ?? ''}|${r.text.BillingCurrency ?? ''}|${r.times.BillingPeriodStart ?? r.times.ChargePeriodStart!.slice(0, 7)}`;
}

/**
 * The row as content, without its line or the file's encoding: decimals, times and tags in their
 * normalised form, columns in a fixed order. Equal rows give equal text whatever the file's
 * format (CSV, gzip, BOM, CRLF, Parquet), so a file's content hash can be taken over it.
 */
export function canonicalRow(r: FocusRow): string {
  const sorted = (o: Record<string, string> | null) => (o ? Object.keys(o).sort().map((k) => [k, o[k]]) : null);
  return JSON.stringify([
    MONEY_COLUMNS.map((c) => r.money[c]),
    QUANTITY_COLUMNS.map((c) => r.quantities[c]),
    TIME_COLUMNS.map((c) => r.times[c]),
    TEXT_COLUMNS.map((c) => r.text[c] ?? null),
    sorted(r.tags),
    sorted(r.extra),
  ]);
}
