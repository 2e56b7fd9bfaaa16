/**
 * The feedback loop's last step: re-plan capacity under what is left of a budget. The plan's
 * horizon gets its pro-rata share of the money left this month:
 *
 *   budget for the plan = (budget − spent so far) × plan hours / hours left in the month
 *
 * and the planner solves with that as a hard constraint. An infeasible answer is an answer too:
 * the planner says which demand cannot be met within it and by how much.
 */
import { Infeasible } from '../core/errors.js';
import type { BudgetStatus } from '../core/finops/budget.js';
import { Decimal, ZERO } from '../core/money.js';
import type { PlanInputs } from '../core/planner/inputs.js';
import { planCapacity } from './plan.js';
import type { Solver } from './ports.js';

export interface Replan {
  budget: string;
  planHours: number;
  hoursLeft: number;
  planBudgetUsd: Decimal;
  unconstrainedUsd: Decimal;
  /** The plan under the budget, or why there is none. */
  constrainedUsd?: Decimal;
  infeasible?: { message: string; detail: string[]; hint?: string };
}

export async function replanUnderBudget(status: BudgetStatus, inputs: PlanInputs, solver: Solver): Promise<Replan> {
  const planHours = inputs.periods * inputs.periodHours;
  const hoursLeft = Math.max(1, (Date.parse(status.period.end) - Date.parse(status.period.asOf)) / 3_600_000);
  const left = Decimal.max(ZERO, status.amount.minus(status.spent));
  const planBudgetUsd = left.times(planHours).div(hoursLeft).toDecimalPlaces(2, Decimal.ROUND_FLOOR);
  const free = await planCapacity(inputs, solver, { explain: false });
  const out: Replan = { budget: status.name, planHours, hoursLeft, planBudgetUsd, unconstrainedUsd: free.plan.totalUsd };
  try {
    const bound = await planCapacity({ ...inputs, budgetUsd: planBudgetUsd }, solver, { explain: false });
    out.constrainedUsd = bound.plan.totalUsd;
  } catch (e) {
    if (!(e instanceof Infeasible)) throw e;
    out.infeasible = { message: e.message, detail: e.detail, ...(e.hint && { hint: e.hint }) };
  }
  return out;
}
