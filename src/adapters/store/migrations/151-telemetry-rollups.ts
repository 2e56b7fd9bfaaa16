import type { Migration } from './index.js';

/**
 * Roll-ups of GPU samples (`penny gpu compact`): per GPU and bucket (60,000 ms, 3,600,000 ms) the
 * count, min, sum and max of each reading (so means re-roll exactly and peaks survive) and the
 * additive figures of the usage report: observed, busy, gap and idle seconds, energy.
 */
export const telemetryRollups: Migration[] = [
  {
    version: 151,
    name: 'gpu telemetry roll-ups',
    up: [
      `CREATE TABLE gpu_rollups (
        gpu_id VARCHAR NOT NULL,
        bucket_ms BIGINT NOT NULL,
        start_ms BIGINT NOT NULL,
        samples BIGINT NOT NULL,
        util_n BIGINT NOT NULL, util_min DOUBLE PRECISION, util_sum DOUBLE PRECISION NOT NULL, util_max DOUBLE PRECISION,
        power_n BIGINT NOT NULL, power_min DOUBLE PRECISION, power_sum DOUBLE PRECISION NOT NULL, power_max DOUBLE PRECISION,
        mem_n BIGINT NOT NULL, mem_min DOUBLE PRECISION, mem_sum DOUBLE PRECISION NOT NULL, mem_max DOUBLE PRECISION,
        observed_s DOUBLE PRECISION NOT NULL,
        busy_s DOUBLE PRECISION NOT NULL,
        util_s DOUBLE PRECISION NOT NULL,
        util_obs_s DOUBLE PRECISION NOT NULL,
        energy_kwh DOUBLE PRECISION NOT NULL,
        gap_s DOUBLE PRECISION NOT NULL,
        idle_s DOUBLE PRECISION NOT NULL,
        idle_energy_kwh DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (gpu_id, bucket_ms, start_ms)
      )`,
    ],
  },
];
