/**
 * Billing figures you can trust, end to end with the built binary: restatements replace rather
 * than add, re-encoded copies count once, files can be listed and removed, amounts sort as numbers,
 * charges spread over their period exactly, bad input is refused with the store unchanged, and a
 * kill at any point of an ingest (inside the commit too) leaves the store unchanged or complete.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Decimal } from '../src/core/money.js';
import { billingReport, parseDimension } from '../src/app/billing.js';
import { openWorkspace } from '../src/adapters/store/workspace.js';
import { highsSolver } from '../src/adapters/solver/highs.js';
import { pennyBin, runPenny } from './cli.js';
import { FOCUS_HEADER, demoBill, focusCsv, type FocusLine } from './fixtures/focus.js';
import { repoRoot } from './shared-data.js';

// Each test runs the CLI a dozen times; on a loaded machine a run can take several seconds.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'penny-trust-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ws = (name: string) => join(tmp, name);
const json = async (args: string[]) => {
  const r = await runPenny(args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};
const write = (name: string, content: string | Buffer) => {
  const f = join(tmp, name);
  writeFileSync(f, content);
  return f;
};
const sumOf = (lines: FocusLine[], k: 'effective' | 'billed' = 'effective') => lines.reduce((a, l) => a.plus(l[k]), new Decimal(0)).toFixed();
/** Total effective cost per currency from `penny report --json`, exact. */
async function totals(w: string): Promise<Record<string, string>> {
  const rows = await json(['-w', w, 'report', '--by', 'ServiceName', '--json']);
  const t: Record<string, Decimal> = {};
  for (const r of rows as { currency: string; effectiveCost: string }[]) t[r.currency] = (t[r.currency] ?? new Decimal(0)).plus(r.effectiveCost);
  return Object.fromEntries(Object.entries(t).map(([c, d]) => [c, d.toFixed()]));
}

/**
 * The store read in this process: opening it recovers it as the next command would; the rows and
 * files are those `penny report --by ServiceName` and `penny billing files` print. For checks
 * that a refused or killed ingest (which runs the binary) left the store as it was, without two
 * CLI starts per check.
 */
async function readStore(w: string) {
  const store = await openWorkspace(w, { clock: { now: () => new Date() }, solver: highsSolver });
  try {
    const rows = await billingReport(store.billing, { by: [parseDimension('ServiceName')] });
    const t: Record<string, Decimal> = {};
    for (const r of rows) t[r.currency] = (t[r.currency] ?? new Decimal(0)).plus(r.effective);
    return { rows, totals: Object.fromEntries(Object.entries(t).map(([c, d]) => [c, d.toFixed()])), files: await store.billing.listBillingFiles() };
  } finally {
    await store.close();
  }
}

