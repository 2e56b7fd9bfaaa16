import { describe, expect, it } from 'vitest';
import { dec } from '../money.js';
import { budgetStatus, monthOf, runRate } from './budget.js';
import type { Recommendation } from './scenario-savings.js';

const rec = (id: string, saving: string, effort: Recommendation['effort']): Recommendation => ({ id, resource: id, action: 'x', title: id, saving: dec(saving), currency: 'USD', effort, basis: '' });

describe('budgets', () => {
  const period = monthOf('2026-06-11T00:00:00Z'); // 10 of 30 days elapsed

  it('takes the calendar month of the data and forecasts at the run rate', () => {
    expect(period).toEqual({ start: '2026-06-01T00:00:00.000Z', end: '2026-07-01T00:00:00.000Z', asOf: '2026-06-11T00:00:00.000Z' });
    expect(runRate(dec(1000), period).toFixed()).toBe('3000');
  });

  it('raises actual and forecast alerts at the thresholds', () => {
    const s = budgetStatus({ name: 'b', amount: dec(2000), currency: 'USD', thresholds: [100, 50, 80] }, period, dec(1000), []);
    expect(s.alerts.map((a) => [a.threshold, a.kind])).toEqual([
      [50, 'actual'],
      [80, 'forecast'],
      [100, 'forecast'],
    ]);
    expect(s.overrun.toFixed()).toBe('1000');
    expect(s.forecastShare.toFixed()).toBe('1.5');
  });

  it('orders actions by saving per effort and says when the gap is closed', () => {
    const s = budgetStatus({ name: 'b', amount: dec(2000), currency: 'USD', thresholds: [100] }, period, dec(1000), [rec('big-hard', '900', 'high'), rec('small-easy', '300', 'low'), rec('mid', '500', 'medium'), rec('none', '0', 'low')]);
    expect(s.actions.map((a) => a.id)).toEqual(['small-easy', 'mid', 'big-hard']);
    expect(s.actions.map((a) => a.closesCumulative.toFixed())).toEqual(['0.3', '0.8', '1']);
    expect(s.closesGap).toBe(true);
  });

  it('lists no actions when on budget', () => {
    const s = budgetStatus({ name: 'b', amount: dec(5000), currency: 'USD', thresholds: [80] }, period, dec(1000), [rec('a', '10', 'low')]);
    expect(s.overrun.isZero()).toBe(true);
    expect(s.actions).toEqual([]);
    expect(s.alerts).toEqual([]);
  });
});
