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
  /** Pricing models the planner may use (default all). */
  allow?: Partial<Record<PriceModel, boolean>>;
}
