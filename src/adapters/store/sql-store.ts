/** The Store written once in portable SQL over a SqlSession; drivers only run statements. */
import { randomUUID } from 'node:crypto';
import type { CostReportRecord, RunRecord, ScenarioRecord, Store } from '../../app/ports.js';
import { migrations as allMigrations, type Migration } from './migrations/index.js';
import type { SqlSession } from './session.js';
import { dec, isDecimalString, toPlain } from '../../core/money.js';
import { Conflict } from '../../core/errors.js';

export class SqlStore implements Store {
  constructor(readonly session: SqlSession) {}

  get driver(): string {
    return this.session.dialect;
  }

  /** Apply pending migrations, each in its own transaction. */
  async migrate(migrations: Migration[] = allMigrations): Promise<number[]> {
    if (this.session.dialect === 'postgres') {
      // Several processes may open a shared database at once: one migrates while the others wait
      // on the lock (held to the end of this transaction; PostgreSQL's DDL is transactional), then
      // find nothing left to do. The key is arbitrary but fixed ("penny" in ASCII).
      return this.session.transaction(async (tx) => {
        await tx.run(`SELECT pg_advisory_xact_lock(112101110110121)`);
        return this.applyMigrations(migrations);
      });
    }
    return this.applyMigrations(migrations);
  }

