import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqlTelemetryStore } from './sql-telemetry-store.js';
import { telemetryStoreSuite } from './telemetry-store.suite.js';
import { openMemoryStore, openStore } from './workspace.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

telemetryStoreSuite('duckdb in memory', async () => {
  const store = await openMemoryStore();
  return { tel: new SqlTelemetryStore(store.session), close: () => store.close() };
});
telemetryStoreSuite('duckdb file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'penny-tel-'));
  dirs.push(dir);
  const store = await openStore(dir);
  return { tel: new SqlTelemetryStore(store.session), close: () => store.close() };
});
