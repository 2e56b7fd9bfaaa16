/**
 * Stacked spend charts, one per currency: a bill may carry several currencies, and amounts in
 * different currencies are never added into one bar, one series or one total.
 */
export interface StackRow {
  currency: string;
  period?: string;
  effectiveCost: string;
}

export interface StackChart {
  currency: string;
  periods: string[];
  series: { name: string; data: number[] }[];
  /** The chart's total, in its own currency. */
  total: number;
}

/** Rows grouped by currency (in order of first appearance), each stacked by `seriesOf` per period. */
export function stackByCurrency<R extends StackRow>(rows: R[], seriesOf: (r: R) => string): StackChart[] {
  const currencies = [...new Set(rows.map((r) => r.currency))];
  return currencies.map((currency) => {
    const rs = rows.filter((r) => r.currency === currency);
    const periods = [...new Set(rs.map((r) => r.period!))].sort();
    const byName = new Map<string, Map<string, number>>();
    let total = 0;
    for (const r of rs) {
      const name = seriesOf(r);
      const m = byName.get(name) ?? new Map<string, number>();
      m.set(r.period!, (m.get(r.period!) ?? 0) + Number(r.effectiveCost));
      byName.set(name, m);
      total += Number(r.effectiveCost);
    }
    return { currency, periods, series: [...byName.entries()].map(([name, m]) => ({ name, data: periods.map((p) => m.get(p) ?? 0) })), total };
  });
}
