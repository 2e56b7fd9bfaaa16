/** Cell parsing shared by the catalog importers: prices refused at the boundary when NaN or negative. */
import type { Issue } from '../../core/errors.js';
import { Decimal, isDecimalString } from '../../core/money.js';

const EMPTY = new Set(['', 'null', 'none', 'n/a', 'na', '-', 'nan?']);

/** An optional price cell: empty/NULL → undefined; a non-negative decimal → Decimal; else an issue. */
export function priceCell(raw: string | undefined, file: string, line: number, column: string, issues: Issue[]): Decimal | undefined {
  const s = (raw ?? '').trim().replace(/^\$/, '');
  if (EMPTY.has(s.toLowerCase())) return undefined;
  if (!isDecimalString(s)) {
    issues.push({ file, line, path: column, message: 'not a price', expected: 'a non-negative decimal (USD per hour) or an empty cell', found: JSON.stringify(raw) });
    return undefined;
  }
  const d = new Decimal(s);
  if (d.isNegative()) {
    issues.push({ file, line, path: column, message: 'a price cannot be negative', expected: 'a non-negative decimal (USD per hour)', found: s });
    return undefined;
  }
  return d;
}

/** A count or size cell; ranges such as "20-26" (FSDL) take their lower end. */
export function numberCell(raw: string | undefined): number | undefined {
  const s = (raw ?? '').trim();
  if (EMPTY.has(s.toLowerCase())) return undefined;
  const m = /^(\d+(?:\.\d+)?)(?:\s*-\s*\d+(?:\.\d+)?)?$/.exec(s);
  return m ? Number(m[1]) : undefined;
}

export function requireColumns(header: string[], needed: string[], file: string, what: string): Issue[] {
  const missing = needed.filter((c) => !header.includes(c));
  return missing.map((c) => ({ file, line: 1, path: c, message: `column "${c}" is missing from the ${what} header`, expected: needed.join(', '), found: header.join(', ') }));
}