describe('deliveries: the parts of one export add up, and a later run restates them all', () => {
  const full = demoBill({ from: '2026-10-01', days: 31, seed: 11 });
  const rerun = demoBill({ from: '2026-10-01', days: 31, seed: 12 });
  const mtd = demoBill({ from: '2026-10-01', days: 15, seed: 13 });
  // Rows dealt out to parts in turn: every part covers the whole month, as providers' parts do.
  const parts = (lines: FocusLine[], n: number) => Array.from({ length: n }, (_, k) => lines.filter((_l, i) => i % n === k));
  const folder = (name: string, files: Record<string, FocusLine[]>) => {
    const dir = join(tmp, name);
    mkdirSync(dir, { recursive: true });
    for (const [f, lines] of Object.entries(files)) writeFileSync(join(dir, f), focusCsv(lines));
    return dir;
  };

  it('a folder of parts (report-00001, report-00002, …) counts every part, in one delivery', async () => {
    const [a, b, c] = parts(full, 3);
    const dir = folder('cur/2026-10/run-1', { 'report-00001.csv': a!, 'report-00002.csv': b!, 'report-00003.csv': c! });
    const w = ws('parts');
    await json(['-w', w, 'ingest', write('oct-mtd-parts.csv', focusCsv(mtd)), '--json']);
    const results = await json(['-w', w, 'ingest', dir, '--json']);
    expect(results.map((r: { result: { status: string } }) => r.result.status)).toEqual(['ingested', 'ingested', 'ingested']);
    // Only the first part restates the month-to-date file; the others add to their own delivery.
    expect(results.map((r: { result: { replaced: { rows: number } } }) => r.result.replaced.rows)).toEqual([mtd.length, 0, 0]);
    expect(new Set(results.map((r: { result: { file: { deliveryId: string } } }) => r.result.file.deliveryId)).size).toBe(1);
    expect(await totals(w)).toEqual({ USD: sumOf(full) });

    // Ingesting the same folder again changes nothing; a later run of the export (new content,
    // two parts) replaces all three parts of the first run.
    await json(['-w', w, 'ingest', dir, '--json']);
    expect(await totals(w)).toEqual({ USD: sumOf(full) });
    const [x, y] = parts(rerun, 2);
    const dir2 = folder('cur/2026-10/run-2', { 'part-00000-7f3a.csv': x!, 'part-00001-7f3a.csv': y! });
    await json(['-w', w, 'ingest', dir2, '--json']);
    expect(await totals(w)).toEqual({ USD: sumOf(rerun) });
    const files = await json(['-w', w, 'billing', 'files', '--json']);
    expect(files.filter((f: { countedRows: number }) => f.countedRows > 0).map((f: { path: string }) => f.path.split('/').pop()).sort()).toEqual(['part-00000-7f3a.csv', 'part-00001-7f3a.csv']);
  });

  it('a folder ingest names every file it skipped (a bill whose header it does not know included), stdout staying JSON', async () => {
    const dir = folder('skips', { 'a.csv': mtd });
    // A whole month's bill with its header lower-cased (as some tools write it), and a manifest.
    writeFileSync(join(dir, 'b.csv'), focusCsv(full).replace(/^[^\n]*/, (h) => h.toLowerCase()));
    writeFileSync(join(dir, 'manifest.json'), '{"assemblyId":"x"}\n');
    const w = ws('skips-ws');
    const r = await runPenny(['-w', w, 'ingest', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { path: string }[]).map((x) => x.path.split('/').pop())).toEqual(['a.csv']);
    expect(r.stderr).toMatch(/skipped 2 files[^\n]*neither[\s\S]*b\.csv[\s\S]*manifest\.json[\s\S]*--kind/);
    const text = await runPenny(['-w', ws('skips-text'), 'ingest', dir]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout + text.stderr).toMatch(/skipped 2 files/);
  });

  it('a folder ingest stopped by a bad file says which files before it were kept', async () => {
    const dir = folder('stops', { 'a.csv': mtd });
    writeFileSync(join(dir, 'b.csv.gz'), gzipSync(focusCsv(full)).subarray(0, 1500));
    const w = ws('stops-ws');
    const r = await runPenny(['-w', w, 'ingest', dir]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/b\.csv\.gz: the gzip stream is cut short/);
    expect(r.stderr).toMatch(/1 file before it was ingested and is kept[^\n]*a\.csv/);
    expect(await totals(w)).toEqual({ USD: sumOf(mtd) });
  });

  it('files with dates in their names stay separate deliveries (a later one restates an earlier one)', async () => {
    const dir = folder('daily', { 'focus-2026-10-15.csv': mtd, 'focus-2026-10-31.csv': full });
    const w = ws('dated');
    await json(['-w', w, 'ingest', dir, '--json']);
    expect(await totals(w)).toEqual({ USD: sumOf(full) });
  });

  it('--delivery names the parts of one run whatever their names, and refuses a bad name', async () => {
    const [a, b] = parts(full, 2);
    const w = ws('named');
    await json(['-w', w, 'ingest', write('first-half.csv', focusCsv(a!)), '--delivery', 'oct-run-1', '--json']);
    await json(['-w', w, 'ingest', write('second-half.csv', focusCsv(b!)), '--delivery', 'oct-run-1', '--json']);
    expect(await totals(w)).toEqual({ USD: sumOf(full) });
    // Without a name the second file is a restatement of the first: that is what the name is for.
    const w2 = ws('unnamed');
    await json(['-w', w2, 'ingest', join(tmp, 'first-half.csv'), '--json']);
    await json(['-w', w2, 'ingest', join(tmp, 'second-half.csv'), '--json']);
    expect(await totals(w2)).toEqual({ USD: sumOf(b!) });
    const bad = await runPenny(['-w', w, 'ingest', join(tmp, 'first-half.csv'), '--delivery', 'a b']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/delivery "a b" is not a delivery name/);
    // A range given with a file did not filter it: the whole file was ingested without a word.
    const ranged = await runPenny(['-w', ws('ranged'), 'ingest', join(tmp, 'first-half.csv'), '--from', '2026-10-05']);
    expect(ranged.code).toBe(2);
    expect(ranged.stderr).toMatch(/--from applies to a Prometheus URL, not files: each file is ingested whole/);
    expect((await runPenny(['-w', ws('ranged'), 'billing', 'files', '--json'])).stdout).not.toMatch(/first-half/);
  });
});

