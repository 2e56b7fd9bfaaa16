import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPenny } from './cli.js';
import { sharedFile } from './shared-data.js';

const dir = mkdtempSync(join(tmpdir(), 'penny-forecast-'));

/** Four weeks of hourly demand with a daily cycle, a slow trend and seeded noise. */
function historyCsv(): string {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
  const rows = ['timestamp,gpus'];
  for (let i = 0; i < 24 * 28; i++) {
    const t = new Date(Date.UTC(2025, 0, 6) + i * 3_600_000).toISOString();
    rows.push(`${t},${(100 + 0.05 * i + 30 * Math.sin((2 * Math.PI * i) / 24) + 6 * (rand() - 0.5)).toFixed(2)}`);
  }
  return rows.join('\n');
}

describe('penny forecast', () => {
  const csv = join(dir, 'history.csv');
  writeFileSync(csv, historyCsv());

  it('prints the backtest table, the chosen model and the forecast', async () => {
    const r = await runPenny(['forecast', csv, '--horizon', '2d', '--interval', '1h']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/snaive-day \(baseline\)/);
    expect(r.stdout).toMatch(/Chosen: \S+ — MASE [\d.]+ vs snaive-day/);
    expect(r.stdout).toMatch(/P10–P90 [\d.]+% of the time in backtest/);
  });

  it('writes the forecast file the planner reads, and an SVG chart', async () => {
    const out = join(dir, 'f.json');
    const svg = join(dir, 'f.svg');
    const r = await runPenny(['forecast', csv, '--horizon', '24h', '--out', out, '--plot', svg, '--json']);
    expect(r.code).toBe(0);
    const file = JSON.parse(readFileSync(out, 'utf8'));
    expect(JSON.parse(r.stdout)).toEqual(file);
    expect(file.interval).toBe('1h');
    expect(file.unit).toBe('gpus');
    expect(file.points).toHaveLength(24);
    expect(file.points[0].t).toBe('2025-02-03T00:00:00.000Z');
    for (const p of file.points) expect(p.p10 <= p.p50 && p.p50 <= p.p90).toBe(true);
    expect(file.metrics.mase).toBeLessThan(file.metrics.baselineMase);
    expect(typeof file.metrics.coverageP10P90).toBe('number');
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*P10–P90[\s\S]*<\/svg>$/);
  });

  it('refuses bad input with a message and exit 2', async () => {
    const one = join(dir, 'one.csv');
    writeFileSync(one, 'time,v\n2025-01-01T00:00:00Z,5\n');
    const r1 = await runPenny(['forecast', one]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/at least 4 points/);
    const r2 = await runPenny(['forecast', csv, '--horizon', 'soon']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--horizon "soon" is not a duration/);
    const r3 = await runPenny(['forecast', csv, '--model', 'prophet']);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/unknown model "prophet"/);
    const r4 = await runPenny(['forecast', join(dir, 'nope.csv')]);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toMatch(/no such file/);
    expect(r1.stderr + r2.stderr + r3.stderr + r4.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});

describe('penny forecast: defects of issue 19', () => {
  it('keeps the scale of tiny values, refuses huge ones with exit 2, keeps the first row of a header-less file', async () => {
    const rows = Array.from({ length: 24 * 6 }, (_, i) => `${new Date(Date.UTC(2025, 0, 6) + i * 3_600_000).toISOString()},${((2.5 + Math.sin(i / 3.8) * 0.3) * 1e-7).toExponential(4)}`);
    const tiny = join(dir, 'tiny.csv');
    writeFileSync(tiny, `${rows.join('\n')}\n`);
    const r = await runPenny(['forecast', tiny, '--horizon', '6h', '--json']);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j.history.points).toBe(24 * 6);
    expect(j.history.start).toBe('2025-01-06T00:00:00.000Z');
    expect(j.preparation.notes[0]).toMatch(/no header line/);
    for (const p of j.points) expect(p.p50).toBeGreaterThan(1e-7);
    const huge = join(dir, 'huge.csv');
    writeFileSync(huge, `time,v\n${rows.map((row, i) => `${row.split(',')[0]},${1e300 * (1 + (i % 3))}`).join('\n')}\n`);
    const h = await runPenny(['forecast', huge, '--horizon', '6h']);
    expect(h.code).toBe(2);
    expect(h.stderr).toMatch(/too large to forecast/);
  });
});

