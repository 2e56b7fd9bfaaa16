/** Told apart without loading the PostgreSQL driver, which a DuckDB workspace never needs. */
export function isPostgresUrl(s: string | undefined): boolean {
  return !!s && /^postgres(ql)?:\/\//i.test(s);
}
