/**
 * A workspace is a folder (default ./.penny) holding the embedded database and nothing else the
 * user must manage. Opening one applies pending migrations.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDbSession } from './duckdb.js';
import { SqlStore } from './sql-store.js';

export { DEFAULT_WORKSPACE, resolveWorkspace } from './workspace-path.js';
export const DB_FILE = 'penny.duckdb';

export async function openStore(workspaceDir: string): Promise<SqlStore> {
  await mkdir(workspaceDir, { recursive: true });
  const session = await DuckDbSession.open(join(workspaceDir, DB_FILE));
  const store = new SqlStore(session);
  try {
    await store.migrate();
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}

/** An in-memory store, for tests and one-off runs. */
export async function openMemoryStore(): Promise<SqlStore> {
  const store = new SqlStore(await DuckDbSession.open(':memory:'));
  await store.migrate();
  return store;
}
