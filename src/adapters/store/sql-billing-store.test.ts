import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { billingStoreSuite } from './billing-store.suite.js';
import { SqlBillingStore } from './sql-billing-store.js';
import type { SqlStore } from './sql-store.js';
import { openMemoryStore, openStore } from './workspace.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

export const billingOn = (store: SqlStore) => ({ billing: new SqlBillingStore(store.session), transaction: <T>(fn: () => Promise<T>) => store.session.transaction(fn), close: () => store.close() });

billingStoreSuite('duckdb in memory', async () => billingOn(await openMemoryStore()));
billingStoreSuite('duckdb file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'penny-bill-'));
  dirs.push(dir);
  return billingOn(await openStore(dir));
});
