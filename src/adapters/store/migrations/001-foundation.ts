import type { Migration } from './index.js';

export const foundation: Migration[] = [
  {
    version: 1,
    name: 'scenarios and cost reports',
    up: [
      `CREATE TABLE scenarios (
        id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        content_hash VARCHAR NOT NULL UNIQUE,
        source VARCHAR NOT NULL,
        scenario JSON NOT NULL,
        created_at VARCHAR NOT NULL
      )`,
      `CREATE TABLE cost_reports (
        id VARCHAR PRIMARY KEY,
        scenario_id VARCHAR NOT NULL REFERENCES scenarios(id),
        currency VARCHAR NOT NULL,
        total DECIMAL(38, 12) NOT NULL,
        report JSON NOT NULL,
        created_at VARCHAR NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    name: 'runs: plans, forecasts and simulations recorded as decisions',
    up: [
      `CREATE TABLE runs (
        id VARCHAR PRIMARY KEY,
        kind VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        input_hash VARCHAR NOT NULL,
        summary JSON NOT NULL,
        result JSON NOT NULL,
        created_at VARCHAR NOT NULL,
        UNIQUE (kind, input_hash)
      )`,
    ],
  },
];