describe('penny forecast at any interval and season', () => {
  it('resamples 2-second counts to 10 s, sums them, and takes --season 6', async () => {
    // Requests every 2 s, in a 60-second cycle (6 ten-second slots).
    const rows = ['timestamp,requests'];
    for (let i = 0; i < 5 * 6 * 40; i++) rows.push(`${new Date(Date.UTC(2025, 0, 6) + i * 2000).toISOString()},${1 + (Math.floor(i / 5) % 6 === 0 ? 4 : 0) + (i % 3)}`);
    const f = join(dir, 'ten.csv');
    writeFileSync(f, rows.join('\n'));
    const r = await runPenny(['forecast', f, '--interval', '10s', '--season', '1m', '--horizon', '2m', '--json']);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j.interval).toBe('10s');
    expect(j.metrics.seasons).toEqual([6]);
    expect(j.points).toHaveLength(12);
    expect(j.preparation.notes.join(' ')).toMatch(/combined by sum: "requests" holds whole counts/);
    const bad = await runPenny(['forecast', f, '--interval', '7 parsecs']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--interval "7 parsecs" is not an interval/);
    const badSeason = await runPenny(['forecast', f, '--interval', '10s', '--season', '15s']);
    expect(badSeason.code).toBe(2);
    expect(badSeason.stderr).toMatch(/--season "15s" is not a whole number of intervals/);
  });
});

describe('penny forecast --quantiles', () => {
  it('delivers P1 and P99 beside P10/P50/P90, with the band\'s measured coverage', async () => {
    const csv = join(dir, 'q.csv');
    writeFileSync(csv, historyCsv());
    const r = await runPenny(['forecast', csv, '--horizon', '12h', '--quantiles', '0.01,0.5,0.99', '--json']);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j.metrics.quantiles).toEqual([0.01, 0.1, 0.5, 0.9, 0.99]);
    for (const p of j.points) expect(p.p1 <= p.p10 && p.p90 <= p.p99).toBe(true);
    expect(j.metrics.band.from).toBe('p1');
    const t = await runPenny(['forecast', csv, '--horizon', '12h', '--quantiles', '0.01,0.99']);
    expect(t.stdout).toMatch(/inside P1–P99 [\d.]+% \(nominal 98(\.0)?%\)/);
    expect(t.stdout).toMatch(/Pinball/);
    const bad = await runPenny(['forecast', csv, '--quantiles', '0.5,99']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--quantiles "99" is not a level between 0 and 1/);
  });
});

