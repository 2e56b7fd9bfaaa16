/** DuckDB driver for the SQL session: the embedded default store, one file in the workspace. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { duckdbApi, type DuckDBAppender, type DuckDBConnection, type DuckDBInstance } from './duckdb-api.js';
import { ChunkWriter } from './duckdb-chunk.js';
import { StoreError, type SqlSession, type SqlValue } from './session.js';

/**
 * PENNY_TRACE_STORE=1 writes each commit's start and duration to stderr: how long a large ingest
 * spends in DuckDB's commit, and the moment the crash-safety tests kill a process inside it.
 */
const trace = process.env.PENNY_TRACE_STORE === '1' ? (event: string) => process.stderr.write(`penny store: ${event}\n`) : undefined;

/** Statements that only read, safe on a reader connection. */
const READ_ONLY = /^\s*(select|with|from|describe|show|explain|pragma|summarize)\b/i;

/** The transaction a piece of async code runs in, found through its async context. */
interface TxScope {
  open: boolean;
}

/** Rows from which insertMany loads through COPY (off the event loop) rather than the appender. */
const COPY_MIN_ROWS = 200;
let copySeq = 0;

/**
 * Rows as CSV for COPY: every non-null value quoted (quotes doubled), NULL as an unquoted \N, so
 * an empty string, the text "\N" and NULL stay three different things.
 */
function csvOf(rows: SqlValue[][]): string {
  const parts: string[] = [];
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (i) line += ',';
      if (v === null || v === undefined) line += '\\N';
      else {
        const t = String(v);
        line += t.includes('"') ? `"${t.replace(/"/g, '""')}"` : `"${t}"`;
      }
    }
    parts.push(line);
  }
  return parts.join('\n') + '\n';
}

/** Read connections beside the writer: enough for concurrent API reads, few enough to stay cheap. */
const READERS = 4;

/**
 * Concurrency model. DuckDB allows several connections on one instance, with MVCC between them.
 * - All writes go through one writer connection, one transaction at a time, queued in arrival
 *   order: concurrent callers never share a transaction, so one caller's rollback cannot take
 *   another's confirmed write with it, and there are no write-write conflicts to retry.
 * - Whether a call is nested inside a transaction is decided by its async context
 *   (AsyncLocalStorage), not by a counter: code running inside `transaction(fn)` (even through
 *   the outer session object, or a store built over it) joins that transaction; anyone else waits.
 * - Statements outside a transaction: writes wait in the same queue (each commits on its own);
 *   reads run on reader connections and see committed data only, so a long upload never blocks a
 *   report and a report never sees half an upload.
 */
