/** The dashboard's stacked spend charts (overview, cost explorer) keep currencies apart (pure functions of web/src, run in Node). */
import { describe, expect, it } from 'vitest';
import { stackByCurrency } from '../web/src/stack.js';

describe('stackByCurrency', () => {
  it('never adds amounts in different currencies into one bar, series or total', () => {
    // A bill in USD and EUR, grouped by service per day (what GET /api/billing/report returns).
    const rows = [
      { keys: { ServiceCategory: 'Compute' }, period: '2026-10-01', currency: 'USD', effectiveCost: '100.5' },
      { keys: { ServiceCategory: 'Compute' }, period: '2026-10-01', currency: 'EUR', effectiveCost: '7' },
      { keys: { ServiceCategory: 'Storage' }, period: '2026-10-02', currency: 'USD', effectiveCost: '2.25' },
      { keys: { ServiceCategory: null }, period: '2026-10-03', currency: 'EUR', effectiveCost: '1' },
    ];
    const charts = stackByCurrency(rows, (r) => r.keys.ServiceCategory ?? '(none)');
    expect(charts).toEqual([
      { currency: 'USD', periods: ['2026-10-01', '2026-10-02'], series: [{ name: 'Compute', data: [100.5, 0] }, { name: 'Storage', data: [0, 2.25] }], total: 102.75 },
      { currency: 'EUR', periods: ['2026-10-01', '2026-10-03'], series: [{ name: 'Compute', data: [7, 0] }, { name: '(none)', data: [0, 1] }], total: 8 },
    ]);
  });

  it('folds groups into one series per currency when the caller names them so', () => {
    const rows = [
      { period: '2026-10', currency: 'USD', effectiveCost: '1', key: 'a' },
      { period: '2026-10', currency: 'USD', effectiveCost: '2', key: 'b' },
      { period: '2026-10', currency: 'JPY', effectiveCost: '300', key: 'a' },
    ];
    expect(stackByCurrency(rows, () => '(other)').map((c) => [c.currency, c.series])).toEqual([
      ['USD', [{ name: '(other)', data: [3] }]],
      ['JPY', [{ name: '(other)', data: [300] }]],
    ]);
  });
});
