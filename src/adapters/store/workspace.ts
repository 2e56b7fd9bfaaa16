/**
 * A workspace is a folder (default ./.penny) holding the embedded database and nothing else the
 * user must manage, or, for a team, that folder plus a PostgreSQL database named by
 * `--database postgres://…` / PENNY_DATABASE_URL. Opening one applies pending migrations.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInput } from '../../core/errors.js';
import { DuckDbSession } from './duckdb.js';
import { isPostgresUrl } from './database-url.js';
// The driver (pg and its 30 modules) loads only for a postgres:// workspace.
import type { PostgresOptions } from './postgres.js';
const postgres = () => import('./postgres.js');
import type { SqlSession } from './session.js';
import { SqlStore } from './sql-store.js';
import { SqlBillingStore } from './sql-billing-store.js';
import { SqlTelemetryStore } from './sql-telemetry-store.js';
import { SqlTelemetryRollups } from './sql-telemetry-rollups.js';
import type { Clock } from '../../app/ports.js';
import type { SolverFactory, Workspace } from '../../app/workspace.js';

export { DEFAULT_WORKSPACE, resolveWorkspace } from './workspace-path.js';
export const DB_FILE = 'penny.duckdb';

/** The PostgreSQL URL to use (flag, then PENNY_DATABASE_URL), or undefined for the embedded DuckDB file. */
export function resolveDatabase(flag?: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = flag || env.PENNY_DATABASE_URL || undefined;
  if (url === undefined) return undefined;
  if (!isPostgresUrl(url)) {
    throw new InvalidInput(`--database must be a postgres:// URL, found ${JSON.stringify(url.replace(/:[^:@/]*@/, ':***@'))}`, [{ path: flag ? '--database' : 'PENNY_DATABASE_URL', message: 'not a postgres:// or postgresql:// URL' }], 'e.g. --database postgres://penny:secret@db.internal:5432/penny, or leave it out for the embedded DuckDB file in the workspace.');
  }
  return url;
}

export interface OpenStoreOptions {
  /** postgres://… : the shared team database instead of the workspace's DuckDB file. */
  databaseUrl?: string;
  postgres?: PostgresOptions;
  /** A serving process: DuckDB bulk writes off the event loop (DuckDbSession's copyWrites). */
  serving?: boolean;
  /**
   * A process that bulk-loads files (penny ingest): DuckDB's memory is capped (BULK_LOAD_MEMORY),
   * so a large file's pages are written out rather than kept: peak memory does not grow with the
   * file. Other processes keep DuckDB's default (most of the machine's memory, for queries).
   */
  bulkLoad?: boolean;
}

/**
 * DuckDB's memory limit in a bulk-loading process. An ingest's rows sit uncompressed in its
 * transaction until a row group (122,880 rows) is full and written to the file: about 90 MB of
 * FOCUS rows, which a 128 MB cap kept in memory (peak RSS about 325 MiB at 604,800 rows, 255 at
 * 67,200). At 64 MB DuckDB spills part of them to its temporary file instead, at no measurable CPU
 * cost (peak about 290 MiB at 604,800 rows). 32 MB went lower still (260 MiB) but was too little
 * for the ingest's last statements (an out-of-memory error in the slices' refresh); uncapped,
 * 201,600 rows peaked at 438 MiB.
 */
export const BULK_LOAD_MEMORY = '64MB';
/**
 * DuckDB's threads in a bulk-loading process: the appender runs on the calling thread, so more
 * threads do not speed an ingest, and each one's working memory counts against the cap above.
 */
export const BULK_LOAD_THREADS = 2;

export async function openStore(workspaceDir: string, o: OpenStoreOptions = {}): Promise<SqlStore> {
  await mkdir(workspaceDir, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
    // mkdir -p of a path that is a file: say so (Node's words are "EEXIST: file already exists").
    if (e.code === 'EEXIST') throw new InvalidInput(`workspace ${workspaceDir} is a file, not a folder`, [{ path: '--workspace', message: 'a file, not a folder', found: workspaceDir }], 'Name a folder with --workspace or PENNY_WORKSPACE (Penny keeps its database, penny.duckdb, inside it).');
    throw e;
  });
  const session: SqlSession = o.databaseUrl ? await (await postgres()).PostgresSession.open(o.databaseUrl, o.postgres) : await DuckDbSession.open(join(workspaceDir, DB_FILE), { copyWrites: o.serving === true, ...(o.bulkLoad && { memoryLimit: BULK_LOAD_MEMORY, threads: BULK_LOAD_THREADS }) });
  return migrated(session);
}

/** A store over the session with every migration applied; the session is closed if one fails. */
async function migrated(session: SqlSession): Promise<SqlStore> {
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
export async function openMemoryStore(o: { copyWrites?: boolean } = {}): Promise<SqlStore> {
  return migrated(await DuckDbSession.open(':memory:', o));
}

/** A store on a PostgreSQL database (optionally in its own schema), migrated. */
export async function openPostgresStore(url: string, o: PostgresOptions = {}): Promise<SqlStore> {
  return migrated(await (await postgres()).PostgresSession.open(url, o));
}

/** What a workspace needs besides its database: supplied by the composition root. */
export interface WorkspaceServices {
  clock: Clock;
  solver: SolverFactory;
}

/** The workspace over one SQL session: every store shares it, so one transaction spans them all. */
export class SqlWorkspace implements Workspace {
  readonly store: SqlStore;
  readonly billing: SqlBillingStore;
  readonly telemetry: SqlTelemetryStore;
  readonly telemetryRollups: SqlTelemetryRollups;
  readonly clock: Clock;
  readonly solver: SolverFactory;

  constructor(readonly session: SqlSession, services: WorkspaceServices) {
    this.store = new SqlStore(session);
    this.billing = new SqlBillingStore(session);
    this.telemetry = new SqlTelemetryStore(session);
    this.telemetryRollups = new SqlTelemetryRollups(session);
    this.clock = services.clock;
    this.solver = services.solver;
  }

  get driver(): string {
    return this.session.dialect;
  }

  transaction<T>(fn: (tx: Workspace) => Promise<T>): Promise<T> {
    return this.session.transaction((tx) => fn(new SqlWorkspace(tx, this)));
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

/** Open (and migrate) the workspace in `workspaceDir`, or on the PostgreSQL database named. */
export async function openWorkspace(workspaceDir: string, services: WorkspaceServices, o: OpenStoreOptions = {}): Promise<SqlWorkspace> {
  return new SqlWorkspace((await openStore(workspaceDir, o)).session, services);
}

/** A workspace over a store already open (tests, and a server handed an open store). */
export function workspaceOf(store: SqlStore, services: WorkspaceServices): SqlWorkspace {
  return new SqlWorkspace(store.session, services);
}