export class DuckDbSession implements SqlSession {
  readonly dialect = 'duckdb' as const;
  private readonly scope = new AsyncLocalStorage<TxScope>();
  private writeQueue: Promise<unknown> = Promise.resolve();
  private readerBusy: number[];
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly readers: DuckDBConnection[],
    private readonly copyWrites: boolean,
  ) {
    this.readerBusy = readers.map(() => 0);
  }

  /**
   * `copyWrites`: large batches go in by COPY, which DuckDB parses and casts on its own threads, so
   * a serving process's event loop stays free (about 20% slower than the appender on one ingest:
   * the CLI keeps the appender).
   */
  static async open(path: string, o: { copyWrites?: boolean; memoryLimit?: string; threads?: number } = {}): Promise<DuckDbSession> {
    let instance: DuckDBInstance;
    try {
      const config = { ...(o.memoryLimit && { memory_limit: o.memoryLimit }), ...(o.threads && { threads: String(o.threads) }) };
      instance = await duckdbApi.DuckDBInstance.create(path, Object.keys(config).length ? config : undefined);
    } catch (e) {
      throw new StoreError((e as Error).message, `open ${path}`, e);
    }
    const conn = await instance.connect();
    const readers: DuckDBConnection[] = [];
    for (let i = 0; i < READERS; i++) readers.push(await instance.connect());
    return new DuckDbSession(instance, conn, readers, o.copyWrites === true);
  }

  /** True when the caller's async context is inside one of this session's open transactions. */
  private inTransaction(): boolean {
    return this.scope.getStore()?.open === true;
  }

  /** Run `fn` alone on the writer connection, after every write queued before it. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.writeQueue;
    const out = prev.catch(() => undefined).then(fn);
    this.writeQueue = out.catch(() => undefined);
    return out;
  }

  private async query<T>(conn: DuckDBConnection, sql: string, params: SqlValue[]): Promise<T[]> {
    if (conn === this.conn) this.endBulk();
    try {
      const reader = await conn.runAndReadAll(sql, params.length ? (params as never) : undefined);
      return reader.getRowObjectsJS() as T[];
    } catch (e) {
      throw new StoreError((e as Error).message, sql, e);
    }
  }

  async all<T>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    if (this.inTransaction()) return this.query<T>(this.conn, sql, params);
    if (!READ_ONLY.test(sql)) return this.exclusive(() => this.query<T>(this.conn, sql, params));
    // The least busy reader; each runs its statement in its own (autocommit) read transaction.
    let i = 0;
    for (let k = 1; k < this.readers.length; k++) if (this.readerBusy[k]! < this.readerBusy[i]!) i = k;
    this.readerBusy[i]!++;
    try {
      return await this.query<T>(this.readers[i]!, sql, params);
    } finally {
      this.readerBusy[i]!--;
    }
  }

  async run(sql: string, params: SqlValue[] = []): Promise<void> {
    const exec = async () => {
      this.endBulk();
      try {
        await this.conn.run(sql, params.length ? (params as never) : undefined);
      } catch (e) {
        throw new StoreError((e as Error).message, sql, e);
      }
    };
    if (this.inTransaction()) return exec();
    return this.exclusive(exec);
  }

  async transaction<T>(fn: (s: SqlSession) => Promise<T>): Promise<T> {
    if (this.inTransaction()) return fn(this);
    return this.exclusive(async () => {
      const scope: TxScope = { open: true };
      return this.scope.run(scope, async () => {
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
        } finally {
          // Work the callback left running (a promise it did not await) must not write into
          // whatever transaction comes next on this connection.
          scope.open = false;
        }
      });
    });
  }

  private tableColumns = new Map<string, string[]>();

  /**
   * The appender of a run of insertMany calls into one table inside a transaction, with its
   * reusable chunk: creating an appender per call (an ingest makes hundreds) cost about a tenth of
   * a large ingest's CPU. Every call still flushes its rows, so a constraint error names the call
   * that caused it; the appender closes before any other statement runs on the writer connection.
   */
  private bulk: { table: string; appender: DuckDBAppender; writer: ChunkWriter | undefined } | undefined;

  /** Close the open bulk appender, if any (its rows are already flushed). */
  private endBulk(): void {
    const b = this.bulk;
    if (!b) return;
    this.bulk = undefined;
    try {
      b.appender.closeSync();
    } catch {
      // A failed flush leaves the appender invalid; that failure was already thrown to its caller.
    }
  }

  async insertMany(table: string, columns: string[], rows: SqlValue[][]): Promise<void> {
    if (rows.length === 0) return;
    // Outside a transaction the rows still go in whole or not at all, in the writer's queue.
    if (!this.inTransaction()) return this.transaction(() => this.insertMany(table, columns, rows));
    let cols = this.tableColumns.get(table);
    if (!cols) {
      cols = (await this.all<{ name: string }>(`SELECT column_name AS name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`, [table])).map((r) => r.name);
      this.tableColumns.set(table, cols);
    }
    if (this.copyWrites && rows.length >= COPY_MIN_ROWS) {
      // Large batches (an ingest's) go through COPY from a CSV file, which DuckDB parses and casts
      // on its own threads: the appender's flush casts on the calling thread, and a 2,048-row
      // flush held a serving process's event loop for hundreds of milliseconds. Values are text as
      // in the appender path: DuckDB casts text to DECIMAL exactly, never through a double.
      const file = join(tmpdir(), `penny-copy-${process.pid}-${++copySeq}.csv`);
      await writeFile(file, csvOf(rows));
      try {
        await this.run(`COPY ${table} (${columns.join(', ')}) FROM '${file.replace(/'/g, "''")}' (FORMAT csv, HEADER false, DELIMITER ',', QUOTE '"', ESCAPE '"', NULLSTR '\\N', ALLOW_QUOTED_NULLS false, AUTO_DETECT false)`);
      } finally {
        await rm(file, { force: true });
      }
      return;
    }
    if (cols.length === columns.length && cols.every((c, i) => c === columns[i])) {
      // The appender is DuckDB's bulk path for small batches (about 50× the multi-row INSERT) and
      // writes inside the connection's open transaction, so a rollback still removes every row.
      let b = this.bulk;
      if (b?.table !== table) {
        this.endBulk();
        const appender = await this.conn.createAppender(table);
        const types = Array.from({ length: appender.columnCount }, (_, k) => appender.columnType(k));
        b = this.bulk = { table, appender, writer: ChunkWriter.forTypes(types) };
      }
      const { appender, writer } = b;
      try {
        // Typed columns (data chunks): no call into DuckDB per cell but per string, and decimals
        // already as their scaled integers (exact), not text for DuckDB to cast.
        if (writer?.accepts(rows)) writer.append(appender, rows);
        else {
          for (const row of rows) {
            for (const v of row) {
              if (v === null) appender.appendNull();
              else if (typeof v === 'boolean') appender.appendBoolean(v);
              else appender.appendVarchar(String(v));
            }
            appender.endRow();
          }
        }
        appender.flushSync();
      } catch (e) {
        this.endBulk();
        throw new StoreError((e as Error).message, `append into ${table}`, e);
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
    if (!this.inTransaction()) return this.transaction(() => this.appendRows(table, kinds, rows));
    this.endBulk();
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

  /** Close after the writes already queued have finished. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writeQueue;
    this.endBulk();
    for (const r of this.readers) r.closeSync();
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
