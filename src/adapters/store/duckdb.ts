/** DuckDB driver for the SQL session: the embedded default store, one file in the workspace. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { duckdbApi, type DuckDBConnection, type DuckDBDataChunk, type DuckDBInstance, type DuckDBType } from './duckdb-api.js';

const { DuckDBDataChunk: DataChunk, DuckDBTypeId } = duckdbApi;
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

/** Rows in a DuckDB data chunk at most (its standard vector size). */
const CHUNK_ROWS = 2048;
const PLAIN_DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Rows as DuckDB data chunks of the table's types, when every column is VARCHAR (JSON included),
 * INTEGER, BIGINT, BOOLEAN or DECIMAL and every value is plainly of its column's type (integers
 * as safe integers, decimals as plain text within the column's scale and width). Otherwise
 * undefined: the caller appends text and DuckDB casts it, with DuckDB's own errors.
 */
function typedChunks(types: DuckDBType[], rows: SqlValue[][]): DuckDBDataChunk[] | undefined {
  const kinds = types.map((t) => t.typeId);
  for (const k of kinds) if (k !== DuckDBTypeId.VARCHAR && k !== DuckDBTypeId.INTEGER && k !== DuckDBTypeId.BIGINT && k !== DuckDBTypeId.BOOLEAN && k !== DuckDBTypeId.DECIMAL) return undefined;
  // Converted first, column by column: a value that does not fit leaves before any chunk is built.
  const columns: unknown[][] = [];
  for (let c = 0; c < types.length; c++) {
    const kind = kinds[c];
    const out: unknown[] = new Array(rows.length);
    if (kind === DuckDBTypeId.DECIMAL) {
      const { width, scale } = types[c] as unknown as { width: number; scale: number };
      for (let r = 0; r < rows.length; r++) {
        const v = rows[r]![c];
        if (v === null || v === undefined) {
          out[r] = null;
          continue;
        }
        const m = typeof v === 'string' ? PLAIN_DECIMAL.exec(v) : null;
        if (!m) return undefined;
        const frac = m[3] ?? '';
        const int = m[2]!.replace(/^0+(?=\d)/, '');
        if (frac.length > scale || int.length > width - scale) return undefined;
        const units = BigInt(int + frac.padEnd(scale, '0'));
        out[r] = { value: m[1] ? -units : units };
      }
    } else if (kind === DuckDBTypeId.INTEGER || kind === DuckDBTypeId.BIGINT) {
      for (let r = 0; r < rows.length; r++) {
        const v = rows[r]![c];
        if (v === null || v === undefined) out[r] = null;
        else if (typeof v === 'number' && Number.isSafeInteger(v) && (kind === DuckDBTypeId.BIGINT || (v >= -2147483648 && v <= 2147483647))) out[r] = kind === DuckDBTypeId.BIGINT ? BigInt(v) : v;
        else return undefined;
      }
    } else if (kind === DuckDBTypeId.BOOLEAN) {
      for (let r = 0; r < rows.length; r++) {
        const v = rows[r]![c];
        if (v === null || v === undefined) out[r] = null;
        else if (typeof v === 'boolean') out[r] = v;
        else return undefined;
      }
    } else {
      for (let r = 0; r < rows.length; r++) {
        const v = rows[r]![c];
        out[r] = v === null || v === undefined ? null : String(v);
      }
    }
    columns.push(out);
  }
  const chunks: DuckDBDataChunk[] = [];
  for (let from = 0; from < rows.length; from += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, rows.length - from);
    const chunk = DataChunk.create(types, n);
    for (let c = 0; c < types.length; c++) {
      const vector = chunk.getColumnVector(c) as unknown as { setItem(i: number, v: unknown): void; flush(): void };
      const col = columns[c]!;
      for (let r = 0; r < n; r++) vector.setItem(r, col[from + r]);
      vector.flush();
    }
    chunks.push(chunk);
  }
  return chunks;
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
  static async open(path: string, o: { copyWrites?: boolean; memoryLimit?: string } = {}): Promise<DuckDbSession> {
    let instance: DuckDBInstance;
    try {
      instance = await duckdbApi.DuckDBInstance.create(path, o.memoryLimit ? { memory_limit: o.memoryLimit } : undefined);
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
      const appender = await this.conn.createAppender(table);
      try {
        const types = Array.from({ length: appender.columnCount }, (_, k) => appender.columnType(k));
        // Typed columns (data chunks): no call into DuckDB per cell but per string, and decimals
        // already as their scaled integers (exact), not text for DuckDB to cast.
        const chunks = typedChunks(types, rows);
        if (chunks) {
          for (const c of chunks) appender.appendDataChunk(c);
        } else {
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
    if (!this.inTransaction()) return this.transaction(() => this.appendRows(table, kinds, rows));
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
    for (const r of this.readers) r.closeSync();
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
