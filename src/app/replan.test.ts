/** Re-plan under what is left of a budget: sized to the hours really left, never more than is left. */
import { describe, expect, it } from 'vitest';
import { loadPlanScenario } from '../adapters/importers/plan-scenario.js';
import { HighsSolver } from '../adapters/solver/highs.js';
import { InvalidInput } from '../core/errors.js';
import { budgetStatus, type BudgetPeriod } from '../core/finops/budget.js';
import { dec } from '../core/money.js';
import { replanUnderBudget } from './replan.js';

const period = (asOf: string): BudgetPeriod => ({ start: '2026-06-01T00:00:00.000Z', end: '2026-07-01T00:00:00.000Z', asOf });
const status = (asOf: string, amount = '1000', spent = '400', currency = 'USD') => budgetStatus({ name: 'b', amount: dec(amount), currency, thresholds: [] }, period(asOf), dec(spent), []);

describe('re-plan under a budget', async () => {
  const { inputs } = await loadPlanScenario('examples/demo/plan.yaml'); // 48 periods of 1 h
  const solver = new HighsSolver();

  it('at month end there are no hours left: says so, plans nothing (was: hours clamped to 1, 48 × the money)', async () => {
    const r = await replanUnderBudget(status('2026-07-01T00:00:00.000Z'), inputs, solver);
    expect(r.hoursLeft).toBe(0);
    expect(r.plannedHours).toBe(0);
    expect(r.planBudgetUsd.toFixed()).toBe('0');
    expect(r.unconstrainedUsd).toBeUndefined();
    expect(r.note).toBe('no hours are left in 2026-06: nothing to re-plan under this month\'s budget');
    const half = await replanUnderBudget(status('2026-06-30T23:30:00.000Z'), inputs, solver);
    expect(half.note).toMatch(/only 0.5 h are left in 2026-06, less than one plan period \(1 h\)/);
  });

  it('10 h left of a 48 h plan: plans the first 10 h with all the 600 left', async () => {
    const r = await replanUnderBudget(status('2026-06-30T14:00:00.000Z'), inputs, solver);
    expect([r.hoursLeft, r.plannedHours, r.planBudgetUsd.toFixed()]).toEqual([10, 10, '600']);
    expect(r.note).toMatch(/planned its first 10 period\(s\), 10 h/);
    expect(r.unconstrainedUsd!.gt(0)).toBe(true);
  });

  it('mid-month: the plan\'s share of what is left, 600 × 48 h / 480 h', async () => {
    const r = await replanUnderBudget(status('2026-06-11T00:00:00.000Z'), inputs, solver);
    expect([r.hoursLeft, r.plannedHours, r.planBudgetUsd.toFixed()]).toEqual([480, 48, '60']);
    expect(r.note).toBeUndefined();
  });

  it('refuses a budget in another currency than the planner\'s USD', async () => {
    await expect(replanUnderBudget(status('2026-06-11T00:00:00.000Z', '48000', '0', 'JPY'), inputs, solver)).rejects.toThrow(InvalidInput);
  });
});
