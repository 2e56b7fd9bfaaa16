/** BillingStore over a SqlSession: FOCUS rows in, grouped exact sums out. */
import type { BillingFileRecord, BillingFileSummary, BillingSlice, BillingStore, BudgetRecord, CommitmentRow, Dimension, LiveSlice, ReportQuery, ReportRow, WindowSpend } from '../../app/billing-ports.js';
import { MONEY_COLUMNS, QUANTITY_COLUMNS, TEXT_COLUMNS, TIME_COLUMNS, sliceKey, storeColumn, type FocusRow } from '../../core/billing/focus.js';
import { REFRESH_ACTIVE_DELIVERIES } from './migrations/102-billing-deliveries.js';
import { InvalidInput } from '../../core/errors.js';
import { Decimal, ZERO } from '../../core/money.js';
import { bytewise, type SqlSession, type SqlValue } from './session.js';

const ROW_COLUMNS = [
  'file_id',
  'line',
  'slice_key',
  ...MONEY_COLUMNS.map(storeColumn),
  ...QUANTITY_COLUMNS.map(storeColumn),
  ...TIME_COLUMNS.map(storeColumn),
  ...TEXT_COLUMNS.map(storeColumn),
  'tags',
  'extra',
];
const TYPED = new Set<string>([...MONEY_COLUMNS, ...QUANTITY_COLUMNS, ...TIME_COLUMNS, ...TEXT_COLUMNS]);
/** Dimensions stored as DECIMAL: ordered as numbers, the rest (text, times as ISO text, JSON members) as text. */
const NUMERIC = new Set<string>([...MONEY_COLUMNS, ...QUANTITY_COLUMNS]);

type Row = Record<string, unknown>;
// DECIMALs leave the database as text: a JS number would round them.
const FILE_SELECT = `SELECT id, path, rows, currency, period_start, period_end, billed_total::VARCHAR AS billed_total, effective_total::VARCHAR AS effective_total, columns, ingested_at, sha256, content_hash, delivery_id FROM billing_files`;
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
/** `GROUP BY 1, …, n`: both dialects accept it (PostgreSQL 15 has no GROUP BY ALL). */
const ordinals = (n: number) => Array.from({ length: n }, (_, i) => i + 1).join(', ');
/**
 * A group's list cost is known only when every row in it has one: SUM skips NULLs, so a group with
 * one unpriced row would otherwise show the others' sum as if it were the whole.
 */
const KNOWN_LIST = (col: string) => `CASE WHEN count(${col}) = count(*) THEN sum(${col}) END`;
/**
 * A row's list cost on the basis of its effective cost (accrual). A purchase whose EffectiveCost
 * is 0 is a prepayment for future charges (a commitment, prepaid credits): the usage it covers
 * carries its own ListCost, so adding the purchase's too counts the same hours twice (FOCUS
 * ListCost: exclude either the purchases or the covered charges when aggregating). Known 0, not
 * unknown: such a group's list cost is that of what it covers.
 */
const LIST_COST = `CASE WHEN charge_category = 'Purchase' AND effective_cost = 0 THEN CAST(0 AS DECIMAL(38, 18)) ELSE list_cost END`;
/** DuckDB sorts NULLs last in both directions, PostgreSQL first when descending: said once, the same in both. */
const nullsLast = (cols: string[]) => cols.map((c) => `${c} NULLS LAST`).join(', ');

const UNIT = new Decimal(10).pow(18);
/** PostgreSQL advisory lock key of billing writes (the migrations' key + 1; any fixed number). */
const COUNTING_LOCK = 112101110110122;

