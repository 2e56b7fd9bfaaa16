import { MONEY_COLUMNS, QUANTITY_COLUMNS, TEXT_COLUMNS, TIME_COLUMNS, storeColumn } from '../../../core/billing/focus.js';
import type { Migration } from './index.js';

// DECIMAL(38, 18): exports carry 11+ digits after the point; 18 keeps every digit seen in practice
// and leaves 20 before it. Times are ISO 8601 UTC text, which sorts and compares correctly.
export const billing: Migration[] = [
  {
    version: 100,
    name: 'FOCUS billing: files, rows, budgets',
    up: [
      `CREATE TABLE billing_files (
        id VARCHAR PRIMARY KEY,
        path VARCHAR NOT NULL,
        rows INTEGER NOT NULL,
        currency VARCHAR NOT NULL,
        period_start VARCHAR,
        period_end VARCHAR,
        billed_total DECIMAL(38, 18) NOT NULL,
        effective_total DECIMAL(38, 18) NOT NULL,
        columns JSON NOT NULL,
        ingested_at VARCHAR NOT NULL
      )`,
      `CREATE TABLE billing_rows (
        file_id VARCHAR NOT NULL,
        line INTEGER NOT NULL,
        ${MONEY_COLUMNS.map((c) => `${storeColumn(c)} DECIMAL(38, 18)`).join(',\n        ')},
        ${QUANTITY_COLUMNS.map((c) => `${storeColumn(c)} DECIMAL(38, 18)`).join(',\n        ')},
        ${TIME_COLUMNS.map((c) => `${storeColumn(c)} VARCHAR`).join(',\n        ')},
        ${TEXT_COLUMNS.map((c) => `${storeColumn(c)} VARCHAR`).join(',\n        ')},
        tags JSON,
        extra JSON,
        PRIMARY KEY (file_id, line)
      )`,
      `CREATE TABLE budgets (
        name VARCHAR PRIMARY KEY,
        amount DECIMAL(38, 18) NOT NULL,
        currency VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        scope_kind VARCHAR NOT NULL,
        scope_key VARCHAR,
        scope_value VARCHAR,
        thresholds JSON NOT NULL,
        created_at VARCHAR NOT NULL
      )`,
    ],
  },
];
