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

export function num(x: string | number, digits = 0): string {
  return Number(x).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function pct(x: string | number, digits = 1): string {
  return `${(Number(x) * 100).toFixed(digits)}%`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
