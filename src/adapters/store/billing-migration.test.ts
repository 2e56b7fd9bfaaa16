/**
 * Migration 101 on a store written before it, on both drivers: files keep their totals, rows a
 * killed ingest left without a file are dropped, and each file's slices are counted by the
 * restatement rule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshSchema, postgresUnavailable, startPostgres, type TestPostgres } from '../../../test/postgres.js';
import { DuckDbSession } from './duckdb.js';
import { migrations } from './migrations/index.js';
import { PostgresSession } from './postgres.js';
import type { SqlSession } from './session.js';
import { SqlBillingStore } from './sql-billing-store.js';
import { SqlStore } from './sql-store.js';

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`skipping migration 101 on PostgreSQL: ${unavailable}`);
let pg: TestPostgres | undefined;
beforeAll(async () => {
  if (!unavailable) pg = await startPostgres();
}, 120_000);
afterAll(async () => pg?.stop());

const drivers: [string, boolean, () => Promise<SqlSession>][] = [
  ['duckdb', false, () => DuckDbSession.open(':memory:')],
  ['postgres', !!unavailable, () => PostgresSession.open(pg!.url, { schema: freshSchema('mig') })],
];

describe.each(drivers)('migration 101 on %s: slices and counted rows', (_name, skip, open) => {
  it.skipIf(skip)('keeps recorded files, drops orphan rows, and lets a fuller month replace a partial one', async () => {
    const store = new SqlStore(await open());
    await store.migrate(migrations.filter((m) => m.version < 101));
    const s = store.session;
    const file = (id: string, total: string, at: string) =>
      s.run(`INSERT INTO billing_files VALUES ($1, $2, 1, 'USD', NULL, NULL, $3, $3, '[]', $4)`, [id, `${id}.csv`, total, at]);
    const row = (fileId: string, line: number, start: string, end: string, cost: string) =>
      s.run(`INSERT INTO billing_rows (file_id, line, billed_cost, effective_cost, charge_period_start, charge_period_end, billing_period_start, billing_currency, billing_account_id, service_name) VALUES ($1, $2, $3, $3, $4, $5, '2026-10-01T00:00:00.000Z', 'USD', 'A', 'EC2')`, [fileId, line, cost, start, end]);
    await file('mtd', '10', '2026-10-16T00:00:00Z');
    await row('mtd', 2, '2026-10-01T00:00:00.000Z', '2026-10-16T00:00:00.000Z', '10');
    await file('full', '25', '2026-11-02T00:00:00Z');
    await row('full', 2, '2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z', '25');
    // A killed ingest's rows: no file record.
    for (let i = 2; i < 50; i++) await row('killed', i, '2026-10-01T00:00:00.000Z', '2026-10-02T00:00:00.000Z', '1000');
    await store.migrate();
    const billing = new SqlBillingStore(s);
    const [r] = await billing.billingReport({ by: [] });
    expect(r!.effective).toBe('25');
    const files = await billing.listBillingFiles();
    expect(files.map((f) => [f.id, f.countedRows, f.replacedBy, f.sha256])).toEqual([
      ['mtd', 0, ['full'], 'mtd'],
      ['full', 1, [], 'full'],
    ]);
    expect(Number((await s.all<{ n: bigint }>(`SELECT count(*) AS n FROM billing_rows`))[0]!.n)).toBe(2);
    await store.close();
  }, 180_000);
});
