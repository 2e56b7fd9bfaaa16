/**
 * PostgreSQL driver for the SQL session: the shared store for a team (`--database postgres://…`).
 *
 * A pool of connections; a transaction takes its own client from the pool for its whole life, so
 * concurrent callers never share one (the lost-write bug of a shared connection cannot happen
 * here). Statements issued inside `transaction(fn)` — through the session handed to `fn` or
 * through this session object itself — find that client through AsyncLocalStorage, and a nested
 * `transaction` joins it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { StoreError, type SqlSession, type SqlValue } from './session.js';

// Text in, text out for the types a JS value would distort: NUMERIC already arrives as text (the
// driver's default); JSON is kept as text because the stores parse it themselves, as they do
// with DuckDB; BIGINT stays the driver's string (callers wrap counts in Number()).
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 114 || oid === 3802) return (v: string) => v;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export interface PostgresOptions {
  /** Use this schema (created if missing) instead of the URL's default: one database, many workspaces or test runs. */
  schema?: string;
  /** Pool size (default 10). */
  max?: number;
}

/** Postgres rejects a bind message with more than 65,535 parameters; unnest keeps it at one per column. */
const ROWS_PER_STATEMENT = 5_000;

export class PostgresSession implements SqlSession {
  readonly dialect = 'postgres' as const;
  private readonly tx = new AsyncLocalStorage<pg.PoolClient>();
  private readonly columnTypes = new Map<string, Map<string, string>>();

  private constructor(private readonly pool: pg.Pool, readonly url: string) {}

  static async open(url: string, o: PostgresOptions = {}): Promise<PostgresSession> {
    if (o.schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(o.schema)) throw new StoreError(`not a schema name: ${JSON.stringify(o.schema)} (lower-case letters, digits, _)`, `open ${redact(url)}`);
    const pool = new pg.Pool({
      connectionString: url,
      max: o.max ?? 10,
      types: TYPES,
      ...(o.schema && { options: `-c search_path=${o.schema}` }),
    });
    // An idle client losing its server (a restart) must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    const s = new PostgresSession(pool, url);
    try {
      if (o.schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${o.schema}`);
      else await pool.query('SELECT 1');
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw new StoreError(`cannot connect to PostgreSQL at ${redact(url)}: ${(e as Error).message}`, `open ${redact(url)}`, e);
    }
    return s;
  }

  private client(): pg.Pool | pg.PoolClient {
    return this.tx.getStore() ?? this.pool;
  }

  async all<T = Record<string, unknown>>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    try {
      const r = await this.client().query(sql, params.map(toParam));
      return r.rows as T[];
    } catch (e) {
      throw new StoreError((e as Error).message, sql, e);
    }
  }

  async run(sql: string, params: SqlValue[] = []): Promise<void> {
    await this.all(sql, params);
  }

  async transaction<T>(fn: (s: SqlSession) => Promise<T>): Promise<T> {
    if (this.tx.getStore()) return fn(this);
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw new StoreError((e as Error).message, 'connect', e);
    }
    let broken = false;
    try {
      await this.control(client, 'BEGIN');
      const out = await this.tx.run(client, () => fn(this));
      // A deferred constraint or a serialization failure surfaces here, as a StoreError.
      await this.control(client, 'COMMIT');
      return out;
    } catch (e) {
      // The caller's own error (bad input, a failed statement) goes up as it was thrown.
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw e;
    } finally {
      // A client whose rollback failed is in an unknown state: destroy it rather than reuse it.
      client.release(broken);
    }
  }

  private async control(client: pg.PoolClient, sql: 'BEGIN' | 'COMMIT'): Promise<void> {
    try {
      await client.query(sql);
    } catch (e) {
      throw new StoreError((e as Error).message, sql, e);
    }
  }

  /** Column name → SQL type of `table`, so text values are cast where the INSERT reads them. */
  private async typesOf(table: string): Promise<Map<string, string>> {
    let m = this.columnTypes.get(table);
    if (!m) {
      const rows = await this.all<{ name: string; type: string }>(
        `SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type FROM pg_attribute a
         WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`,
        [table],
      );
      if (rows.length === 0) throw new StoreError(`no table ${table}`, `insert into ${table}`);
      m = new Map(rows.map((r) => [r.name, r.type]));
      this.columnTypes.set(table, m);
    }
    return m;
  }

  /**
   * Bulk insert as `INSERT … SELECT * FROM unnest($1::type[], …)`: one array parameter per column,
   * so a statement carries thousands of rows whatever the column count, and decimals travel as text
   * into NUMERIC (never through a double).
   */
  async insertMany(table: string, columns: string[], rows: SqlValue[][]): Promise<void> {
    if (rows.length === 0) return;
    const types = await this.typesOf(table);
    const casts = columns.map((c, i) => {
      const t = types.get(c);
      if (!t) throw new StoreError(`no column ${c} in ${table}`, `insert into ${table}`);
      return `$${i + 1}::${t}[]`;
    });
    const sql = `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${casts.join(', ')})`;
    const work = async () => {
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
        const part = rows.slice(i, i + ROWS_PER_STATEMENT);
        const arrays = columns.map((_, c) => part.map((r) => toParam(r[c] ?? null)));
        try {
          await this.client().query(sql, arrays);
        } catch (e) {
          throw new StoreError((e as Error).message, sql, e);
        }
      }
    };
    // Several statements: all or none, joining the caller's transaction when there is one.
    if (rows.length > ROWS_PER_STATEMENT && !this.tx.getStore()) await this.transaction(work);
    else await work();
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function toParam(v: SqlValue): string | number | boolean | null {
  return typeof v === 'bigint' ? v.toString() : v;
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+):[^@]*@/, '$1:***@');
}

export { isPostgresUrl } from './database-url.js';