describe('penny forecast on the real traces beats seasonal naive and states its coverage', () => {
  const dlrm = sharedFile('alibaba-dlrm-2025/disaggregated_DLRM_trace.csv');
  it.skipIf(!dlrm)('DLRM serving GPUs per hour', async () => {
    const r = await runPenny(['forecast', dlrm!, '--horizon', '1d', '--interval', '1h', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.metrics.baseline).toBe('snaive-day');
    expect(j.metrics.mase).toBeLessThan(j.metrics.baselineMase);
    expect(j.metrics.coverageP10P90).toBeGreaterThan(0);
  });
  const azure = sharedFile('azure-llm-2023/AzureLLMInferenceTrace_code.csv');
  it.skipIf(!azure)('Azure code trace requests per minute', async () => {
    const r = await runPenny(['forecast', azure!, '--horizon', '10m', '--interval', '1m', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    // An hour of data has no daily cycle: the seasonal naive baseline falls back to naive. No model
    // beats it beyond noise on 57 points (ses 0.696 vs 0.752 over 8 origins), so naive, a champion,
    // is kept (held out on the real-series bench naive was the better of the two).
    expect(j.metrics.baseline).toBe('naive');
    expect(j.metrics.mase).toBeLessThanOrEqual(j.metrics.baselineMase);
    expect(j.metrics.coverageP10P90).toBeGreaterThan(0);
  });
});

describe('penny forecast with user features', () => {
  it('regresses on a feature whose future rows are given', async () => {
    // Demand = 5 × users + 20, users known 24 hours ahead (rows with no demand).
    const rows = ['time,demand,users'];
    let seed = 3;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    for (let i = 0; i < 24 * 10 + 24; i++) {
      const users = Math.round(50 + 40 * rand());
      const t = new Date(Date.UTC(2025, 2, 1) + i * 3_600_000).toISOString();
      rows.push(i < 240 ? `${t},${(20 + 5 * users + rand()).toFixed(2)},${users}` : `${t},,${users}`);
    }
    const csv = join(dir, 'features.csv');
    writeFileSync(csv, rows.join('\n'));
    const r = await runPenny(['forecast', csv, '--horizon', '24h', '--model', 'linreg', '--features', 'users', '--json']);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(j.model).toBe('linreg');
    expect(j.params.users).toBeCloseTo(5, 1);
    const last = rows[rows.length - 1]!.split(',');
    expect(j.points[23].p50).toBeCloseTo(20.5 + 5 * Number(last[2]), -1);
  });
});

/** Hourly rows of two teams' GPUs (long format) for `days` days: a daily cycle each, seeded noise. */
function teamsCsv(days: number): string {
  let seed = 11;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
  const rows = ['time,team,gpus'];
  for (let i = 0; i < 24 * days; i++) {
    const t = new Date(Date.UTC(2025, 0, 6) + i * 3_600_000).toISOString();
    rows.push(`${t},ml,${(50 + 10 * Math.sin((2 * Math.PI * i) / 24) + 2 * rand()).toFixed(2)}`);
    rows.push(`${t},web,${(20 + 5 * Math.cos((2 * Math.PI * i) / 24) + rand()).toFixed(2)}`);
  }
  return rows.join('\n');
}

describe('penny forecast: many series and scores against later actuals', () => {
  it('forecasts each group of --by and each column of --each-column, keyed by series', async () => {
    const long = join(dir, 'teams.csv');
    writeFileSync(long, teamsCsv(8));
    const j = JSON.parse((await runPenny(['forecast', long, '--by', 'team', '--horizon', '12h', '--model', 'snaive-day,theta', '--json'])).stdout);
    expect(j.by).toBe('team');
    expect(j.forecasts.map((f: { key: string }) => f.key)).toEqual(['ml', 'web']);
    for (const f of j.forecasts) expect(f.points).toHaveLength(12);
    // Each group is its own series: ml's level is near 50, web's near 20.
    const mean = (f: { points: { p50: number }[] }) => f.points.reduce((a, p) => a + p.p50, 0) / f.points.length;
    expect(mean(j.forecasts[0])).toBeGreaterThan(40);
    expect(mean(j.forecasts[1])).toBeLessThan(30);
    // The same data wide (one column per team): the same forecasts, keyed by column.
    const wide = join(dir, 'wide.csv');
    const lines = teamsCsv(8).split('\n').slice(1);
    writeFileSync(wide, ['time,ml,web,region', ...Array.from({ length: lines.length / 2 }, (_, k) => `${lines[2 * k]!.split(',')[0]},${lines[2 * k]!.split(',')[2]},${lines[2 * k + 1]!.split(',')[2]},eu`)].join('\n'));
    const w = JSON.parse((await runPenny(['forecast', wide, '--each-column', '--horizon', '12h', '--model', 'snaive-day,theta', '--json'])).stdout);
    expect(w.by).toBe('column');
    expect(w.forecasts.map((f: { key: string }) => f.key)).toEqual(['ml', 'web']);
    expect(w.forecasts.map((f: { points: unknown }) => f.points)).toEqual(j.forecasts.map((f: { points: unknown }) => f.points));
    const table = await runPenny(['forecast', long, '--by', 'team', '--horizon', '12h', '--model', 'snaive-day,theta']);
    expect(table.stdout).toMatch(/^2 series of gpus, by team/m);
    expect(table.stdout).toMatch(/^\s+web\s+192\s+/m);
    const billingOnly = await runPenny(['forecast', long, '--by', 'team', '--currency', 'EUR']);
    expect(billingOnly.code).toBe(2);
    expect(billingOnly.stderr).toMatch(/--currency does not apply to penny forecast FILE/);
    const bad = await runPenny(['forecast', long, '--by', 'squad']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no column "squad"/);
  });

  it('scores a saved forecast against the actuals that arrive later (a series split in two)', async () => {
    const ws = join(dir, 'ws-score');
    const file = join(dir, 'split.csv');
    const all = historyCsv().split('\n');
    // The first 20 days now; the next day arrives after the forecast was saved.
    writeFileSync(file, all.slice(0, 1 + 24 * 20).join('\n'));
    const made = await runPenny(['-w', ws, 'forecast', file, '--horizon', '24h', '--model', 'snaive-day,theta', '--save', '--json']);
    expect(made.code, made.stderr).toBe(0);
    const forecast = JSON.parse(made.stdout);
    const waiting = JSON.parse((await runPenny(['-w', ws, 'forecast', 'score', '--json'])).stdout);
    expect(waiting).toHaveLength(1);
    expect(waiting[0].status).toBe('waiting');
    writeFileSync(file, all.slice(0, 1 + 24 * 21).join('\n'));
    const [s] = JSON.parse((await runPenny(['-w', ws, 'forecast', 'score', '--json'])).stdout);
    expect(s.status).toBe('scored');
    expect(s.matched).toBe(24);
    // MASE and coverage recomputed here from the forecast printed and the day that arrived.
    const actual = all.slice(1 + 24 * 20, 1 + 24 * 21).map((l) => Number(l.split(',')[1]));
    const mae = actual.reduce((a, y, i) => a + Math.abs(y - forecast.points[i].p50), 0) / 24;
    expect(s.mae).toBeCloseTo(mae, 4);
    expect(s.mase).toBeCloseTo(mae / forecast.metrics.scale, 4);
    expect(s.coverageP10P90).toBeCloseTo(actual.filter((y, i) => y >= forecast.points[i].p10 && y <= forecast.points[i].p90).length / 24, 6);
    expect(s.backtest.mase).toBe(forecast.metrics.mase);
    const text = await runPenny(['-w', ws, 'forecast', 'score']);
    expect(text.stdout).toMatch(/24\/24/);
    // A newer forecast of the same file is kept beside the first, not in its place.
    expect((await runPenny(['-w', ws, 'forecast', file, '--horizon', '24h', '--model', 'snaive-day,theta', '--save', '--json'])).code).toBe(0);
    const both = JSON.parse((await runPenny(['-w', ws, 'forecast', 'score', '--json'])).stdout);
    expect(both.map((r: { status: string }) => r.status).sort()).toEqual(['scored', 'waiting']);
  });
});

describe('penny forecast billing in a workspace billed in two currencies', () => {
  const HEADER = 'BillingAccountId,ChargePeriodStart,ChargePeriodEnd,BillingPeriodStart,BillingPeriodEnd,BillingCurrency,ProviderName,ServiceName,ListCost,BilledCost,EffectiveCost';
  const days = (account: string, currency: string, amount: number, from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => {
      const d = from + i;
      const day = `2026-09-${String(d).padStart(2, '0')}`;
      const next = d === 30 ? '2026-10-01' : `2026-09-${String(d + 1).padStart(2, '0')}`;
      return `${account},${day}T00:00:00Z,${next}T00:00:00Z,2026-09-01T00:00:00Z,2026-10-01T00:00:00Z,${currency},Cloud${account},Compute,${amount},${amount},${amount}`;
    });

  it('says which currency it forecasts and that the others are left out, and scores against actuals in that currency', async () => {
    const ws = join(dir, 'ws-two-currencies');
    const first = join(dir, 'bill-a.csv');
    writeFileSync(first, [HEADER, ...days('1', 'USD', 100, 1, 20), ...days('2', 'EUR', 50, 1, 20)].join('\n') + '\n');
    expect((await runPenny(['-w', ws, 'ingest', first])).code).toBe(0);
    const made = await runPenny(['-w', ws, 'forecast', 'billing', '--horizon', '3d', '--model', 'naive', '--save', '--json']);
    expect(made.code, made.stderr).toBe(0);
    const f = JSON.parse(made.stdout);
    expect(f.unit).toBe('USD');
    expect(f.preparation.notes.join(' ')).toMatch(/spend in EUR is left out/);
    expect(JSON.parse((await runPenny(['-w', ws, 'forecast', 'billing', '--horizon', '3d', '--model', 'naive', '--currency', 'eur', '--json'])).stdout).unit).toBe('EUR');
    // Later: the USD days arrive, and a large EUR account now leads the bill's first day.
    const later = join(dir, 'bill-b.csv');
    writeFileSync(later, [HEADER, ...days('1', 'USD', 100, 1, 23), ...days('3', 'EUR', 1000, 1, 23)].join('\n') + '\n');
    expect((await runPenny(['-w', ws, 'ingest', later])).code).toBe(0);
    const [s] = JSON.parse((await runPenny(['-w', ws, 'forecast', 'score', '--json'])).stdout);
    expect(s.status).toBe('scored');
    expect(s.matched).toBe(3);
    // USD actuals (100 a day, as forecast), not the EUR account's 1,050.
    expect(s.mae).toBe(0);
  });
});
