/**
 * Provider exports read as they are (AWS CUR 2.0 CSV and Parquet, legacy CUR, Azure Cost Management,
 * Google Cloud BigQuery CSV and JSON lines), end to end with the built binary: recognised, mapped to
 * FOCUS, exact totals, tags queryable.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPenny } from './cli.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'penny-exports-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const json = async (args: string[]) => {
  const r = await runPenny(args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

const csv = (rows: string[][]) => rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\n') + '\n';

const CUR2_HEADER = ['bill_payer_account_id', 'bill_billing_period_start_date', 'bill_billing_period_end_date', 'line_item_usage_account_id', 'line_item_line_item_type', 'line_item_usage_start_date', 'line_item_usage_end_date', 'line_item_product_code', 'line_item_usage_type', 'line_item_resource_id', 'line_item_usage_amount', 'line_item_unblended_cost', 'line_item_currency_code', 'pricing_public_on_demand_cost', 'product_region_code', 'product_instance_type', 'resource_tags'];
const CUR2_ROWS = [
  ['111122223333', '2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z', '444455556666', 'Usage', '2026-10-03T05:00:00Z', '2026-10-03T06:00:00Z', 'AmazonEC2', 'USE1-BoxUsage:p5.48xlarge', 'i-0abc', '1', '98.32', 'USD', '98.32', 'us-east-1', 'p5.48xlarge', '{"user_team":"research"}'],
  ['111122223333', '2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z', '444455556666', 'Usage', '2026-10-03T05:00:00Z', '2026-10-03T06:00:00Z', 'AmazonEC2', 'USE1-SpotUsage:g5.xlarge', 'i-0def', '1', '0.4123456789', 'USD', '1.006', 'us-east-1', 'g5.xlarge', '{"user_team":"vision"}'],
  ['111122223333', '2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z', '444455556666', 'Usage', '2026-10-03T00:00:00Z', '2026-10-04T00:00:00Z', 'AmazonS3', 'TimedStorage-GlacierByteHrs', 'bucket-a', '1000', '3.6', 'USD', '3.6', 'us-east-1', '', '{}'],
  ['111122223333', '2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z', '444455556666', 'Tax', '2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z', 'AmazonEC2', '', '', '', '7.25', 'USD', '', '', '', ''],
];
const CUR2_TOTAL = '109.5823456789';

describe('AWS CUR 2.0', () => {
  it('ingests the CSV (gzip) with exact totals, and reports by service and tag', async () => {
    const f = join(tmp, 'cur2.csv.gz');
    writeFileSync(f, gzipSync(csv([CUR2_HEADER, ...CUR2_ROWS])));
    const w = join(tmp, 'ws-cur-csv');
    const [r] = await json(['-w', w, 'ingest', f, '--json']);
    expect(r.kind).toBe('focus');
    expect(r.result.file.rows).toBe(4);
    expect(r.result.file.billedTotal).toBe(CUR2_TOTAL);
    const byTeam = await json(['-w', w, 'report', '--by', 'tag:user_team', '--json']);
    expect(JSON.stringify(byTeam)).toContain('research');
    const byService = await json(['-w', w, 'report', '--by', 'ServiceName', '--json']);
    expect(JSON.stringify(byService)).toContain('AmazonS3');
  });

  it('ingests the same bill as Parquet whose resource_tags column is a MAP, with the same totals and tags', async () => {
    const src = join(tmp, 'cur2-src.csv');
    writeFileSync(src, csv([CUR2_HEADER, ...CUR2_ROWS]));
    const pq = join(tmp, 'cur2.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    // As AWS writes it: money as DECIMAL, tags as MAP(VARCHAR, VARCHAR).
    await conn.run(
      `COPY (SELECT * REPLACE (CAST(line_item_unblended_cost AS DECIMAL(38,10)) AS line_item_unblended_cost,
              CASE WHEN resource_tags IS NULL OR resource_tags = '{}' THEN MAP {}::MAP(VARCHAR, VARCHAR) ELSE CAST(json_transform(resource_tags, '{"user_team":"VARCHAR"}') AS MAP(VARCHAR, VARCHAR)) END AS resource_tags)
            FROM read_csv('${src}', all_varchar = true)) TO '${pq}' (FORMAT parquet)`,
    );
    conn.closeSync();
    db.closeSync();
    const w = join(tmp, 'ws-cur-pq');
    const [r] = await json(['-w', w, 'ingest', pq, '--json']);
    expect(r.result.file.billedTotal).toBe(CUR2_TOTAL);
    const byTeam = await json(['-w', w, 'report', '--by', 'tag:user_team', '--json']);
    expect(JSON.stringify(byTeam)).toContain('research');
    expect(JSON.stringify(byTeam)).toContain('vision');
  });
});

describe('FOCUS Parquet with Tags as a MAP', () => {
  it('reads the map as tags (it was DuckDB\'s {k=v} text before, refused as bad JSON)', async () => {
    const demo = join(process.cwd(), 'examples', 'demo', 'billing-focus.csv');
    const pq = join(tmp, 'focus-map.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run(
      `COPY (SELECT * REPLACE (CASE WHEN Tags IS NULL OR Tags = 'NULL' THEN NULL ELSE CAST(json_transform(Tags, '{"team":"VARCHAR","project":"VARCHAR"}') AS MAP(VARCHAR, VARCHAR)) END AS Tags)
            FROM read_csv('${demo}', all_varchar = true)) TO '${pq}' (FORMAT parquet)`,
    );
    conn.closeSync();
    db.closeSync();
    const w = join(tmp, 'ws-focus-map');
    const [r] = await json(['-w', w, 'ingest', pq, '--json']);
    expect(r.result.file.rows).toBe(336);
    const byTeam = await json(['-w', w, 'report', '--by', 'tag:team', '--json']);
    expect(JSON.stringify(byTeam)).toContain('research');
  });
});

describe('Azure Cost Management', () => {
  it('ingests an EA export with a BOM and US dates, days as charge periods', async () => {
    const header = ['BillingAccountId', 'BillingAccountName', 'BillingPeriodStartDate', 'BillingPeriodEndDate', 'SubscriptionId', 'SubscriptionName', 'Date', 'MeterCategory', 'MeterName', 'ResourceLocation', 'ResourceId', 'Quantity', 'UnitPrice', 'PayGPrice', 'CostInBillingCurrency', 'BillingCurrencyCode', 'ChargeType', 'PricingModel', 'Tags'];
    const rows = [
      ['8611537', 'Contoso', '10/01/2026', '10/31/2026', 's-1', 'ml', '10/05/2026', 'Virtual Machines', 'ND96asr v4', 'eastus', '/subscriptions/s-1/vm/a', '24', '27.197', '27.197', '652.728', 'EUR', 'Usage', 'OnDemand', '"team": "nlp"'],
      ['8611537', 'Contoso', '10/01/2026', '10/31/2026', 's-1', 'ml', '10/06/2026', 'Storage', 'Hot LRS', 'eastus', '/subscriptions/s-1/sa/b', '100', '0.0184', '0.0184', '1.84', 'EUR', 'Usage', 'OnDemand', ''],
    ];
    const f = join(tmp, 'azure.csv');
    writeFileSync(f, '\uFEFF' + csv([header, ...rows]).replace(/\n/g, '\r\n'));
    const w = join(tmp, 'ws-azure');
    const [r] = await json(['-w', w, 'ingest', f, '--json']);
    expect(r.result.file.billedTotal).toBe('654.568');
    expect(r.result.file.currency).toBe('EUR');
    const report = await json(['-w', w, 'report', '--by', 'ServiceName', '--json']);
    expect(JSON.stringify(report)).toContain('Virtual Machines');
  });
});

describe('Google Cloud billing export', () => {
  const header = ['billing_account_id', 'service.description', 'sku.id', 'sku.description', 'usage_start_time', 'usage_end_time', 'project.id', 'labels', 'location.region', 'cost', 'currency', 'usage.amount', 'usage.unit', 'credits', 'invoice.month', 'cost_type'];
  const rows = [
    ['01AB-CD', 'Compute Engine', 'A100', 'Nvidia Tesla A100 GPU', '2026-10-03 05:00:00 UTC', '2026-10-03 06:00:00 UTC', 'ml-prod', '[{"key":"team","value":"nlp"}]', 'us-central1', '2.933908', 'USD', '3600', 'seconds', '[{"name":"SUD","amount":-0.586782,"type":"SUSTAINED_USAGE_DISCOUNT"}]', '202610', 'regular'],
    ['01AB-CD', 'Cloud Storage', 'STD', 'Standard Storage US', '2026-10-03 00:00:00 UTC', '2026-10-04 00:00:00 UTC', 'ml-prod', '[]', 'us', '0.1', 'USD', '5', 'gibibyte month', '[]', '202610', 'regular'],
    ['01AB-CD', 'Invoice', '', 'Tax', '2026-10-01 00:00:00 UTC', '2026-11-01 00:00:00 UTC', '', '[]', '', '0.2', 'USD', '', '', '[]', '202610', 'tax'],
  ];
  const total = '2.647126';

  it('ingests the CSV export with credits netted exactly', async () => {
    const f = join(tmp, 'gcp.csv');
    writeFileSync(f, csv([header, ...rows]));
    const [r] = await json(['-w', join(tmp, 'ws-gcp-csv'), 'ingest', f, '--json']);
    expect(r.result.file.billedTotal).toBe(total);
  });

  it('ingests the newline-delimited JSON export (nested, gzip) to the same total', async () => {
    const lines = [
      { billing_account_id: '01AB-CD', service: { id: 'x', description: 'Compute Engine' }, sku: { id: 'A100', description: 'Nvidia Tesla A100 GPU' }, usage_start_time: '2026-10-03 05:00:00 UTC', usage_end_time: '2026-10-03 06:00:00 UTC', project: { id: 'ml-prod', labels: [] }, labels: [{ key: 'team', value: 'nlp' }], location: { region: 'us-central1' }, cost: '@2.933908', currency: 'USD', usage: { amount: 3600, unit: 'seconds' }, credits: [{ name: 'SUD', amount: '@-0.586782' }], invoice: { month: '202610' }, cost_type: 'regular' },
      { billing_account_id: '01AB-CD', service: { description: 'Cloud Storage' }, usage_start_time: '2026-10-03 00:00:00 UTC', usage_end_time: '2026-10-04 00:00:00 UTC', project: { id: 'ml-prod' }, cost: '@0.1', currency: 'USD', credits: [], invoice: { month: '202610' }, cost_type: 'regular' },
      { billing_account_id: '01AB-CD', service: { description: 'Invoice' }, usage_start_time: '2026-10-01 00:00:00 UTC', usage_end_time: '2026-11-01 00:00:00 UTC', cost: '@0.2', currency: 'USD', invoice: { month: '202610' }, cost_type: 'tax' },
    ];
    // Numbers as BigQuery writes them (bare JSON numbers), not strings.
    const text = lines.map((l) => JSON.stringify(l).replace(/"@(-?[0-9.]+)"/g, '$1')).join('\n') + '\n';
    const f = join(tmp, 'gcp.json.gz');
    writeFileSync(f, gzipSync(text));
    const w = join(tmp, 'ws-gcp-json');
    const [r] = await json(['-w', w, 'ingest', f, '--json']);
    expect(r.result.file.rows).toBe(3);
    expect(r.result.file.billedTotal).toBe(total);
    const byTeam = await json(['-w', w, 'report', '--by', 'tag:team', '--json']);
    expect(JSON.stringify(byTeam)).toContain('nlp');
  });

  it('refuses a bad cell naming the line and the provider\'s own column, exit 2', async () => {
    const bad = rows.map((r) => r.slice());
    bad[1]![9] = 'ten cents';
    const f = join(tmp, 'gcp-bad.csv');
    writeFileSync(f, csv([header, ...bad]));
    const r = await runPenny(['-w', join(tmp, 'ws-gcp-bad'), 'ingest', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/gcp-bad\.csv:3/);
    expect(r.stderr).toMatch(/\bcost\b/);
  });
});
