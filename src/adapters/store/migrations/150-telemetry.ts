import type { Migration } from './index.js';

/** GPU telemetry: the files/queries ingested (by content hash), the GPUs seen, their samples. */
export const telemetry: Migration[] = [
  {
    version: 150,
    name: 'gpu telemetry',
    up: [
      `CREATE TABLE telemetry_sources (
        id VARCHAR PRIMARY KEY,
        kind VARCHAR NOT NULL,
        location VARCHAR NOT NULL,
        content_hash VARCHAR NOT NULL UNIQUE,
        samples BIGINT NOT NULL,
        ingested_at VARCHAR NOT NULL
      )`,
      `CREATE TABLE gpus (
        gpu_id VARCHAR PRIMARY KEY,
        host VARCHAR NOT NULL,
        gpu_index VARCHAR NOT NULL,
        model VARCHAR,
        memory_total_mib DOUBLE PRECISION
      )`,
      // Measurements, not money: a double is right here. DOUBLE PRECISION is the SQL standard's
      // spelling, which both DuckDB (as DOUBLE) and PostgreSQL accept. (gpu_id, ts_ms) is unique so overlapping
      // sources (two Prometheus ranges) never count a sample twice.
      `CREATE TABLE gpu_samples (
        gpu_id VARCHAR NOT NULL,
        ts_ms BIGINT NOT NULL,
        util_gpu_pct DOUBLE PRECISION,
        util_mem_pct DOUBLE PRECISION,
        mem_used_mib DOUBLE PRECISION,
        power_w DOUBLE PRECISION,
        source_id VARCHAR NOT NULL,
        PRIMARY KEY (gpu_id, ts_ms)
      )`,
    ],
  },
];
