/**
 * zod field builders shared by every schema that reads user input (scenarios, catalogs, CSV rows).
 * They produce the messages users see: what was expected and what was found.
 */
import { z } from 'zod';
import { Decimal, isDecimalString, isCurrencyCode } from '../money.js';

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  // Numbers arrive as their source text (exact decimals); show them as numbers, not quoted.
  if (typeof v === 'string' && isDecimalString(v)) return v.trim();
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

interface NumOpts {
  min?: number;
  max?: number;
  /** strictly greater than min */
  exclusiveMin?: boolean;
  int?: boolean;
}

function rangeText(o: NumOpts): string {
  const kind = o.int ? 'an integer' : 'a number';
  if (o.min !== undefined && o.max !== undefined) return `${kind} from ${o.min} to ${o.max}`;
  if (o.min === 0 && o.exclusiveMin) return `a positive ${o.int ? 'integer' : 'number'}`;
  if (o.min === 0) return `a non-negative ${o.int ? 'integer' : 'number'}`;
  if (o.min !== undefined) return `${kind} ${o.exclusiveMin ? '>' : '>='} ${o.min}`;
  return kind;
}

function parseDecimal(v: unknown): Decimal | undefined {
  if (Decimal.isDecimal(v)) return new Decimal(v as Decimal);
  if (typeof v === 'number') return Number.isFinite(v) ? new Decimal(String(v)) : undefined;
  if (typeof v === 'string' && isDecimalString(v)) return new Decimal(v.trim());
  return undefined;
}

function check(d: Decimal, o: NumOpts): boolean {
  if (o.int && !d.isInteger()) return false;
  if (o.min !== undefined && (o.exclusiveMin ? d.lte(o.min) : d.lt(o.min))) return false;
  if (o.max !== undefined && d.gt(o.max)) return false;
  return true;
}

/** A decimal (money or any exact quantity). Accepts YAML numbers and decimal strings. */
export function decimalField(o: NumOpts = { min: 0 }) {
  return decimal(o, true);
}

/**
 * `exact`: more significant digits than Decimal's precision are refused, since every sum or product
 * of the value would round it (1.000…0001 with 41 digits priced a server at 1) without a word.
 */
function decimal(o: NumOpts, exact: boolean) {
  const expected = rangeText(o);
  return z.unknown().transform((v, ctx): Decimal => {
    const d = parseDecimal(v);
    if (d === undefined || d.isNaN() || !check(d, o)) {
      ctx.addIssue({
        code: 'custom',
        message: v === undefined ? 'required field is missing' : `expected ${expected}, found ${describe(v)}`,
        params: { expected, found: describe(v) },
      });
      return z.NEVER;
    }
    if (exact && d.isFinite() && d.sd() > Decimal.precision) {
      const want = `at most ${Decimal.precision} significant digits`;
      ctx.addIssue({ code: 'custom', message: `expected ${want}, found ${describe(v)} (${d.sd()})`, params: { expected: want, found: describe(v) } });
      return z.NEVER;
    }
    return d;
  });
}

/** A plain number (hours, watts, ratios) where binary floating point is fine. */
export function numberField(o: NumOpts = { min: 0 }) {
  return decimal(o, false).transform((d) => d.toNumber());
}

export function optionalDecimal(o?: NumOpts) {
  return decimalField(o).optional();
}

export function currencyField() {
  return z.unknown().transform((v, ctx): string => {
    if (typeof v === 'string' && isCurrencyCode(v.trim().toUpperCase())) return v.trim().toUpperCase();
    ctx.addIssue({
      code: 'custom',
      message:
        v === undefined
          ? 'required field is missing'
          : `expected an ISO 4217 currency code such as USD, EUR or CNY, found ${describe(v)}`,
      params: { expected: 'an ISO 4217 currency code', found: describe(v) },
    });
    return z.NEVER;
  });
}

export function nameField() {
  return z.string({
    error: (iss) => (iss.input === undefined ? 'required field is missing' : `expected a name (text), found ${describe(iss.input)}`),
  }).trim().min(1, 'must not be empty').max(200, 'at most 200 characters');
}
