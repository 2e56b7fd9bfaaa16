/** DuckDB driver for the SQL session: the embedded default store, one file in the workspace. */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { StoreError, type SqlSession, type SqlValue } from './session.js';

/**
 * PENNY_TRACE_STORE=1 writes each commit's start and duration to stderr: how long a large ingest
 * spends in DuckDB's commit, and the moment the crash-safety tests kill a process inside it.
 */
const trace = process.env.PENNY_TRACE_STORE === '1' ? (event: string) => process.stderr.write(`penny store: ${event}\n`) : undefined;

export class DuckDbSession implements SqlSession {
  readonly dialect = 'duckdb' as const;
  private depth = 0;
  // One connection, so statements from concurrent callers are serialised here rather than
  // interleaved inside someone else's transaction.
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  static async open(path: string): Promise<DuckDbSession> {
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (e) {
      throw new StoreError((e as Error).message, `open ${path}`, e);
    }
    const conn = await instance.connect();
    return new DuckDbSession(instance, conn);
  }

  async all<T>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    try {
      const reader = await this.conn.runAndReadAll(sql, params.length ? (params as never) : undefined);
      return reader.getRowObjectsJS() as T[];
    } catch (e) {
      throw new StoreError((e as Error).message, sql, e);
    }
  }

  async run(sql: string, params: SqlValue[] = []): Promise<void> {
    try {
      await this.conn.run(sql, params.length ? (params as never) : undefined);
    } catch (e) {
      throw new StoreError((e as Error).message, sql, e);
    }
  }

  async transaction<T>(fn: (s: SqlSession) => Promise<T>): Promise<T> {
    if (this.depth > 0) return fn(this);
    const prev = this.queue;
    let release!: () => void;
    this.queue = new Promise<void>((r) => (release = r));
    await prev.catch(() => undefined);
    this.depth++;
    try {
      await this.run('BEGIN TRANSACTION');
      try {
        const out = await fn(this);
        trace?.('commit: start');
        const t0 = Date.now();
        await this.run('COMMIT');
        trace?.(`commit: done in ${Date.now() - t0} ms`);
        return out;
      } catch (e) {
        await this.run('ROLLBACK').catch(() => undefined);
        throw e;
      }
    } finally {
      this.depth--;
      release();
    }
  }

  private tableColumns = new Map<string, string[]>();

  async insertMany(table: string, columns: string[], rows: SqlValue[][]): Promise<void> {
    if (rows.length === 0) return;
    let cols = this.tableColumns.get(table);
    if (!cols) {
      cols = (await this.all<{ name: string }>(`SELECT column_name AS name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`, [table])).map((r) => r.name);
      this.tableColumns.set(table, cols);
    }
    if (cols.length === columns.length && cols.every((c, i) => c === columns[i])) {
      // The appender is DuckDB's bulk path (about 50× the multi-row INSERT) and writes inside the
      // connection's open transaction, so a rollback still removes every row. Values go in as
      // text: DuckDB casts text to DECIMAL exactly, never through a double.
      const appender = await this.conn.createAppender(table);
      try {
        for (const row of rows) {
          for (const v of row) {
            if (v === null) appender.appendNull();
            else if (typeof v === 'boolean') appender.appendBoolean(v);
            else appender.appendVarchar(String(v));
          }
          appender.endRow();
        }
        appender.flushSync();
      } catch (e) {
        throw new StoreError((e as Error).message, `append into ${table}`, e);
      } finally {
        appender.closeSync();
      }
      return;
    }
    const chunk = Math.max(1, Math.floor(2000 / columns.length));
    for (let i = 0; i < rows.length; i += chunk) {
      const part = rows.slice(i, i + chunk);
      const placeholders = part
        .map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`)
        .join(', ');
      await this.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${placeholders}`, part.flat());
    }
  }

  /**
   * Bulk load through DuckDB's appender: every column of `table`, in its order, typed by `kinds`.
   * Much faster than VALUES for measurements (millions of telemetry samples); not for money, which
   * goes through insertMany so decimals stay text until DuckDB casts them.
   */
  async appendRows(table: string, kinds: ('varchar' | 'bigint' | 'double')[], rows: SqlValue[][]): Promise<void> {
    if (rows.length === 0) return;
    let appender;
    try {
      appender = await this.conn.createAppender(table);
      for (const r of rows) {
        for (let c = 0; c < kinds.length; c++) {
          const v = r[c];
          if (v === null || v === undefined) appender.appendNull();
          else if (kinds[c] === 'varchar') appender.appendVarchar(String(v));
          else if (kinds[c] === 'bigint') appender.appendBigInt(BigInt(v as number));
          else appender.appendDouble(Number(v));
        }
        appender.endRow();
      }
      appender.flushSync();
    } catch (e) {
      throw new StoreError((e as Error).message, `append ${rows.length} rows to ${table}`, e);
    } finally {
      appender?.closeSync();
    }
  }

  async close(): Promise<void> {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
