/**
 * Exact decimal money. Binary floats never hold a money value in Penny: every amount is a
 * Decimal (decimal.js) from the moment it is parsed until it is printed as a string.
 */
import { Decimal as DecimalJs } from 'decimal.js';

/** Our own Decimal constructor: 40 significant digits, banker's rounding only when asked to round. */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_EVEN, toExpNeg: -30, toExpPos: 40 });
export type Decimal = InstanceType<typeof Decimal>;

export const ZERO = new Decimal(0);

export type DecimalInput = Decimal | string | number | bigint;

/** Parse a decimal; numbers go through their shortest string form so 0.1 stays 0.1. */
export function dec(x: DecimalInput): Decimal {
  if (x instanceof Decimal) return x;
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
    return new Decimal(String(x));
  }
  if (typeof x === 'bigint') return new Decimal(x.toString());
  return new Decimal(x.trim());
}

export function isDecimalString(s: string): boolean {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s.trim());
}

export function sum(xs: Iterable<Decimal>): Decimal {
  let total = ZERO;
  for (const x of xs) total = total.plus(x);
  return total;
}

/** A plain decimal string with no exponent and no trailing zeros after the point ("130000", "0.5"). */
export function toPlain(x: Decimal): string {
  const s = x.toFixed();
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/**
 * Round parts to `decimals` places so that the rounded parts add up exactly to the rounded total
 * (largest remainder). Used for tables, where "the parts add up to the total to the cent" must
 * hold on screen too, not only in the exact JSON.
 */
export function roundPartsToTotal(parts: Decimal[], decimals: number): Decimal[] {
  const total = sum(parts).toDecimalPlaces(decimals, Decimal.ROUND_HALF_EVEN);
  const floored = parts.map((p) => p.toDecimalPlaces(decimals, Decimal.ROUND_FLOOR));
  const unit = new Decimal(10).pow(-decimals);
  let remainder = total.minus(sum(floored)).div(unit).round().toNumber();
  const order = parts
    .map((p, i) => ({ i, frac: p.minus(floored[i]!) }))
    .sort((a, b) => b.frac.comparedTo(a.frac) || a.i - b.i);
  const out = floored.slice();
  for (let k = 0; remainder > 0 && order.length > 0; k = (k + 1) % order.length, remainder--) {
    out[order[k]!.i] = out[order[k]!.i]!.plus(unit);
  }
  for (let k = 0; remainder < 0 && order.length > 0; k = (k + 1) % order.length, remainder++) {
    const i = order[order.length - 1 - k]!.i;
    out[i] = out[i]!.minus(unit);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Currencies (ISO 4217). Intl knows the codes and their minor units, so no table is kept here.

let currencyCodes: Set<string> | undefined;

export function isCurrencyCode(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  currencyCodes ??= new Set(Intl.supportedValuesOf('currency'));
  return currencyCodes.has(code);
}

/** Digits after the point for a currency's minor unit: USD 2, JPY 0, BHD 3. */
export function minorUnits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

const symbols: Record<string, string> = { USD: '$', EUR: '€', GBP: '£', JPY: '¥', CNY: '¥' };

/** "$130,000.00", "¥84,600.00", "CHF 1,200.50": thousands separators, the currency's minor units. */
export function formatMoney(x: Decimal, currency: string, decimals = minorUnits(currency)): string {
  const fixed = x.toDecimalPlaces(decimals, Decimal.ROUND_HALF_EVEN).toFixed(decimals);
  const negative = fixed.startsWith('-');
  const body = groupThousands(negative ? fixed.slice(1) : fixed);
  const sym = symbols[currency];
  const text = sym ? `${sym}${body}` : `${currency} ${body}`;
  return negative ? `-${text}` : text;
}

export function groupThousands(fixed: string): string {
  const [int, frac] = fixed.split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}
