import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storeSuite } from './store.suite.js';
import { DB_FILE, openMemoryStore, openStore } from './workspace.js';
import { DuckDbSession } from './duckdb.js';

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

  it('says a workspace path that is a file is not a folder (bad input), not EEXIST', async () => {
    const file = join(tmp(), 'notes.txt');
    writeFileSync(file, 'x');
    await expect(openStore(file)).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/notes\.txt is a file, not a folder/) });
  });

  it('refuses a database a newer Penny migrated, and leaves it as it was', async () => {
    const dir = tmp();
    const a = await openStore(dir);
    const v = await a.schemaVersion();
    // A later Penny's migration (a feature range this one has no file for yet).
    await a.session.run(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (199, 'from a later Penny', 't')`);
    await a.close();
    await expect(openStore(dir)).rejects.toThrow(/schema version 199.*newer Penny/s);
    await expect(openStore(dir)).rejects.toMatchObject({ code: 'conflict', hint: expect.stringMatching(/upgrade Penny/i) });
    // Closed on the way out (else the file stays locked) and untouched.
    const c = await openStore(dir, {}).catch(() => undefined);
    expect(c).toBeUndefined();
    const raw = await DuckDbSession.open(join(dir, DB_FILE));
    expect((await raw.all<{ v: number }>(`SELECT max(version) AS v FROM schema_migrations WHERE version < 199`))[0]!.v).toBe(v);
    await raw.close();
  });
});
