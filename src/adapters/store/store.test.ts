import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storeSuite } from './store.suite.js';
import { openMemoryStore, openStore } from './workspace.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'penny-store-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

storeSuite('duckdb in memory', openMemoryStore);
storeSuite('duckdb file', () => openStore(tmp()));

describe('workspace', () => {
  it('keeps data across reopen and applies each migration once', async () => {
    const dir = tmp();
    const a = await openStore(dir);
    const v = await a.schemaVersion();
    await a.saveScenario({ name: 'n', source: 's', scenario: {} as never, contentHash: 'abc', createdAt: 't' });
    await a.close();
    const b = await openStore(dir);
    expect(await b.schemaVersion()).toBe(v);
    expect(await b.migrate()).toEqual([]);
    expect((await b.listScenarios()).map((s) => s.name)).toEqual(['n']);
    await b.close();
  });
});
