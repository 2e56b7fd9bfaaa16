/**
 * The SQL session: the thin part a database driver implements. Store logic (SqlStore) is written
 * once against it in SQL that DuckDB and PostgreSQL both accept.
 */
export type SqlValue = string | number | bigint | boolean | null;

export interface SqlSession {
  readonly dialect: 'duckdb' | 'postgres';
  all<T = Record<string, unknown>>(sql: string, params?: SqlValue[]): Promise<T[]>;
  run(sql: string, params?: SqlValue[]): Promise<void>;
  /**
   * Run `fn` in one transaction. Calls made inside it (in its async context) join it; any other
   * caller waits its turn: concurrent callers never share a transaction.
   */
  transaction<T>(fn: (s: SqlSession) => Promise<T>): Promise<T>;
  /** Bulk insert; drivers use their fastest path (DuckDB's appender). */
  insertMany(table: string, columns: string[], rows: SqlValue[][]): Promise<void>;
  close(): Promise<void>;
}

/**
 * `expr` (text) ordered byte by byte on every driver: DuckDB's order, and PostgreSQL's only in a
 * database created with the C collation; a server's usual en_US.utf8 or ICU collation puts "ml"
 * before "Research" and skips "_" and "-", so lists and top-N charts would differ by driver.
 */
export function bytewise(dialect: SqlSession['dialect'], expr: string): string {
  return dialect === 'postgres' ? `${expr} COLLATE "C"` : expr;
}

/** A driver error, with the statement that failed (Drizzle's habit: the query tells the story). */
export class StoreError extends Error {
  readonly sql: string;
  constructor(message: string, sql: string, cause?: unknown) {
    super(`${message}\n  in: ${sql.replace(/\s+/g, ' ').trim().slice(0, 300)}`, { cause });
    this.name = 'StoreError';
    this.sql = sql;
  }
}