  private async applyMigrations(migrations: Migration[]): Promise<number[]> {
    await this.session.run(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at VARCHAR NOT NULL)`);
    const done = new Set((await this.session.all<{ version: number }>(`SELECT version FROM schema_migrations`)).map((r) => Number(r.version)));
    // A newer Penny's migration: this one would write its old shapes (an old refresh of which
    // billing rows count, rows without a newer column) beside the newer ones and corrupt totals.
    const known = new Set(allMigrations.map((m) => m.version));
    const unknown = [...done].filter((v) => !known.has(v)).sort((a, b) => a - b);
    if (unknown.length) {
      throw new Conflict(
        `the workspace database has schema version ${unknown.join(', ')}, which this Penny does not know: a newer Penny has migrated it (this one knows up to ${Math.max(...known)})`,
        'upgrade Penny to the version the rest of the team uses (penny --version); nothing was written.',
      );
    }
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await this.session.transaction(async (s) => {
        for (const stmt of m.up) await s.run(typeof stmt === 'string' ? stmt : stmt[s.dialect]);
        await s.run(`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, [m.version, m.name, new Date().toISOString()]);
      });
      applied.push(m.version);
    }
    return applied;
  }

  async schemaVersion(): Promise<number> {
    const rows = await this.session.all<{ v: number | null }>(`SELECT max(version) AS v FROM schema_migrations`);
    return Number(rows[0]?.v ?? 0);
  }

  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return this.session.transaction(() => fn(this));
  }

  async saveScenario(s: Parameters<Store['saveScenario']>[0]): Promise<{ id: string; created: boolean }> {
    return this.session.transaction(async (tx) => {
      const id = `scn_${s.contentHash.slice(0, 16)}`;
      // Insert first, look second: a caller saving the same content at the same moment (PostgreSQL,
      // a client each) waits on the key and then finds it, where look-then-insert failed on it.
      const inserted = await tx.all(`INSERT INTO scenarios (id, name, content_hash, source, scenario, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`, [
        id,
        s.name,
        s.contentHash,
        s.source,
        JSON.stringify(s.scenario),
        s.createdAt,
      ]);
      if (inserted.length) return { id, created: true };
      const existing = await tx.all<{ id: string }>(`SELECT id FROM scenarios WHERE content_hash = $1`, [s.contentHash]);
      if (!existing[0]) throw new Conflict(`scenario id ${id} is taken by other content (a hash prefix collision)`, 'change the scenario\'s name or any field and save it again.');
      return { id: String(existing[0].id), created: false };
    });
  }

  async listScenarios(): Promise<ScenarioRecord[]> {
    const rows = await this.session.all<Row>(`SELECT * FROM scenarios ORDER BY created_at, id`);
    return rows.map(scenarioFromRow);
  }

  async getScenario(nameOrId: string): Promise<ScenarioRecord | undefined> {
    const rows = await this.session.all<Row>(`SELECT * FROM scenarios WHERE id = $1 OR name = $1 ORDER BY created_at DESC LIMIT 1`, [nameOrId]);
    return rows[0] && scenarioFromRow(rows[0]);
  }

  async saveCostReport(r: Parameters<Store['saveCostReport']>[0]): Promise<string> {
    const id = `cst_${randomUUID()}`;
    await this.session.run(`INSERT INTO cost_reports (id, scenario_id, currency, total, report, created_at) VALUES ($1, $2, $3, $4, $5, $6)`, [
      id,
      r.scenarioId,
      r.report.currency,
      r.report.total.toFixed(),
      JSON.stringify(r.json),
      r.createdAt,
    ]);
    return id;
  }

  async latestCostReport(scenarioName?: string): Promise<CostReportRecord | undefined> {
    const rows = await this.session.all<Row>(
      `SELECT c.id, c.scenario_id, s.name AS scenario_name, c.currency, c.total::VARCHAR AS total, c.report, c.created_at
       FROM cost_reports c JOIN scenarios s ON s.id = c.scenario_id
       ${scenarioName ? 'WHERE s.name = $1' : ''} ORDER BY c.created_at DESC, c.id DESC LIMIT 1`,
      scenarioName ? [scenarioName] : [],
    );
    const r = rows[0];
    if (!r) return undefined;
    const report = JSON.parse(String(r.report)) as { total?: unknown };
    return {
      id: String(r.id),
      scenarioId: String(r.scenario_id),
      scenarioName: String(r.scenario_name),
      currency: String(r.currency),
      // The column keeps 12 decimals (for queries); an amortised total has more, and the report's
      // own exact total is what was computed: read back that, never the column's rounding of it.
      total: typeof report.total === 'string' && isDecimalString(report.total) ? toPlain(dec(report.total)) : toPlain(dec(String(r.total))),
      createdAt: String(r.created_at),
      report,
    };
  }

  async saveRun(r: Omit<RunRecord, 'id'>): Promise<string> {
    return this.session.transaction(async (tx) => {
      const id = `run_${r.kind}_${r.inputHash.slice(0, 16)}`;
      // Not delete-then-insert: callers recording the same run at once (PostgreSQL) each replace it
      // in turn instead of failing on a key. The table has two unique keys (id, and kind +
      // input_hash, from which id is made): `ON CONFLICT (id)` arbitrates only the first, and a
      // racing insert could still fail on the second (seen: 23505 on runs_kind_input_hash_key).
      // A DO NOTHING without a target waits on either, then the update replaces what is there.
      // Indexed columns are not updated (DuckDB refuses it); they are the same for the same id.
      const summary = JSON.stringify(r.summary);
      const result = JSON.stringify(r.result);
      await tx.run(`INSERT INTO runs (id, kind, name, input_hash, summary, result, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`, [id, r.kind, r.name, r.inputHash, summary, result, r.createdAt]);
      await tx.run(`UPDATE runs SET name = $2, summary = $3, result = $4, created_at = $5 WHERE id = $1`, [id, r.name, summary, result, r.createdAt]);
      return id;
    });
  }

  async listRuns(kind?: string): Promise<Omit<RunRecord, 'result'>[]> {
    const rows = await this.session.all<Row>(
      `SELECT id, kind, name, input_hash, summary, created_at FROM runs ${kind ? 'WHERE kind = $1' : ''} ORDER BY created_at DESC, id`,
      kind ? [kind] : [],
    );
    return rows.map((r) => ({ id: String(r.id), kind: String(r.kind), name: String(r.name), inputHash: String(r.input_hash), summary: JSON.parse(String(r.summary)), createdAt: String(r.created_at) }));
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const rows = await this.session.all<Row>(`SELECT * FROM runs WHERE id = $1`, [id]);
    const r = rows[0];
    if (!r) return undefined;
    return { id: String(r.id), kind: String(r.kind), name: String(r.name), inputHash: String(r.input_hash), summary: JSON.parse(String(r.summary)), result: JSON.parse(String(r.result)), createdAt: String(r.created_at) };
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

type Row = Record<string, unknown>;

function scenarioFromRow(r: Row): ScenarioRecord {
  return {
    id: String(r.id),
    name: String(r.name),
    contentHash: String(r.content_hash),
    source: String(r.source),
    createdAt: String(r.created_at),
    scenario: JSON.parse(String(r.scenario)),
  };
}
