/** Display formatting. Amounts arrive as exact decimal strings; only display rounds them. */
const cache = new Map<string, Intl.NumberFormat>();

export function money(amount: string | number, currency: string, digits?: number): string {
  const key = `${currency}:${digits}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { style: 'currency', currency, ...(digits !== undefined && { minimumFractionDigits: digits, maximumFractionDigits: digits }) });
    cache.set(key, f);
  }
  return f.format(Number(amount));
}

/** Axis ticks: compact ($150K, $2.3M) so a narrow chart keeps its plot area. */
export function moneyAxis(amount: number, currency: string): string {
  const key = `${currency}:compact`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 });
    cache.set(key, f);
  }
  return f.format(amount);
}

export function num(x: string | number, digits = 0): string {
  return Number(x).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function pct(x: string | number, digits = 1): string {
  return `${(Number(x) * 100).toFixed(digits)}%`;
}

/**
 * One CSV cell, safe to open in a spreadsheet: text that a spreadsheet would read as a formula
 * (starting with = + - @, tab or carriage return) gets a leading apostrophe (OWASP "CSV
 * injection"); a plain number such as -12.50 is left as it is. Quoted when it has a comma, quote
 * or line break.
 */
export function csvCell(v: string): string {
  const plainNumber = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(v);
  const text = !plainNumber && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
