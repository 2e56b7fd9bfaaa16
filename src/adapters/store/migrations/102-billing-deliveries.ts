import type { Migration } from './index.js';

/**
 * Which rows count, with deliveries. A delivery is the set of files one export run wrote (AWS
 * CUR's `part-00000…`, Azure's `part_0_0001…`, BigQuery's wildcard files): its parts share every
 * slice's coverage and must add up, never restate one another. So coverage and order are those of
 * the delivery (its parts' union, its latest part), and a slice of a file counts unless another
 * delivery's coverage of the same slice contains its delivery's and is larger, or equal and later.
 * A file ingested on its own is its own delivery (delivery id = file id), which is the rule before.
 * Written once here and used after every ingest and removal, and by this migration.
 */
export const REFRESH_ACTIVE_DELIVERIES = `UPDATE billing_slices AS s SET active = NOT EXISTS (
    SELECT 1
    FROM (SELECT delivery_id, slice_key, min(coverage_start) AS cs, max(coverage_end) AS ce, max(seq) AS sq FROM billing_slices GROUP BY delivery_id, slice_key) AS g
    JOIN (SELECT delivery_id, slice_key, min(coverage_start) AS cs, max(coverage_end) AS ce, max(seq) AS sq FROM billing_slices GROUP BY delivery_id, slice_key) AS me
      ON me.delivery_id = s.delivery_id AND me.slice_key = s.slice_key
    WHERE g.slice_key = s.slice_key AND g.delivery_id <> s.delivery_id
      AND g.cs <= me.cs AND g.ce >= me.ce
      AND (g.ce > me.ce OR g.cs < me.cs OR g.sq > me.sq))`;

export const billingDeliveries: Migration[] = [
  {
    version: 102,
    name: 'FOCUS billing: deliveries (the parts of one export add up)',
    up: [
      `ALTER TABLE billing_files ADD COLUMN delivery_id VARCHAR`,
      `UPDATE billing_files SET delivery_id = id`,
      `ALTER TABLE billing_slices ADD COLUMN delivery_id VARCHAR`,
      `UPDATE billing_slices SET delivery_id = file_id`,
      REFRESH_ACTIVE_DELIVERIES,
    ],
  },
];
