import { MONEY_COLUMNS, QUANTITY_COLUMNS, TEXT_COLUMNS, TIME_COLUMNS, storeColumn } from '../../../core/billing/focus.js';
import type { Migration } from './index.js';

/**
 * Which rows count: a slice (billing account × billing period) of a file counts only while no
 * other file's coverage of the same slice contains it (a fuller or later restatement of that
 * bill). Written once here and used after every ingest and removal, and by this migration.
 */
export const REFRESH_ACTIVE_SLICES = `UPDATE billing_slices AS s SET active = NOT EXISTS (
    SELECT 1 FROM billing_slices g
    WHERE g.slice_key = s.slice_key AND g.file_id <> s.file_id
      AND g.coverage_start <= s.coverage_start AND g.coverage_end >= s.coverage_end
      AND (g.coverage_end > s.coverage_end OR g.coverage_start < s.coverage_start OR g.seq > s.seq))`;

const rowColumns = [
  ...MONEY_COLUMNS.map((c) => `${storeColumn(c)} DECIMAL(38, 18)`),
  ...QUANTITY_COLUMNS.map((c) => `${storeColumn(c)} DECIMAL(38, 18)`),
  ...TIME_COLUMNS.map((c) => `${storeColumn(c)} VARCHAR`),
  ...TEXT_COLUMNS.map((c) => `${storeColumn(c)} VARCHAR`),
];
const copied = [...MONEY_COLUMNS, ...QUANTITY_COLUMNS, ...TIME_COLUMNS, ...TEXT_COLUMNS].map(storeColumn);

/**
 * Rows count only through a committed file record (the view billing_live joins them to the
 * active slices of recorded files), so rows left behind by a process killed mid-commit can never
 * be summed; the rows table loses its (file_id, line) key, whose index cost memory on every
 * ingest and made a re-ingest over such rows fail. Existing rows without a file are dropped here.
 */
export const billingSlices: Migration[] = [
  {
    version: 101,
    name: 'FOCUS billing: slices, restatements, rows counted through committed files',
    up: [
      `CREATE TABLE billing_files_v2 (
        id VARCHAR PRIMARY KEY,
        path VARCHAR NOT NULL,
        rows INTEGER NOT NULL,
        currency VARCHAR NOT NULL,
        period_start VARCHAR,
        period_end VARCHAR,
        billed_total DECIMAL(38, 18) NOT NULL,
        effective_total DECIMAL(38, 18) NOT NULL,
        columns JSON NOT NULL,
        ingested_at VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL,
        content_hash VARCHAR,
        seq BIGINT NOT NULL
      )`,
      `INSERT INTO billing_files_v2 SELECT id, path, rows, currency, period_start, period_end, billed_total, effective_total, columns, ingested_at, id, NULL,
         row_number() OVER (ORDER BY ingested_at, id) FROM billing_files`,
      `CREATE TABLE billing_rows_v2 (
        file_id VARCHAR NOT NULL,
        line INTEGER NOT NULL,
        slice_key VARCHAR NOT NULL,
        ${rowColumns.join(',\n        ')},
        tags JSON,
        extra JSON
      )`,
      `INSERT INTO billing_rows_v2 SELECT file_id, line, coalesce(provider_name, '') || '|' || coalesce(billing_account_id, '') || '|' || coalesce(billing_currency, '') || '|' || coalesce(billing_period_start, substr(charge_period_start, 1, 7)),
         ${copied.join(', ')}, tags, extra FROM billing_rows WHERE file_id IN (SELECT id FROM billing_files)`,
      `DROP TABLE billing_rows`,
      `DROP TABLE billing_files`,
      `ALTER TABLE billing_rows_v2 RENAME TO billing_rows`,
      `ALTER TABLE billing_files_v2 RENAME TO billing_files`,
      `CREATE TABLE billing_slices (
        file_id VARCHAR NOT NULL,
        slice_key VARCHAR NOT NULL,
        billing_account_id VARCHAR,
        billing_period_start VARCHAR,
        currency VARCHAR NOT NULL,
        coverage_start VARCHAR NOT NULL,
        coverage_end VARCHAR NOT NULL,
        seq BIGINT NOT NULL,
        rows BIGINT NOT NULL,
        billed DECIMAL(38, 18) NOT NULL,
        effective DECIMAL(38, 18) NOT NULL,
        active BOOLEAN NOT NULL
      )`,
      // min() rather than any_value (PostgreSQL 15 lacks it): within a group these values are one.
      `INSERT INTO billing_slices
         SELECT r.file_id, r.slice_key, min(r.billing_account_id), min(r.billing_period_start), r.billing_currency,
           min(c.s), min(c.e), min(f.seq), count(*), sum(r.billed_cost), sum(r.effective_cost), true
         FROM billing_rows r JOIN billing_files f ON f.id = r.file_id
           JOIN (SELECT file_id, slice_key, min(charge_period_start) AS s, max(charge_period_end) AS e FROM billing_rows GROUP BY file_id, slice_key) c ON c.file_id = r.file_id AND c.slice_key = r.slice_key
         GROUP BY r.file_id, r.slice_key, r.billing_currency`,
      REFRESH_ACTIVE_SLICES,
      // DuckDB plans SEMI JOIN as one hash join (EXISTS becomes a delim join); PostgreSQL has no
      // SEMI JOIN keyword and plans EXISTS as its semi join.
      {
        duckdb: `CREATE VIEW billing_live AS
         SELECT r.* FROM billing_rows r SEMI JOIN billing_slices s ON s.active AND s.file_id = r.file_id AND s.slice_key = r.slice_key`,
        postgres: `CREATE VIEW billing_live AS
         SELECT r.* FROM billing_rows r WHERE EXISTS (SELECT 1 FROM billing_slices s WHERE s.active AND s.file_id = r.file_id AND s.slice_key = r.slice_key)`,
      },
    ],
  },
];
