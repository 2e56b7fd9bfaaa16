/**
 * The same store suites as DuckDB, against a real PostgreSQL (test/postgres.ts starts a throwaway
 * cluster, or uses PENNY_TEST_POSTGRES_URL). Each store opened gets its own schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshSchema, postgresUnavailable, startPostgres, type TestPostgres } from '../../../test/postgres.js';
import { billingStoreSuite } from './billing-store.suite.js';
import { SqlBillingStore } from './sql-billing-store.js';
import { SqlTelemetryStore } from './sql-telemetry-store.js';
import { storeSuite } from './store.suite.js';
import { telemetryStoreSuite } from './telemetry-store.suite.js';
import { openPostgresStore } from './workspace.js';

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`skipping PostgreSQL store suites: ${unavailable}`);

describe.skipIf(!!unavailable)('postgresql 15', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => pg?.stop());
  const open = () => openPostgresStore(pg.url, { schema: freshSchema() });

  storeSuite('postgres', open);

  it('refuses a database a newer Penny migrated', async () => {
    const schema = freshSchema();
    const a = await openPostgresStore(pg.url, { schema });
    await a.session.run(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (199, 'from a later Penny', 't')`);
    await a.close();
    await expect(openPostgresStore(pg.url, { schema })).rejects.toThrow(/schema version 199.*newer Penny/s);
  });
  telemetryStoreSuite('postgres', async () => {
    const store = await open();
    return { tel: new SqlTelemetryStore(store.session), close: () => store.close() };
  });
  billingStoreSuite('postgres', async () => {
    const store = await open();
    return { billing: new SqlBillingStore(store.session), transaction: (fn) => store.session.transaction(fn), close: () => store.close() };
  });
});