/** An amount in integer units of 10^-18 → decimal text. */
export function fromUnits(units: string): string {
  return new Decimal(units).div(UNIT).toFixed();
}

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

  transaction<T>(fn: (tx: BillingStore) => Promise<T>): Promise<T> {
    return this.s.transaction((tx) => fn(new SqlBillingStore(tx)));
  }

  async getBillingFile(id: string) {
    const rows = await this.s.all<Row>(`${FILE_SELECT} WHERE id = $1`, [id]);
    return rows[0] && fileFromRow(rows[0]);
  }

  async findBillingFile(by: { sha256?: string; contentHash?: string }) {
    const rows = by.sha256 !== undefined ? await this.s.all<Row>(`${FILE_SELECT} WHERE sha256 = $1 ORDER BY seq LIMIT 1`, [by.sha256]) : by.contentHash !== undefined ? await this.s.all<Row>(`${FILE_SELECT} WHERE content_hash = $1 ORDER BY seq LIMIT 1`, [by.contentHash]) : [];
    return rows[0] && fileFromRow(rows[0]);
  }

  async tagKeys() {
    const keys = this.s.dialect === 'postgres' ? 'jsonb_object_keys(tags::jsonb)' : 'unnest(json_keys(tags))';
    const rows = await this.s.all<{ k: string }>(`SELECT k FROM (SELECT DISTINCT ${keys} AS k FROM billing_live WHERE tags IS NOT NULL) AS t ORDER BY ${bytewise(this.s.dialect, 'k')}`);
    return rows.map((r) => String(r.k));
  }

  async listBillingFiles(): Promise<BillingFileSummary[]> {
    const files = (await this.s.all<Row>(`${FILE_SELECT} ORDER BY seq`)).map(fileFromRow);
    const totals = await this.s.all<Row>(`SELECT file_id, currency, sum(rows) AS n, sum(billed)::VARCHAR AS billed, sum(effective)::VARCHAR AS effective, sum(rows) FILTER (WHERE active) AS counted FROM billing_slices GROUP BY file_id, currency ORDER BY file_id, currency`);
    // Which file's slices replace a replaced slice: the counted file of the same slice key.
    const replacers = await this.s.all<Row>(`SELECT DISTINCT s.file_id, a.file_id AS by FROM billing_slices s JOIN billing_slices a ON a.slice_key = s.slice_key AND a.active AND a.delivery_id <> s.delivery_id WHERE NOT s.active ORDER BY 1, 2`);
    return files.map((f) => {
      const mine = totals.filter((t) => t.file_id === f.id);
      return {
        ...f,
        totals: mine.map((t) => ({ currency: String(t.currency), rows: Number(t.n), billed: plain(t.billed), effective: plain(t.effective) })),
        countedRows: mine.reduce((a, t) => a + Number(t.counted ?? 0), 0),
        replacedBy: replacers.filter((r) => r.file_id === f.id).map((r) => String(r.by)),
      };
    });
  }

  async sweepOrphanRows() {
    const rows = await this.s.all<Row>(`SELECT count(*) AS n FROM billing_rows WHERE file_id NOT IN (SELECT id FROM billing_files)`);
    const n = Number(rows[0]?.n ?? 0);
    if (n > 0) await this.s.run(`DELETE FROM billing_rows WHERE file_id NOT IN (SELECT id FROM billing_files)`);
    return n;
  }

  async lockCounting() {
    // DuckDB needs none: one process holds the file and its writes queue for one connection. On
    // PostgreSQL, transactions overlap: each would decide which slices count (seq, the refresh of
    // \`active\`) without seeing the other's uncommitted file, and both restatements counted.
    if (this.s.dialect === 'postgres') await this.s.run(`SELECT pg_advisory_xact_lock(${COUNTING_LOCK})`);
  }

  async insertBillingFile(f: BillingFileRecord, slices: BillingSlice[], fillCurrency: boolean) {
    const seq = Number((await this.s.all<Row>(`SELECT coalesce(max(seq), 0) + 1 AS seq FROM billing_files`))[0]!.seq);
    if (fillCurrency) await this.s.run(`UPDATE billing_rows SET billing_currency = $1 WHERE file_id = $2 AND billing_currency IS NULL`, [f.currency, f.id]);
    for (const sl of slices) {
      await this.s.run(`INSERT INTO billing_slices (file_id, slice_key, billing_account_id, billing_period_start, currency, coverage_start, coverage_end, seq, rows, billed, effective, active, delivery_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, true, $12)`, [
        f.id,
        sl.sliceKey,
        sl.billingAccountId,
        sl.billingPeriodStart,
        sl.currency,
        sl.coverageStart,
        sl.coverageEnd,
        seq,
        sl.rows,
        sl.billed,
        sl.effective,
        f.deliveryId,
      ]);
    }
    // The file's record is written last: until it is committed, none of its rows count.
    await this.s.run(`INSERT INTO billing_files (id, path, rows, currency, period_start, period_end, billed_total, effective_total, columns, ingested_at, sha256, content_hash, seq, delivery_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`, [
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
      f.sha256,
      f.contentHash,
      seq,
      f.deliveryId,
    ]);
    await this.s.run(REFRESH_ACTIVE_DELIVERIES);
  }

  async sliceKeysOf(fileId: string) {
    return (await this.s.all<Row>(`SELECT DISTINCT slice_key FROM billing_slices WHERE file_id = $1 ORDER BY 1`, [fileId])).map((r) => String(r.slice_key));
  }

  async liveSlices(sliceKeys: string[]): Promise<LiveSlice[]> {
    if (sliceKeys.length === 0) return [];
    const rows = await this.s.all<Row>(
      `SELECT file_id, slice_key, currency, rows, effective::VARCHAR AS effective FROM billing_slices WHERE active AND slice_key IN (${sliceKeys.map((_, i) => `$${i + 1}`).join(', ')}) ORDER BY file_id, slice_key, currency`,
      sliceKeys,
    );
    return rows.map((r) => ({ fileId: String(r.file_id), sliceKey: String(r.slice_key), currency: String(r.currency), rows: Number(r.rows), effective: plain(r.effective) }));
  }

  async removeBillingFile(id: string) {
    // What this statement deleted: a remove running beside another of the same file finds it gone.
    if ((await this.s.all(`DELETE FROM billing_files WHERE id = $1 RETURNING id`, [id])).length === 0) return false;
    await this.s.run(`DELETE FROM billing_slices WHERE file_id = $1`, [id]);
    await this.s.run(`DELETE FROM billing_rows WHERE file_id = $1`, [id]);
    await this.s.run(REFRESH_ACTIVE_DELIVERIES);
    return true;
  }

  async insertBillingRows(fileId: string, rows: FocusRow[]) {
    const values: SqlValue[][] = rows.map((r) => [
      fileId,
      r.line,
      sliceKey(r),
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
    const daily = q.granularity === 'day';
    const period = daily ? 'period' : q.granularity === 'month' ? 'substr(charge_period_start, 1, 7)' : undefined;
    const kcols = dims.map((_, i) => `k${i}`);
    const text = (col: string) => bytewise(this.s.dialect, col);
    const order = nullsLast([...kcols.map((k, i) => (q.by[i]!.kind === 'tag' || !NUMERIC.has((q.by[i] as { name: string }).name) ? text(k) : k)), text('currency')]);
    let grouped: string;
    if (daily) {
      grouped = this.dailyGrouped(q, dims, params);
    } else {
      const where = this.where(q, params);
      const keys = [...dims.map((d, i) => `${d} AS k${i}`), ...(period ? [`${period} AS period`] : []), 'billing_currency AS currency'];
      grouped = `SELECT ${keys.join(', ')},
         sum(billed_cost) AS billed, sum(effective_cost) AS effective, ${KNOWN_LIST(LIST_COST)} AS list, count(*) AS n
       FROM billing_live ${where}
       GROUP BY ${ordinals(keys.length)}`;
    }
    let sql: string;
    if (q.top !== undefined && dims.length > 0) {
      // The largest `top` groups of each currency by effective cost over the whole range keep their
      // keys; the rest fold into "(other)" in the database, so a chart of 5,000 resources × 365 days
      // stays small. Ranked within a currency: amounts in two currencies are not comparable, and a
      // ranking across them left a small currency's chart all "(other)".
      const top = Math.max(1, Math.floor(q.top));
      const on = [...kcols, 'currency'].map((k) => `g.${k} IS NOT DISTINCT FROM r.${k}`).join(' AND ');
      sql = `WITH g AS (${grouped}),
        t AS (SELECT ${kcols.join(', ')}, currency, sum(effective) AS total FROM g GROUP BY ${kcols.join(', ')}, currency),
        r AS (SELECT ${kcols.join(', ')}, currency, row_number() OVER (PARTITION BY currency ORDER BY total DESC NULLS LAST, ${order}) AS rn FROM t)
        SELECT * FROM (
          SELECT ${kcols.map((k, i) => `CASE WHEN r.rn <= ${top} THEN g.${k} ELSE ${i === 0 ? "'(other)'" : 'NULL'} END AS ${k}`).join(', ')}${period ? ', g.period AS period' : ''}, g.currency AS currency,
            sum(g.billed)::VARCHAR AS billed_text, sum(g.effective)::VARCHAR AS effective_text, (${KNOWN_LIST('g.list')})::VARCHAR AS list_text, sum(g.n) AS n, sum(g.effective) AS effective
          FROM g JOIN r ON ${on}
          GROUP BY ${ordinals(kcols.length + (period ? 2 : 1))}) AS folded
        ORDER BY ${period ? 'period, ' : ''}effective DESC NULLS LAST, ${order}`;
    } else {
      // The text of an amount gets its own name: ORDER BY a text alias sorted "3156" above "182815".
      sql = `SELECT ${kcols.length ? `${kcols.join(', ')}, ` : ''}${period ? 'period, ' : ''}currency, billed::VARCHAR AS billed_text, effective::VARCHAR AS effective_text, list::VARCHAR AS list_text, n
        FROM (${grouped}) AS g ORDER BY ${period ? 'period, ' : ''}effective DESC NULLS LAST, ${order}`;
    }
    const rows = await this.s.all<Row>(sql, params);
    // Daily sums are in units of 10^-18 (exact integers): back to decimal text here.
    const amount = (v: unknown) => (daily ? fromUnits(String(v)) : plain(v));
    return rows.map((r) => ({
      keys: dims.map((_, i) => str(r[`k${i}`])),
      ...(period && { period: String(r.period) }),
      currency: String(r.currency ?? ''),
      billed: amount(r.billed_text),
      effective: amount(r.effective_text),
      list: r.list_text === null ? null : amount(r.list_text),
      rows: Number(r.n),
    }));
  }

  /**
   * Daily groups with every charge spread over its charge period: a monthly charge counts on each
   * day in proportion to the time it covers (1/30 a day in a 30-day month). Exact: amounts are
   * integers of 10^-18 (DECIMAL(38, 18) without its point), each day but the last gets
   * floor(amount × overlap / period) and the last the rest, so a charge's days add up to it to the
   * last digit. A charge overlapping [from, to) counts with the days inside it.
   */
  private dailyGrouped(q: ReportQuery, dims: string[], params: SqlValue[]): string {
    const pg = this.s.dialect === 'postgres';
    const filters = (q.where ?? []).map((w) => {
      const expr = this.dimSql(w.dim, params);
      params.push(w.value);
      return `${expr} = $${params.length}`;
    });
    // Each use of a bound time gets its own parameter: PostgreSQL gives a parameter one type, and
    // here it is compared as text in one place and read as a timestamp in another.
    const bind = (v: string) => {
      params.push(v);
      return `$${params.length}`;
    };
    const dayFilters: string[] = [];
    if (q.from) {
      const p = bind(q.from);
      filters.push(`(charge_period_end > ${p} OR charge_period_start >= ${p})`);
      dayFilters.push(`d >= date_trunc('day', ${bind(q.from)}::TIMESTAMP)`);
    }
    if (q.to) {
      filters.push(`charge_period_start < ${bind(q.to)}`);
      dayFilters.push(`d < ${bind(q.to)}::TIMESTAMP`);
    }
    // Integers of 10^-18: DuckDB's HUGEINT (128 bits), PostgreSQL's NUMERIC with no fraction.
    const units = (c: string) => (pg ? `replace(${c}::VARCHAR, '.', '')::NUMERIC` : `replace(${c}::VARCHAR, '.', '')::HUGEINT`);
    // amount × overlap ÷ period, truncated toward zero (DuckDB's // and % and PostgreSQL's div
    // agree on signs). In 128 bits amount × overlap overflows from about 2·10^9 a charge (2·10^27
    // units × 8.64·10^10 µs in a day), so DuckDB takes larger amounts as (a // t) × o + (a % t) × o // t:
    // the same integer, with products below amount and period², at about 1.5× the time, so
    // only where needed (a CASE branch is evaluated only for its rows). NUMERIC has no such limit.
    const share = (a: string) => (pg ? `div(${a} * ov, tot)` : `CASE WHEN abs(${a}) < 1000000000000000000000000000 THEN ${a} * ov // tot ELSE (${a} // tot) * ov + (${a} % tot) * ov // tot END`);
    // Microseconds since the epoch, exact: PostgreSQL's extract gives NUMERIC seconds with 6 decimals.
    const us = (t: string) => (pg ? `(extract(epoch FROM ${t}) * 1000000)` : `epoch_us(${t})`);
    // A charge's days: DuckDB's generate_series returns a list to unnest, PostgreSQL's a set.
    const series = `generate_series(date_trunc('day', s), CASE WHEN e > s THEN e - INTERVAL '1 microsecond' ELSE s END, INTERVAL '1 day')`;
    const day = pg ? `to_char(d, 'YYYY-MM-DD')` : `strftime(d, '%Y-%m-%d')`;
    const keys = dims.map((d, i) => `${d} AS k${i}`);
    const kcols = dims.map((_, i) => `k${i}`);
    return `WITH src AS (
        SELECT ${[...keys, 'billing_currency AS currency', 'file_id', 'line'].join(', ')},
          charge_period_start::TIMESTAMP AS s, charge_period_end::TIMESTAMP AS e,
          ${units('billed_cost')} AS bu, ${units('effective_cost')} AS eu, ${units(`(${LIST_COST})`)} AS lu
        FROM billing_live ${filters.length ? `WHERE ${filters.join(' AND ')}` : ''}),
      days AS (
        SELECT *, ${pg ? series : `unnest(${series})`} AS d FROM src),
      parts AS (
        SELECT *, ${us('e')} - ${us('s')} AS tot,
          ${us(`least(e, d + INTERVAL '1 day')`)} - ${us('greatest(s, d)')} AS ov,
          d = max(d) OVER (PARTITION BY file_id, line) AS is_last
        FROM days),
      shares AS (
        SELECT *,
          CASE WHEN tot <= 0 THEN bu ELSE ${share('bu')} END AS bp,
          CASE WHEN tot <= 0 THEN eu ELSE ${share('eu')} END AS ep,
          CASE WHEN tot <= 0 THEN lu ELSE ${share('lu')} END AS lp
        FROM parts),
      exact AS (
        SELECT *,
          CASE WHEN is_last THEN bp + bu - sum(bp) OVER (PARTITION BY file_id, line) ELSE bp END AS b,
          CASE WHEN is_last THEN ep + eu - sum(ep) OVER (PARTITION BY file_id, line) ELSE ep END AS ef,
          CASE WHEN is_last THEN lp + lu - sum(lp) OVER (PARTITION BY file_id, line) ELSE lp END AS l
        FROM shares)
      SELECT ${[...kcols, `${day} AS period`, 'currency'].join(', ')}, sum(b) AS billed, sum(ef) AS effective, ${KNOWN_LIST('l')} AS list, count(*) AS n
      FROM exact ${dayFilters.length ? `WHERE ${dayFilters.join(' AND ')}` : ''}
      GROUP BY ${ordinals(kcols.length + 2)}`;
  }

  async spendInWindow(q: { from: string; to: string; where?: ReportQuery['where'] }): Promise<WindowSpend[]> {
    const params: SqlValue[] = [];
    const dims = this.where({ where: q.where ?? [] }, params);
    params.push(q.from);
    const from = `$${params.length}`;
    params.push(q.to);
    const to = `$${params.length}`;
    // Charges inside the window are summed in the database; those crossing an edge are grouped by
    // their charge period so each group's share is one exact division here. Times are ISO text
    // (toISOString), so text order is time order. A zero-length charge counts at its start. The
    // shares are added in one fixed order: each is rounded to 40 digits, and another order could
    // change the last one (DuckDB and PostgreSQL returned the groups in different orders).
    const inside = `charge_period_start >= ${from} AND charge_period_end <= ${to}`;
    const rows = await this.s.all<Row>(
      `SELECT billing_currency AS currency, CASE WHEN ${inside} THEN NULL ELSE charge_period_start END AS s,
         CASE WHEN ${inside} THEN NULL ELSE charge_period_end END AS e, sum(effective_cost)::VARCHAR AS eff, count(*) AS n
       FROM billing_live ${dims ? `${dims} AND` : 'WHERE'} charge_period_start < ${to} AND (charge_period_end > ${from} OR (charge_period_end <= charge_period_start AND charge_period_start >= ${from}))
       GROUP BY 1, 2, 3 ORDER BY currency, s NULLS FIRST, e NULLS FIRST`,
      params,
    );
    const fromMs = Date.parse(q.from);
    const toMs = Date.parse(q.to);
    const out = new Map<string, { effective: Decimal; rows: number }>();
    for (const r of rows) {
      const currency = String(r.currency ?? '');
      let amount = new Decimal(plain(r.eff));
      if (r.s !== null && r.s !== undefined) {
        const s = Date.parse(String(r.s));
        const e = Date.parse(String(r.e));
        if (e > s) amount = amount.times(Math.min(e, toMs) - Math.max(s, fromMs)).div(e - s);
      }
      const acc = out.get(currency) ?? { effective: ZERO, rows: 0 };
      out.set(currency, { effective: acc.effective.plus(amount), rows: acc.rows + Number(r.n) });
    }
    return [...out.entries()].map(([currency, v]) => ({ currency, effective: v.effective.toFixed(), rows: v.rows }));
  }

  async commitmentUtilisation(q: { from?: string; to?: string; where?: ReportQuery['where'] }): Promise<CommitmentRow[]> {
    const params: SqlValue[] = [];
    const where = this.where(q, params);
    const rows = await this.s.all<Row>(
      `SELECT commitment_discount_id AS id, billing_currency AS currency,
         coalesce(sum(effective_cost) FILTER (WHERE commitment_discount_status = 'Used'), 0)::VARCHAR AS used,
         coalesce(sum(effective_cost) FILTER (WHERE commitment_discount_status = 'Unused'), 0)::VARCHAR AS unused
       FROM billing_live ${where ? `${where} AND` : 'WHERE'} commitment_discount_id IS NOT NULL AND commitment_discount_status IN ('Used', 'Unused')
       GROUP BY 1, 2 ORDER BY ${bytewise(this.s.dialect, 'commitment_discount_id')}, ${bytewise(this.s.dialect, 'billing_currency')}`,
      params,
    );
    return rows.map((r) => ({ commitmentId: String(r.id), currency: String(r.currency), used: plain(r.used), unused: plain(r.unused) }));
  }

  async lastChargeEnd() {
    const rows = await this.s.all<Row>(`SELECT max(charge_period_end) AS t FROM billing_live`);
    return str(rows[0]?.t) ?? undefined;
  }

  async saveBudget(b: BudgetRecord) {
    await this.s.transaction(async (tx) => {
      const [kind, key, value] = b.scope.kind === 'all' ? ['all', null, null] : [b.scope.dim.kind, b.scope.dim.kind === 'tag' ? b.scope.dim.key : b.scope.dim.name, b.scope.value];
      // One statement, not delete-then-insert: two callers setting one budget at once (PostgreSQL)
      // replace it in turn instead of one failing on the key.
      await tx.run(`INSERT INTO budgets (name, amount, currency, period, scope_kind, scope_key, scope_value, thresholds, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (name) DO UPDATE SET amount = excluded.amount, currency = excluded.currency, period = excluded.period, scope_kind = excluded.scope_kind, scope_key = excluded.scope_key, scope_value = excluded.scope_value, thresholds = excluded.thresholds, created_at = excluded.created_at`, [
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
    const rows = await this.s.all<Row>(`SELECT name, amount::VARCHAR AS amount, currency, period, scope_kind, scope_key, scope_value, thresholds, created_at FROM budgets ORDER BY ${bytewise(this.s.dialect, 'name')}`);
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
    // What this statement deleted, not a count of all budgets before and after: other budgets
    // written or deleted meanwhile changed that count (a deleted budget answered 404).
    return (await this.s.all(`DELETE FROM budgets WHERE name = $1 RETURNING name`, [name])).length > 0;
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
    sha256: String(r.sha256),
    contentHash: str(r.content_hash),
    deliveryId: String(r.delivery_id ?? r.id),
  };
}