describe('restatements: a newer export of the same account and period replaces the older rows', () => {
  // The month-to-date export is restated: its first 15 days differ from the full month's.
  const full = demoBill({ from: '2026-10-01', days: 31, seed: 1 });
  const mtd = demoBill({ from: '2026-10-01', days: 15, seed: 2 });
  const sept = demoBill({ from: '2026-09-01', days: 30, seed: 3 });

  it('month-to-date then the full month, in either order, gives the full month\'s exact total', async () => {
    const fFull = write('oct-full.csv', focusCsv(full));
    const fMtd = write('oct-mtd.csv', focusCsv(mtd));
    expect(sumOf(mtd)).not.toBe(sumOf(full.slice(0, mtd.length)));

    const [first] = await json(['-w', ws('mtd-first'), 'ingest', fMtd, '--json']);
    expect(first.result.status).toBe('ingested');
    const [second] = await json(['-w', ws('mtd-first'), 'ingest', fFull, '--json']);
    expect(second.result.status).toBe('ingested');
    expect(second.result.replaced.rows).toBe(mtd.length);
    expect(second.result.replaced.change).toEqual([{ currency: 'USD', effective: new Decimal(sumOf(full)).minus(sumOf(mtd)).toFixed() }]);
    const text = await runPenny(['-w', ws('mtd-first2'), 'ingest', fMtd]);
    expect(text.code).toBe(0);
    const text2 = await runPenny(['-w', ws('mtd-first2'), 'ingest', fFull]);
    expect(text2.stdout).toMatch(new RegExp(`replaced ${mtd.length} rows of 1 earlier file; total changed by \\+[\\d.]+ USD`));
    expect(await totals(ws('mtd-first'))).toEqual({ USD: sumOf(full) });

    await json(['-w', ws('full-first'), 'ingest', fFull, '--json']);
    const [late] = await json(['-w', ws('full-first'), 'ingest', fMtd, '--json']);
    expect(late.result.status).toBe('superseded');
    expect(await totals(ws('full-first'))).toEqual({ USD: sumOf(full) });
    // Another month of the same account is another slice: it adds.
    await json(['-w', ws('full-first'), 'ingest', write('sept.csv', focusCsv(sept)), '--json']);
    expect(await totals(ws('full-first'))).toEqual({ USD: new Decimal(sumOf(full)).plus(sumOf(sept)).toFixed() });
    // Daily views follow the same rule: no day of October is counted twice.
    const days = await json(['-w', ws('full-first'), 'report', '--by', 'ServiceName', '--granularity', 'day', '--from', '2026-10-01', '--to', '2026-11-01', '--json']);
    expect(days.reduce((a: Decimal, r: { effectiveCost: string }) => a.plus(r.effectiveCost), new Decimal(0)).toFixed()).toBe(sumOf(full));
  });

  it('the same rows in 5 encodings (CSV, gzip, BOM, CRLF, Parquet) count once', async () => {
    const csv = focusCsv(full);
    const plain = write('enc.csv', csv);
    const files = [plain, write('enc.csv.gz', gzipSync(csv)), write('enc-bom.csv', `\uFEFF${csv}`), write('enc-crlf.csv', csv.replace(/\n/g, '\r\n'))];
    const parquet = join(tmp, 'enc.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run(`COPY (SELECT * REPLACE (CAST(BilledCost AS DECIMAL(38,18)) AS BilledCost, CAST(EffectiveCost AS DECIMAL(38,18)) AS EffectiveCost) FROM read_csv('${plain}', all_varchar = true)) TO '${parquet}' (FORMAT parquet)`);
    conn.closeSync();
    db.closeSync();
    files.push(parquet);
    const statuses = [];
    for (const f of files) statuses.push((await json(['-w', ws('enc'), 'ingest', f, '--json']))[0].result.status);
    expect(statuses).toEqual(['ingested', 'already-ingested', 'already-ingested', 'already-ingested', 'already-ingested']);
    expect(await totals(ws('enc'))).toEqual({ USD: sumOf(full) });
    expect(await json(['-w', ws('enc'), 'billing', 'files', '--json'])).toHaveLength(1);
  });

  it('penny billing files lists totals; remove restores the previous totals exactly', async () => {
    const w = ws('remove');
    await json(['-w', w, 'ingest', write('r-sept.csv', focusCsv(sept)), '--json']);
    const afterSept = await totals(w);
    await json(['-w', w, 'ingest', write('r-mtd.csv', focusCsv(mtd)), '--json']);
    const afterMtd = await totals(w);
    const [full1] = await json(['-w', w, 'ingest', write('r-full.csv', focusCsv(full)), '--json']);
    expect(await totals(w)).toEqual({ USD: new Decimal(sumOf(sept)).plus(sumOf(full)).toFixed() });
    const files = await json(['-w', w, 'billing', 'files', '--json']);
    expect(files.map((f: { path: string; countedRows: number; totals: { effective: string }[] }) => [f.path.split('/').pop(), f.countedRows, f.totals[0]!.effective])).toEqual([
      ['r-sept.csv', sept.length, sumOf(sept)],
      ['r-mtd.csv', 0, sumOf(mtd)],
      ['r-full.csv', full.length, sumOf(full)],
    ]);
    expect(files[1].replacedBy).toEqual([full1.result.file.id]);
    const listing = await runPenny(['-w', w, 'billing', 'files']);
    expect(listing.stdout).toMatch(new RegExp(`replaced by ${full1.result.file.id.slice(0, 12)}`));

    const removed = await json(['-w', w, 'billing', 'remove', full1.result.file.id.slice(0, 12), '--json']);
    expect(removed).toMatchObject({ removedRows: full.length, restoredRows: mtd.length });
    expect(await totals(w)).toEqual(afterMtd);
    await json(['-w', w, 'billing', 'remove', files[1].id, '--json']);
    expect(await totals(w)).toEqual(afterSept);
    const missing = await runPenny(['-w', w, 'billing', 'remove', 'ffffffffffff']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no ingested billing file has id "ffffffffffff"/);
    // What was removed can come back.
    const [again] = await json(['-w', w, 'ingest', join(tmp, 'r-full.csv'), '--json']);
    expect(again.result.status).toBe('ingested');
  });
});

describe('amounts sort as numbers', () => {
  it('orders groups by amount whatever their digit counts, in text and JSON', async () => {
    const base = demoBill({ from: '2026-10-01', days: 1 })[0]!;
    const amounts: [string, string][] = [['S3 Glacier', '3156.16'], ['EC2', '182815.25'], ['Tiny', '9.5'], ['Mid', '45000'], ['Huge', '1000000.01'], ['Cents', '0.07']];
    const f = write('digits.csv', focusCsv(amounts.map(([service, a]) => ({ ...base, service, list: a, billed: a, effective: a }))));
    await json(['-w', ws('digits'), 'ingest', f, '--json']);
    const rows = await json(['-w', ws('digits'), 'report', '--by', 'ServiceName', '--json']);
    expect(rows.map((r: { ServiceName: string }) => r.ServiceName)).toEqual(['Huge', 'EC2', 'Mid', 'S3 Glacier', 'Tiny', 'Cents']);
    const text = (await runPenny(['-w', ws('digits'), 'report', '--by', 'ServiceName'])).stdout;
    const order = ['Huge', 'EC2', 'Mid', 'S3 Glacier', 'Tiny', 'Cents'].map((s) => text.indexOf(`${s} `));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});

describe('charges spread over their charge period in daily views', () => {
  it('a monthly charge counts 1/30 a day and the days add up to the file total exactly', async () => {
    const header = FOCUS_HEADER.join(',');
    const line = (start: string, end: string, service: string, amount: string) =>
      FOCUS_HEADER.map((h) => ({ BillingAccountId: '1', ChargePeriodStart: start, ChargePeriodEnd: end, BillingPeriodStart: '2026-11-01T00:00:00Z', BillingPeriodEnd: '2026-12-01T00:00:00Z', BillingCurrency: 'USD', ServiceName: service, BilledCost: amount, EffectiveCost: amount, ListCost: amount })[h] ?? '').join(',');
    const f = write('spread.csv', [header, line('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z', 'Support', '100'), line('2026-11-03T12:00:00Z', '2026-11-05T12:00:00Z', 'Reserved', '10.000000000000000001'), line('2026-11-02T00:00:00Z', '2026-11-03T00:00:00Z', 'EC2', '7.25'), ''].join('\n'));
    await json(['-w', ws('spread'), 'ingest', f, '--json']);
    const days = await json(['-w', ws('spread'), 'report', '--by', 'ServiceName', '--granularity', 'day', '--json']);
    const support = days.filter((r: { ServiceName: string }) => r.ServiceName === 'Support');
    expect(support).toHaveLength(30);
    expect(support.slice(0, 29).every((r: { effectiveCost: string }) => r.effectiveCost === '3.333333333333333333')).toBe(true);
    expect(support[29].effectiveCost).toBe('3.333333333333333343');
    const reserved = days.filter((r: { ServiceName: string }) => r.ServiceName === 'Reserved').map((r: { period: string; effectiveCost: string }) => [r.period, r.effectiveCost]);
    expect(reserved).toEqual([['2026-11-03', '2.5'], ['2026-11-04', '5'], ['2026-11-05', '2.500000000000000001']]);
    const total = days.reduce((a: Decimal, r: { effectiveCost: string }) => a.plus(r.effectiveCost), new Decimal(0));
    expect(total.toFixed()).toBe('117.250000000000000001');
    const [file] = await json(['-w', ws('spread'), 'billing', 'files', '--json']);
    expect(file.effectiveTotal).toBe(total.toFixed());
    // A range inside the month takes the days inside it.
    const mid = await json(['-w', ws('spread'), 'report', '--by', 'ServiceName', '--granularity', 'day', '--from', '2026-11-10', '--to', '2026-11-12', '--json']);
    expect(mid.map((r: { period: string; effectiveCost: string }) => [r.period, r.effectiveCost])).toEqual([['2026-11-10', '3.333333333333333333'], ['2026-11-11', '3.333333333333333333']]);
  });
});

describe('bad input: refused with file:line, exit 2, the store unchanged', () => {
  const w = () => ws('badin');
  let before: unknown;
  beforeAll(async () => {
    await json(['-w', w(), 'ingest', join(repoRoot, 'examples', 'demo', 'billing-focus.csv'), '--json']);
    before = (await readStore(w())).rows;
  });
  const refused = async (f: string, pattern: RegExp) => {
    const r = await runPenny(['-w', w(), 'ingest', f, '--kind', 'focus']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const after = await readStore(w());
    expect(after.rows).toEqual(before);
    expect(after.files).toHaveLength(1);
  };
  const good = focusCsv(demoBill({ from: '2026-01-01', days: 3 }));
  const lines = good.trimEnd().split('\n');
  const col = (name: string) => FOCUS_HEADER.indexOf(name);
  const withCell = (line: number, name: string, value: string) =>
    lines.map((l, i) => (i === line - 1 ? l.split(',').map((c, k) => (k === col(name) ? value : c)).join(',') : l)).join('\n');

  it('a truncated last row', async () => {
    const cut = good.slice(0, good.lastIndexOf('us-east-2') + 4);
    await refused(write('cut.csv', cut), new RegExp(`cut\\.csv:${lines.length}: RegionId|cut\\.csv:${lines.length}: \\w+: the row has \\d+ of the header's ${FOCUS_HEADER.length} fields`));
  });

  it('a file cut inside its last cell: accepted (it reads as complete) but said, naming the line and value', async () => {
    // Cut two characters into the last value of the last row: every field is there.
    const rows = demoBill({ from: '2026-01-01', days: 3 });
    rows[rows.length - 1] = { ...rows[rows.length - 1]!, gpu: 'H100-SXM5' };
    const cut = focusCsv(rows).trimEnd().slice(0, -2);
    const r = await runPenny(['-w', ws('cutlast'), 'ingest', write('cutlast.csv', cut), '--kind', 'focus']);
    expect(r.code, r.stderr).toBe(0);
    const last = FOCUS_HEADER[FOCUS_HEADER.length - 1];
    expect(r.stdout).toContain(`line ${lines.length}: the file ends without a line break after it; if the file was cut in transfer, its last value (${last} = "H100-SX") may be cut short`);
    // The same rows ending with a line break: nothing to say.
    const whole = await runPenny(['-w', ws('cutlast2'), 'ingest', write('whole.csv', `${good.trimEnd()}\n`), '--kind', 'focus']);
    expect(whole.stdout).not.toMatch(/ends without a line break/);
  });

  it('a row with values past the header (a value with an unquoted comma shifts the cells after it)', async () => {
    const shifted = lines.map((l, i) => (i === 2 ? `${l},12.5` : l)).join('\n');
    await refused(write('shifted.csv', shifted), new RegExp(`shifted\\.csv:3: ${FOCUS_HEADER.at(-1)}: the row has ${FOCUS_HEADER.length + 1} fields, the header ${FOCUS_HEADER.length}: values past the last column`));
    // A trailing comma (an empty field past the header) carries nothing: accepted.
    const r = await runPenny(['-w', ws('trailing'), 'ingest', write('trailing.csv', lines.map((l, i) => (i === 0 ? l : `${l},`)).join('\n')), '--kind', 'focus']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('a column named twice in the header', async () => {
    const twice = lines.map((l, i) => (i === 0 ? `${l},BilledCost` : `${l},0`)).join('\n');
    await refused(write('twice.csv', twice), /twice\.csv: the header names column BilledCost more than once\n\s+\S*twice\.csv:1: BilledCost: column named more than once; found 2 times/);
  });

  it('an unclosed quote says so, with or without --kind (not "unrecognised header")', async () => {
    // The last row's last cell opens a quote that never closes (a download cut inside a quoted Tags cell).
    const open = `${lines.slice(0, 3).join('\n')}\n${lines[3]!.split(',').slice(0, -1).join(',')},"{x\n`;
    const f = write('openquote.csv', open);
    await refused(f, /openquote\.csv: not a readable CSV file: Quote Not Closed/);
    const r = await runPenny(['-w', w(), 'ingest', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/openquote\.csv:4: Quote Not Closed/);
    expect(r.stderr).not.toMatch(/unrecognised header/);
  });

  it('a truncated .gz', async () => {
    const gz = gzipSync(Buffer.from(good.repeat(40)));
    await refused(write('cut.csv.gz', gz.subarray(0, Math.floor(gz.length * 0.6))), /cut\.csv\.gz: the gzip stream is cut short or corrupt/);
  });

  it('currencies that are not ISO 4217 capitals', async () => {
    await refused(write('usd.csv', withCell(3, 'BillingCurrency', 'usd')), /usd\.csv:3: BillingCurrency: expected an ISO 4217 currency code in capitals/);
    await refused(write('xyz.csv', withCell(4, 'BillingCurrency', 'XYZ')), /xyz\.csv:4: BillingCurrency: expected an ISO 4217/);
  });

  it('impossible dates and a period ending before it starts', async () => {
    await refused(write('feb30.csv', withCell(2, 'ChargePeriodStart', '2024-02-30T00:00:00Z')), /feb30\.csv:2: ChargePeriodStart: expected a calendar date \(2024-02 has 29 days\)/);
    await refused(write('backwards.csv', withCell(5, 'ChargePeriodEnd', '2025-12-31T00:00:00Z')), /backwards\.csv:5: ChargePeriodEnd: expected a time not before ChargePeriodStart/);
  });

  it('an amount out of the store\'s range', async () => {
    await refused(write('huge.csv', withCell(3, 'BilledCost', '1e25')), /huge\.csv:3: BilledCost: expected a number below 10\^20 in magnitude/);
  });

  it('a 2 GB NUL-filled file, at once', async () => {
    const f = join(tmp, 'nul.csv');
    writeFileSync(f, '');
    truncateSync(f, 2 * 1024 ** 3); // sparse: 2 GB of NUL bytes without the disk space
    const t0 = Date.now();
    const r = await runPenny(['-w', w(), 'ingest', f]);
    const ms = Date.now() - t0;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nul\.csv: binary data, not a FOCUS export/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // A CLI start here is 1–5 s on a loaded machine; reading 2 GB would take far longer.
    expect(ms).toBeLessThan(10_000);
    await refused(f, /nul\.csv: binary data, not a FOCUS export/);
  });

  it('mixed currencies in one file are kept apart, never summed under one label', async () => {
    const mixed = withCell(2, 'BillingCurrency', 'EUR');
    const f = write('mixed.csv', mixed);
    const [r] = await json(['-w', ws('mixed'), 'ingest', f, '--json']);
    expect(r.result.notes.join(' ')).toMatch(/several billing currencies \(USD, EUR\)|several billing currencies \(EUR, USD\)/);
    const eurLine = mixed.split('\n')[1]!.split(',');
    const eur = eurLine[col('EffectiveCost')]!;
    const t = await totals(ws('mixed'));
    expect(t.EUR).toBe(new Decimal(eur).toFixed());
    const [file] = await json(['-w', ws('mixed'), 'billing', 'files', '--json']);
    expect(file.totals.map((x: { currency: string }) => x.currency).sort()).toEqual(['EUR', 'USD']);
    expect(file.totals.find((x: { currency: string }) => x.currency === 'EUR').effective).toBe(t.EUR);
    // The file's own total is its currency's (the first seen, EUR here) only: never USD + EUR.
    expect(r.result.file.currency).toBe('EUR');
    expect(r.result.file.effectiveTotal).toBe(t.EUR);
    expect(r.result.totals.map((x: { currency: string; effective: string }) => [x.currency, x.effective])).toEqual([['EUR', t.EUR], ['USD', t.USD]]);
    const text = await runPenny(['-w', ws('mixed2'), 'ingest', f]);
    expect(text.stdout).toMatch(/€[\d,.]+ \+ \$[\d,.]+/);
  });
});

describe('a kill at any point of a large ingest, inside the commit too', () => {
  it('leaves the store unchanged or complete, and re-ingest works', async () => {
    const w = ws('kill');
    // 36 accounts × 60 days × 7 charges: enough rows for the commit itself to take a while.
    const rows: FocusLine[] = [];
    for (let k = 0; k < 36; k++) rows.push(...demoBill({ from: '2025-08-01', days: 60, seed: k }).map((l) => ({ ...l, resource: `${l.resource}-${k}` })));
    const big = write('kill-big.csv', focusCsv(rows));
    const small = join(repoRoot, 'examples', 'demo', 'billing-focus.csv');
    await json(['-w', w, 'ingest', small, '--json']);
    const before = await totals(w);
    const complete = { USD: new Decimal(before.USD!).plus(sumOf(rows)).toFixed() };
    // A scratch run, traced: how long the whole ingest and its commit take here.
    const t0 = Date.now();
    const scratch = await runPenny(['-w', ws('kill-scratch'), 'ingest', big, '--json'], { env: { PENNY_TRACE_STORE: '1' } });
    expect(scratch.code, scratch.stderr).toBe(0);
    const fullMs = Date.now() - t0;
    const commitMs = Math.max(...[...scratch.stderr.matchAll(/commit: done in (\d+) ms/g)].map((m) => Number(m[1])));
    const outcomes: string[] = [];
    const check = async (label: string) => {
      const { totals: now, files } = await readStore(w);
      if (files.length === 1) {
        expect(now, `${label}: unchanged`).toEqual(before);
        outcomes.push('unchanged');
      } else {
        expect(now, `${label}: complete`).toEqual(complete);
        expect(files).toHaveLength(2);
        outcomes.push('complete');
        // Complete: take it out again so the next kill starts from the same store.
        await json(['-w', w, 'billing', 'remove', files[1]!.id, '--json']);
        expect((await readStore(w)).totals).toEqual(before);
      }
    };
    const killAfter = async (label: string, when: (child: ReturnType<typeof spawn>) => Promise<void>) => {
      const child = spawn(process.execPath, [pennyBin, '-w', w, 'ingest', big, '--json'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PENNY_TRACE_STORE: '1' } });
      const exited = new Promise<void>((r) => child.on('exit', () => r()));
      await Promise.race([when(child), exited]);
      child.kill('SIGKILL');
      await exited;
      await check(label);
    };
    // Points spread over the whole ingest…
    for (const at of [0.15, 0.35, 0.55, 0.75, 0.9, 1.0]) await killAfter(`at ${at}`, () => new Promise((r) => setTimeout(r, fullMs * at)));
    // …and inside DuckDB's commit: from its start (traced on stderr) to past its measured length.
    for (const share of [0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.2]) {
      await killAfter(`${share} into the commit`, async (child) => {
        await new Promise<void>((r) => child.stderr!.on('data', (d) => String(d).includes('commit: start') && r()));
        await new Promise((r) => setTimeout(r, commitMs * share));
      });
    }
    expect(outcomes.length).toBe(13);
    const [done] = await json(['-w', w, 'ingest', big, '--json']);
    expect(done.result.status).toBe('ingested');
    expect(await totals(w)).toEqual(complete);
    console.log(`commit ${commitMs} ms of ${fullMs} ms; kill outcomes: ${outcomes.join(', ')}`);
  }, 600_000);
});
