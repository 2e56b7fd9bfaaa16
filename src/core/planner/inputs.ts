/** What the planner is given: a horizon, workload classes with demand, offerings and constraints. */
import type { Offering } from '../catalog/offering.js';
import type { PriceModel } from '../catalog/query.js';
import type { Decimal } from '../money.js';

export interface WorkloadClass {
  name: string;
  /** D[c,t]: work units per period (1 = one GPU-hour on the reference GPU), length = periods. */
  demand: number[];
  /** f[c,g]: work units one GPU of type g delivers per hour for this class; absent = cannot run there. */
  throughput: Record<string, number>;
  /** σ_c: most of the class's demand that spot capacity may cover, 0..1. */
  spotShare: number;
  /** Region allow-list (data locality): region, `provider/region` or provider names; absent = anywhere. */
  regions?: string[];
  /** Where the class's data lives, and what moving it elsewhere costs. */
  data?: { region: string; gbPerWorkUnit: number; egressUsdPerGb: Decimal };
}

export interface GroupQuota {
  provider: string;
  region?: string;
  /** Most GPUs running at once in this provider (and region), all pricing models together. */
  maxGpus: number;
}

/**
 * A savings plan: a spend commitment in USD per hour over a term, which pays for on-demand usage
 * of the offerings it covers at a discount (AWS Compute Savings Plans, Azure savings plans).
 * Usage beyond the commitment is paid on demand; the commitment is paid whether used or not.
 */
export interface SavingsPlan {
  name: string;
  /** Offerings it covers: this provider's, optionally only these regions and GPU types. */
  provider: string;
  regions?: string[];
  gpus?: string[];
  termYears: number;
  payment: 'none' | 'partial' | 'all';
  /** Share off the on-demand rate for covered usage, 0..1 (the rate of the chosen term and payment). */
  discount: number;
  /** Most USD per hour that may be committed. */
  maxUsdPerHour?: number;
}

export interface PlanInputs {
  name: string;
  /** Δ: hours per period. */
  periodHours: number;
  /** T: number of periods. */
  periods: number;
  classes: WorkloadClass[];
  offerings: Offering[];
  /** Expected spot availability per period, 0..1, by offering id; `defaultAvailability` otherwise. */
  spot: { defaultAvailability: number; byOffering: Record<string, number[]> };
  /** q_o: most instances of an offering at once (all pricing models together), by offering id. */
  offeringQuota: Record<string, number>;
  groupQuotas: GroupQuota[];
  budgetUsd?: Decimal;
  /** Savings plans the planner may commit to (sized like reservations; allowed with `reserved`). */
  savingsPlans?: SavingsPlan[];
  /** Pricing models the planner may use (default all). */
  allow?: Partial<Record<PriceModel, boolean>>;
}
