/**
 * The feedback loop's last step: re-plan capacity under what is left of a budget. The plan gets
 * the money left this month pro rata to the hours it covers of the hours really left:
 *
 *   plan hours           = min(the plan's horizon, whole plan periods that fit in the hours left)
 *   budget for the plan  = (budget − spent so far) × plan hours / hours left in the month
 *
 * so it never gets more than is left. A plan longer than the month's remainder is cut to the
 * periods that fit (the hours after belong to next month's budget); with less than one period, or
 * no hour, left there is nothing to re-plan and the record says why. The planner prices in USD,
 * so only a USD budget can bound it. An infeasible answer is an answer too: the planner says which
 * demand cannot be met within the budget and by how much.
 */
import { Infeasible, InvalidInput } from '../core/errors.js';
import type { BudgetStatus } from '../core/finops/budget.js';
import { Decimal, ZERO } from '../core/money.js';
import type { PlanInputs } from '../core/planner/inputs.js';
import { planCapacity } from './plan.js';
import type { Solver } from './ports.js';

export interface Replan {
  budget: string;
  /** The plan scenario's horizon, and the part of it planned (whole periods within the hours left). */
  planHours: number;
  plannedHours: number;
  hoursLeft: number;
  planBudgetUsd: Decimal;
  unconstrainedUsd?: Decimal;
  /** The plan under the budget, or why there is none. */
  constrainedUsd?: Decimal;
  infeasible?: { message: string; detail: string[]; hint?: string };
  /** Why the horizon was cut, or why nothing was planned. */
  note?: string;
}

/** The first `periods` periods of a plan's inputs (demand and spot availability cut to match). */
export function firstPeriods(inputs: PlanInputs, periods: number): PlanInputs {
  const cut = (xs: number[]) => (xs.length === inputs.periods ? xs.slice(0, periods) : xs);
  return {
    ...inputs,
    periods,
    classes: inputs.classes.map((c) => ({ ...c, demand: cut(c.demand) })),
    spot: { ...inputs.spot, byOffering: Object.fromEntries(Object.entries(inputs.spot.byOffering).map(([k, v]) => [k, cut(v)])) },
  };
}

export async function replanUnderBudget(status: BudgetStatus, inputs: PlanInputs, solver: Solver): Promise<Replan> {
  if (status.currency !== 'USD') {
    throw new InvalidInput(`budget ${status.name} is in ${status.currency}; the planner prices capacity in USD, so it can re-plan only under a USD budget`, [{ path: '--replan', message: 'budget not in USD', found: status.currency }], 'Set a USD budget for the spend the plan covers: penny budget set NAME --amount N --currency USD.');
  }
  const planHours = inputs.periods * inputs.periodHours;
  const hoursLeft = Math.max(0, (Date.parse(status.period.end) - Date.parse(status.period.asOf)) / 3_600_000);
  const left = Decimal.max(ZERO, status.amount.minus(status.spent));
  const periods = Math.min(inputs.periods, Math.floor(hoursLeft / inputs.periodHours + 1e-9));
  const month = status.period.start.slice(0, 7);
  const out: Replan = { budget: status.name, planHours, plannedHours: periods * inputs.periodHours, hoursLeft, planBudgetUsd: ZERO };
  if (periods === 0) {
    out.note = hoursLeft === 0 ? `no hours are left in ${month}: nothing to re-plan under this month's budget` : `only ${hoursLeft} h are left in ${month}, less than one plan period (${inputs.periodHours} h): nothing to re-plan under this month's budget`;
    return out;
  }
  if (periods < inputs.periods) out.note = `the plan's ${planHours} h are more than the ${hoursLeft} h left in ${month}: planned its first ${periods} period(s), ${out.plannedHours} h`;
  const cut = periods < inputs.periods ? firstPeriods(inputs, periods) : inputs;
  out.planBudgetUsd = left.times(out.plannedHours).div(hoursLeft).toDecimalPlaces(2, Decimal.ROUND_FLOOR);
  const free = await planCapacity(cut, solver, { explain: false });
  out.unconstrainedUsd = free.plan.totalUsd;
  try {
    const bound = await planCapacity({ ...cut, budgetUsd: out.planBudgetUsd }, solver, { explain: false });
    out.constrainedUsd = bound.plan.totalUsd;
  } catch (e) {
    if (!(e instanceof Infeasible)) throw e;
    out.infeasible = { message: e.message, detail: e.detail, ...(e.hint && { hint: e.hint }) };
  }
  return out;
}
