/** BillingStore over a SqlSession: FOCUS rows in, grouped exact sums out. */
import type { BillingFileRecord, BillingStore, BudgetRecord, CommitmentRow, Dimension, ReportQuery, ReportRow } from '../../app/billing-ports.js';
import { MONEY_COLUMNS, QUANTITY_COLUMNS, TEXT_COLUMNS, TIME_COLUMNS, storeColumn, type FocusRow } from '../../core/billing/focus.js';
import { InvalidInput } from '../../core/errors.js';
import type { SqlSession, SqlValue } from './session.js';

const ROW_COLUMNS = [
  'file_id',
  'line',
  ...MONEY_COLUMNS.map(storeColumn),
  ...QUANTITY_COLUMNS.map(storeColumn),
  ...TIME_COLUMNS.map(storeColumn),
  ...TEXT_COLUMNS.map(storeColumn),
  'tags',
  'extra',
];
const TYPED = new Set<string>([...MONEY_COLUMNS, ...QUANTITY_COLUMNS, ...TIME_COLUMNS, ...TEXT_COLUMNS]);

type Row = Record<string, unknown>;
// DECIMALs leave the database as text: a JS number would round them.
const FILE_SELECT = `SELECT id, path, rows, currency, period_start, period_end, billed_total::VARCHAR AS billed_total, effective_total::VARCHAR AS effective_total, columns, ingested_at FROM billing_files`;
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

