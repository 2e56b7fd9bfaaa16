/**
 * The built binary on a shared PostgreSQL: several processes writing at once (as a team's nightly
 * jobs and people at their terminals do), every write there afterwards, totals exact.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../src/core/money.js';
import { pennyBin, runPenny } from './cli.js';
import { demoBill, focusCsv } from './fixtures/focus.js';
import { postgresUnavailable, startPostgres, type TestPostgres } from './postgres.js';
import { repoRoot } from './shared-data.js';

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`skipping PostgreSQL CLI tests: ${unavailable}`);

function columnSum(file: string, column: string): Decimal {
  const rows = parse(readFileSync(file), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  return rows.reduce((t, r) => (r[column] && r[column] !== 'NULL' ? t.plus(r[column]!) : t), new Decimal(0));
}

// Each test runs the built binary or a server many times; on a loaded 2-core machine that takes minutes.
const E2E_TIMEOUT_MS = 300_000;

describe.skipIf(!!unavailable)('penny on PostgreSQL', () => {
  let server: TestPostgres;
  let tmp: string;
  let n = 0;
  /** A fresh, empty database on the test server. */
  const freshDatabase = async () => {
    const name = `penny_cli_${process.pid}_${n++}`;
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    return server.url.replace(/\/[^/]*$/, `/${name}`);
  };
  beforeAll(async () => {
    server = await startPostgres();
    tmp = mkdtempSync(join(tmpdir(), 'penny-pgcli-'));
  });
  afterAll(async () => {
    rmSync(tmp, { recursive: true, force: true });
    await server?.stop();
  });

  it('takes concurrent ingests from several processes into one fresh database, every row kept', async () => {
    const url = await freshDatabase();
    const a = join(tmp, 'team-a.csv');
    const b = join(tmp, 'team-b.csv');
    writeFileSync(a, focusCsv(demoBill({ from: '2026-01-01', days: 300, seed: 1 })));
    // Another team's billing account: the same months of the same account would be a restatement.
    writeFileSync(b, focusCsv(demoBill({ from: '2026-01-01', days: 300, seed: 2, scale: 1.5, account: '210987654321' })));
    const gpu = join(repoRoot, 'examples', 'demo', 'gpu-telemetry.csv');
    // Three processes open a database nobody has migrated yet, at the same moment, and write.
    const env = { PENNY_DATABASE_URL: url };
    const runs = await Promise.all([
      runPenny(['-w', join(tmp, 'ws1'), 'ingest', a, '--json'], { env }),
      runPenny(['-w', join(tmp, 'ws2'), 'ingest', b, '--json'], { env }),
      runPenny(['-w', join(tmp, 'ws3'), '--database', url, 'gpu', 'ingest', gpu, '--json']),
    ]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const report = await runPenny(['-w', join(tmp, 'ws4'), '--database', url, 'report', '--by', 'ServiceName', '--json']);
    expect(report.code, report.stderr).toBe(0);
    const rows = JSON.parse(report.stdout) as { effectiveCost: string; rows: number }[];
    expect(rows.reduce((t, r) => t + r.rows, 0)).toBe(2 * 300 * 7);
    const total = rows.reduce((t, r) => t.plus(r.effectiveCost), new Decimal(0));
    expect(total.toFixed()).toBe(columnSum(a, 'EffectiveCost').plus(columnSum(b, 'EffectiveCost')).toFixed());
    // The daily spread (dialect-specific SQL) adds up to the same total, to the last digit.
    const daily = await runPenny(['-w', join(tmp, 'ws4'), '--database', url, 'report', '--by', 'ServiceName', '--granularity', 'day', '--json']);
    expect(daily.code, daily.stderr).toBe(0);
    const days = JSON.parse(daily.stdout) as { effectiveCost: string; period: string }[];
    expect(new Set(days.map((d) => d.period)).size).toBe(300);
    expect(days.reduce((t, r) => t.plus(r.effectiveCost), new Decimal(0)).toFixed()).toBe(total.toFixed());
    const files = await runPenny(['-w', join(tmp, 'ws4'), '--database', url, 'billing', 'files', '--json']);
    expect(files.code, files.stderr).toBe(0);
    expect((JSON.parse(files.stdout) as { countedRows: number }[]).map((f) => f.countedRows)).toEqual([2100, 2100]);
    // A budget on the shared database: spend to date from the window query.
    const set = await runPenny(['-w', join(tmp, 'ws4'), '--database', url, 'budget', 'set', 'all', '--amount', '1000000']);
    expect(set.code, set.stderr).toBe(0);
    const status = await runPenny(['-w', join(tmp, 'ws4'), '--database', url, 'budget', 'status', '--at', '2026-06-16', '--json']);
    expect(status.code, status.stderr).toBe(0);
    // Spent to 16 June: the daily report's days 1–15 of June (every charge is one whole day).
    const june = days.filter((d) => d.period >= '2026-06-01' && d.period < '2026-06-16').reduce((t, r) => t.plus(r.effectiveCost), new Decimal(0));
    expect((JSON.parse(status.stdout) as { spent: string }[]).map((b) => b.spent)).toEqual([june.toFixed()]);
    const usage = await runPenny(['--database', url, '-w', join(tmp, 'ws4'), 'gpu', 'usage', '--json']);
    expect(usage.code, usage.stderr).toBe(0);
    expect(JSON.parse(usage.stdout).gpus.length).toBeGreaterThan(0);
    // The same file again, from two processes at once: it is counted once, and neither fails (the
    // bytes are looked up again once the ingest has its turn to record the file).
    const again = await Promise.all([runPenny(['ingest', a, '--json'], { env, cwd: tmp }), runPenny(['ingest', a, '--json'], { env, cwd: tmp })]);
    for (const r of again) expect(r.code, r.stderr).toBe(0);
    const after = JSON.parse((await runPenny(['--database', url, '-w', join(tmp, 'ws4'), 'report', '--by', 'ServiceName', '--json'])).stdout) as { rows: number }[];
    expect(after.reduce((t, r) => t + r.rows, 0)).toBe(2 * 300 * 7);
  }, E2E_TIMEOUT_MS);

  it('serves from PostgreSQL; a CLI without the URL on that workspace goes through the server', async () => {
    const url = await freshDatabase();
    const ws = join(tmp, 'served');
    const bill = join(repoRoot, 'examples', 'demo', 'billing-focus.csv');
    expect((await runPenny(['-w', ws, '--database', url, 'ingest', bill])).code).toBe(0);
    const server = spawn(process.execPath, [pennyBin, '-w', ws, '--database', url, 'serve', '--port', '0'], { cwd: repoRoot, env: { ...process.env, PENNY_TOKEN: '', PENNY_DATABASE_URL: '' } });
    try {
      const deadline = Date.now() + 60_000;
      while (!existsSync(join(ws, 'server.json'))) {
        if (server.exitCode !== null || Date.now() > deadline) throw new Error('serve did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
      const info = JSON.parse(readFileSync(join(ws, 'server.json'), 'utf8')) as { url: string; store: string };
      expect(info.store).toBe('postgres');
      const health = (await (await fetch(`${info.url}/api/health`)).json()) as { store: string };
      expect(health.store).toBe('postgres');
      const direct = await runPenny(['-w', join(tmp, 'other'), '--database', url, 'report', '--json']);
      const through = await runPenny(['-w', ws, 'report', '--json'], { env: { PENNY_DATABASE_URL: '' } });
      expect(through.code, through.stderr).toBe(0);
      expect(JSON.parse(through.stdout)).toEqual(JSON.parse(direct.stdout));
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    expect(existsSync(join(ws, 'server.json'))).toBe(false);
  }, E2E_TIMEOUT_MS);

  it('says clearly when the database URL is wrong or the server is not there', async () => {
    const bad = await runPenny(['-w', join(tmp, 'ws5'), '--database', 'mysql://x@y/z', 'report']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--database must be a postgres:\/\/ URL/);
    const down = await runPenny(['-w', join(tmp, 'ws5'), 'report'], { env: { PENNY_DATABASE_URL: 'postgres://penny:secret@127.0.0.1:1/penny' } });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot connect to PostgreSQL at postgres:\/\/penny:\*\*\*@127\.0\.0\.1:1\/penny/);
    expect(down.stderr).not.toMatch(/secret/);
  }, E2E_TIMEOUT_MS);
});
