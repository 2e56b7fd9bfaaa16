/**
 * Schema migrations, applied in version order when a store opens. Each feature owns a file and a
 * range of versions (foundation 1–99, billing/telemetry 100–199, planner 200–299, forecast
 * 300–399, simulation 400–499, http 500–599) so features never collide.
 * Money columns are DECIMAL(38, 12), never DOUBLE: sums must match the source to the last digit.
 */
import { foundation } from './001-foundation.js';
import { billing } from './100-billing.js';
import { billingSlices } from './101-billing-slices.js';
import { billingDeliveries } from './102-billing-deliveries.js';
import { telemetry } from './150-telemetry.js';
import { telemetryRollups } from './151-telemetry-rollups.js';

/** A statement both databases accept, or one per dialect where they differ. */
export type MigrationStatement = string | { duckdb: string; postgres: string };

export interface Migration {
  version: number;
  name: string;
  up: MigrationStatement[];
}

export const migrations: Migration[] = [...foundation, ...billing, ...billingSlices, ...billingDeliveries, ...telemetry, ...telemetryRollups].sort((a, b) => a.version - b.version);