/** Trailing zeros of DECIMAL text off: "12.500000000000000000" → "12.5". */
export function plain(v: unknown): string {
  const s = String(v ?? '0');
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

export class SqlBillingStore implements BillingStore {
  constructor(private readonly s: SqlSession) {}

  /** SQL for a dimension; names are checked, tag keys bound as parameters. */
  private dimSql(d: Dimension, params: SqlValue[]): string {
    if (d.kind === 'tag') return this.jsonText('tags', d.key.replace(/"/g, ''), params);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(d.name)) throw new InvalidInput(`not a column name: ${JSON.stringify(d.name)}`, [{ path: 'by', message: 'not a column name' }]);
    if (TYPED.has(d.name)) return storeColumn(d.name);
    return this.jsonText('extra', d.name, params);
  }

  /** A JSON object's member as text, in the session's dialect (the key bound as a parameter). */
  private jsonText(column: 'tags' | 'extra', key: string, params: SqlValue[]): string {
    if (this.s.dialect === 'postgres') {
      params.push(key);
      return `(${column}::jsonb ->> $${params.length}::text)`;
    }
    params.push(`$."${key}"`);
    return `json_extract_string(${column}, $${params.length})`;
  }

  private where(q: { from?: string; to?: string; where?: ReportQuery['where'] }, params: SqlValue[]): string {
    const parts: string[] = [];
    if (q.from) {
      params.push(q.from);
      parts.push(`charge_period_start >= $${params.length}`);
    }
    if (q.to) {
      params.push(q.to);
      parts.push(`charge_period_start < $${params.length}`);
    }
    for (const w of q.where ?? []) {
      const expr = this.dimSql(w.dim, params);
      params.push(w.value);
      parts.push(`${expr} = $${params.length}`);
    }
    return parts.length ? `WHERE ${parts.join(' AND ')}` : '';
  }

  async getBillingFile(id: string) {
    const rows = await this.s.all<Row>(`${FILE_SELECT} WHERE id = $1`, [id]);
    return rows[0] && fileFromRow(rows[0]);
  }

  async tagKeys() {
    const keys = this.s.dialect === 'postgres' ? 'jsonb_object_keys(tags::jsonb)' : 'unnest(json_keys(tags))';
    const rows = await this.s.all<{ k: string }>(`SELECT DISTINCT ${keys} AS k FROM billing_rows WHERE tags IS NOT NULL ORDER BY k`);
    return rows.map((r) => String(r.k));
  }

  async listBillingFiles() {
    return (await this.s.all<Row>(`${FILE_SELECT} ORDER BY ingested_at, id`)).map(fileFromRow);
  }

  async insertBillingFile(f: BillingFileRecord) {
    await this.s.run(`INSERT INTO billing_files (id, path, rows, currency, period_start, period_end, billed_total, effective_total, columns, ingested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
      f.id,
      f.path,
      f.rows,
      f.currency,
      f.periodStart,
      f.periodEnd,
      f.billedTotal,
      f.effectiveTotal,
      JSON.stringify(f.columns),
      f.ingestedAt,
    ]);
    await this.s.run(`UPDATE billing_rows SET billing_currency = $1 WHERE file_id = $2 AND billing_currency IS NULL`, [f.currency, f.id]);
  }

  async insertBillingRows(fileId: string, rows: FocusRow[]) {
    const values: SqlValue[][] = rows.map((r) => [
      fileId,
      r.line,
      ...MONEY_COLUMNS.map((c) => r.money[c]),
      ...QUANTITY_COLUMNS.map((c) => r.quantities[c]),
      ...TIME_COLUMNS.map((c) => r.times[c]),
      ...TEXT_COLUMNS.map((c) => r.text[c] ?? null),
      r.tags ? JSON.stringify(r.tags) : null,
      Object.keys(r.extra).length ? JSON.stringify(r.extra) : null,
    ]);
    await this.s.insertMany('billing_rows', ROW_COLUMNS, values);
  }

  async billingReport(q: ReportQuery): Promise<ReportRow[]> {
    const params: SqlValue[] = [];
    const dims = q.by.map((d) => this.dimSql(d, params));
    const period = q.granularity === 'day' ? 'substr(charge_period_start, 1, 10)' : q.granularity === 'month' ? 'substr(charge_period_start, 1, 7)' : undefined;
    const where = this.where(q, params);
    const keys = [...dims.map((d, i) => `${d} AS k${i}`), ...(period ? [`${period} AS period`] : []), 'billing_currency AS currency'];
    const kcols = dims.map((_, i) => `k${i}`);
    // GROUP BY by position, not GROUP BY ALL: PostgreSQL 15 has no GROUP BY ALL.
    const byKeys = (n: number) => `GROUP BY ${Array.from({ length: n }, (_, i) => i + 1).join(', ')}`;
    const grouped = `SELECT ${keys.join(', ')},
         sum(billed_cost) AS billed, sum(effective_cost) AS effective, sum(list_cost) AS list, count(*) AS n
       FROM billing_rows ${where}
       ${byKeys(keys.length)}`;
    let sql: string;
    if (q.top !== undefined && dims.length > 0) {
      // The largest `top` groups by effective cost over the whole range keep their keys; the rest
      // fold into "(other)" in the database, so a chart of 5,000 resources × 365 days stays small.
      const top = Math.max(1, Math.floor(q.top));
      const on = [...kcols, 'currency'].map((k) => `g.${k} IS NOT DISTINCT FROM r.${k}`).join(' AND ');
      sql = `WITH g AS (${grouped}),
        t AS (SELECT ${kcols.join(', ')}, currency, sum(effective) AS total FROM g GROUP BY ${kcols.join(', ')}, currency),
        r AS (SELECT ${kcols.join(', ')}, currency, row_number() OVER (ORDER BY total DESC, ${kcols.join(', ')}, currency) AS rn FROM t)
        SELECT ${kcols.map((k, i) => `CASE WHEN r.rn <= ${top} THEN g.${k} ELSE ${i === 0 ? "'(other)'" : 'NULL'} END AS ${k}`).join(', ')}${period ? ', g.period AS period' : ''}, g.currency AS currency,
          sum(g.billed)::VARCHAR AS billed, sum(g.effective)::VARCHAR AS effective, sum(g.list)::VARCHAR AS list, sum(g.n) AS n
        FROM g JOIN r ON ${on}
        ${byKeys(keys.length)}
        ORDER BY ${period ? 'period, ' : ''}sum(g.effective) DESC, ${[...kcols, 'currency'].join(', ')}`;
    } else {
      // Ordered by the DECIMAL (grouped.effective), not the output column of the same name: that
      // is text, and "9" sorts after "10000".
      sql = `SELECT ${kcols.length ? `${kcols.join(', ')}, ` : ''}${period ? 'period, ' : ''}currency, billed::VARCHAR AS billed, effective::VARCHAR AS effective, list::VARCHAR AS list, n
        FROM (${grouped}) AS grouped ORDER BY ${period ? 'period, ' : ''}grouped.effective DESC, ${[...kcols, 'currency'].join(', ')}`;
    }
    const rows = await this.s.all<Row>(sql, params);
    return rows.map((r) => ({
      keys: dims.map((_, i) => str(r[`k${i}`])),
      ...(period && { period: String(r.period) }),
      currency: String(r.currency ?? ''),
      billed: plain(r.billed),
      effective: plain(r.effective),
      list: r.list === null ? null : plain(r.list),
      rows: Number(r.n),
    }));
  }

  async commitmentUtilisation(q: { from?: string; to?: string }): Promise<CommitmentRow[]> {
    const params: SqlValue[] = [];
    const where = this.where(q, params);
    const rows = await this.s.all<Row>(
      `SELECT commitment_discount_id AS id, billing_currency AS currency,
         coalesce(sum(effective_cost) FILTER (WHERE commitment_discount_status = 'Used'), 0)::VARCHAR AS used,
         coalesce(sum(effective_cost) FILTER (WHERE commitment_discount_status = 'Unused'), 0)::VARCHAR AS unused
       FROM billing_rows ${where ? `${where} AND` : 'WHERE'} commitment_discount_id IS NOT NULL AND commitment_discount_status IN ('Used', 'Unused')
       GROUP BY 1, 2 ORDER BY id`,
      params,
    );
    return rows.map((r) => ({ commitmentId: String(r.id), currency: String(r.currency), used: plain(r.used), unused: plain(r.unused) }));
  }

  async lastChargeEnd() {
    const rows = await this.s.all<Row>(`SELECT max(charge_period_end) AS t FROM billing_rows`);
    return str(rows[0]?.t) ?? undefined;
  }

  async saveBudget(b: BudgetRecord) {
    await this.s.transaction(async (tx) => {
      await tx.run(`DELETE FROM budgets WHERE name = $1`, [b.name]);
      const [kind, key, value] = b.scope.kind === 'all' ? ['all', null, null] : [b.scope.dim.kind, b.scope.dim.kind === 'tag' ? b.scope.dim.key : b.scope.dim.name, b.scope.value];
      await tx.run(`INSERT INTO budgets (name, amount, currency, period, scope_kind, scope_key, scope_value, thresholds, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, [
        b.name,
        b.amount,
        b.currency,
        b.period,
        kind,
        key,
        value,
        JSON.stringify(b.thresholds),
        b.createdAt,
      ]);
    });
  }

  async listBudgets(): Promise<BudgetRecord[]> {
    const rows = await this.s.all<Row>(`SELECT name, amount::VARCHAR AS amount, currency, period, scope_kind, scope_key, scope_value, thresholds, created_at FROM budgets ORDER BY name`);
    return rows.map((r) => ({
      name: String(r.name),
      amount: plain(r.amount),
      currency: String(r.currency),
      period: 'month',
      scope:
        r.scope_kind === 'all'
          ? { kind: 'all' }
          : { kind: 'dimension', dim: r.scope_kind === 'tag' ? { kind: 'tag', key: String(r.scope_key) } : { kind: 'column', name: String(r.scope_key) }, value: String(r.scope_value) },
      thresholds: JSON.parse(String(r.thresholds)),
      createdAt: String(r.created_at),
    }));
  }

  async deleteBudget(name: string) {
    const before = (await this.listBudgets()).length;
    await this.s.run(`DELETE FROM budgets WHERE name = $1`, [name]);
    return (await this.listBudgets()).length < before;
  }
}

function fileFromRow(r: Row): BillingFileRecord {
  return {
    id: String(r.id),
    path: String(r.path),
    rows: Number(r.rows),
    currency: String(r.currency),
    periodStart: str(r.period_start),
    periodEnd: str(r.period_end),
    billedTotal: plain(r.billed_total),
    effectiveTotal: plain(r.effective_total),
    columns: JSON.parse(String(r.columns)),
    ingestedAt: String(r.ingested_at),
  };
}
