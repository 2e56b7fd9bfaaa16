/**
 * The GPU page's "Waste found" card and its table's currency. An owned GPU is priced in its
 * scenario's currency and the price table in USD, so the waste found can be in several currencies:
 * one monthly total each, never added together, and a currency in the column's label only when
 * every row is in it. Pure: tested in Node (test/web-waste-total.test.ts).
 */
import { money } from './format.js';

export interface CurrencyTotal {
  currency: string;
  saving: string;
}

/** "€742/month", "€742/month · $1,241/month"; "$0/month" (the report's currency) when none. */
export function wasteFoundText(totals: CurrencyTotal[], reportCurrency: string): string {
  const some = totals.filter((t) => Number(t.saving) !== 0);
  if (some.length === 0) return `${money(0, reportCurrency, 0)}/month`;
  return some.map((t) => `${money(t.saving, t.currency, 0)}/month`).join(' · ');
}

/** "Saving/month (EUR)" when every recommendation is in EUR, else "Saving/month" (each row says its own). */
export function savingColumnLabel(currencies: string[], reportCurrency: string): string {
  const distinct = [...new Set(currencies)];
  const c = distinct.length === 0 ? reportCurrency : distinct.length === 1 ? distinct[0] : undefined;
  return c ? `Saving/month (${c})` : 'Saving/month';
}
