/** Billing end to end with the built binary: FOCUS ingest (exact, idempotent, atomic), reports, budgets. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../src/core/money.js';
import { runPenny } from './cli.js';
import { demoBill, focusCsv } from './fixtures/focus.js';
import { repoRoot, sharedDataDir } from './shared-data.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'penny-billing-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ws = (name: string) => join(tmp, name);
const json = async (args: string[]) => {
  const r = await runPenny(args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

/** An independent sum of a column: the file parsed here, formatted money stripped, exact decimals. */
function columnSum(file: string, column: string): string {
  const rows = parse(readFileSync(file), { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true }) as Record<string, string>[];
  let total = new Decimal(0);
  for (const r of rows) {
    const v = (r[column] ?? '').trim().replace(/^\$/, '').replace(/,/g, '');
    if (v && v.toLowerCase() !== 'null') total = total.plus(v);
  }
  return total.toFixed();
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : n.endsWith('.csv') ? [join(dir, n)] : []));
}

describe('FOCUS spec examples', () => {
  const dir = sharedDataDir() && join(sharedDataDir()!, 'focus-spec-examples');
  it.skipIf(!dir)('ingest with exact sums, and re-ingest changes nothing', async () => {
    const files = walk(dir!).sort();
    expect(files.length).toBeGreaterThan(20);
    const results = await json(['-w', ws('spec'), 'ingest', dir!, '--json']);
    expect(results.map((r: { path: string }) => r.path).sort()).toEqual(files);
    for (const { path: f, result } of results) {
      // The examples are alternative stories of the same billing accounts and months: a later one
      // whose charges cover an earlier one's restates it (docs/billing.md), so is counted instead.
      expect(['ingested', 'superseded'], f).toContain(result.status);
      expect(result.file.billedTotal, `${f} BilledCost`).toBe(columnSum(f, 'BilledCost'));
      expect(result.file.effectiveTotal, `${f} EffectiveCost`).toBe(columnSum(f, 'EffectiveCost'));
    }
    const before = await json(['-w', ws('spec'), 'report', '--by', 'ServiceName', '--json']);
    const again = await json(['-w', ws('spec'), 'ingest', join(dir!, 'saas_examples'), '--json']);
    expect(again.every((x: { result: { status: string } }) => x.result.status === 'already-ingested')).toBe(true);
    expect(await json(['-w', ws('spec'), 'report', '--by', 'ServiceName', '--json'])).toEqual(before);
  });
  it.skipIf(!dir)('counts a commitment\'s list cost once: its purchase row adds none beside the usage it covers', async () => {
    // Purchase: BilledCost 1.50, ListCost 3.00, EffectiveCost 0; the hour it covers, unused:
    // ListCost 3.00, EffectiveCost 1.50; an on-demand hour: 2.00. List cost 3.00 + 2.00 = 5.00.
    const f = join(dir!, 'commitment_discount_flexibility', 'zero_percent_utilization_without_commitment_discount_flexibility.csv');
    await json(['-w', ws('spec-list'), 'ingest', f, '--json']);
    const rows = await json(['-w', ws('spec-list'), 'report', '--by', 'ChargeCategory', '--json']);
    expect(rows.map((r: Record<string, string>) => [r.ChargeCategory, r.listCost, r.billedCost, r.effectiveCost])).toEqual([
      ['Usage', '5', '2', '3.5'],
      ['Purchase', '0', '1.5', '0'],
    ]);
  });
  if (!dir) console.warn('skipping: ../shared/data/focus-spec-examples is absent');
});

describe('FOCUS in Parquet and gzip', () => {
  it('ingests the same bill from Parquet and from gzip with the same exact totals', async () => {
    const demo = join(repoRoot, 'examples', 'demo', 'billing-focus.csv');
    const parquet = join(tmp, 'bill.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    // Money as DECIMAL(38,18) columns, as exporters write Parquet, not text.
    await conn.run(`COPY (SELECT * REPLACE (CAST(BilledCost AS DECIMAL(38,18)) AS BilledCost, CAST(EffectiveCost AS DECIMAL(38,18)) AS EffectiveCost) FROM read_csv('${demo}', all_varchar = true)) TO '${parquet}' (FORMAT parquet)`);
    conn.closeSync();
    db.closeSync();
    const gz = join(tmp, 'bill.csv.gz');
    writeFileSync(gz, gzipSync(readFileSync(demo)));
    for (const f of [parquet, gz]) {
      const [r] = await json(['-w', ws(`fmt-${f.endsWith('.gz') ? 'gz' : 'pq'}`), 'ingest', f, '--json']);
      expect(r.kind, f).toBe('focus');
      expect(r.result.file.rows).toBe(336);
      expect(r.result.file.effectiveTotal).toBe(columnSum(demo, 'EffectiveCost'));
      expect(r.result.file.billedTotal).toBe(columnSum(demo, 'BilledCost'));
    }
  });
});

describe('penny ingest on bad input: exit 2, the file, line and column named, nothing written', () => {
  it('names missing mandatory columns', async () => {
    const f = join(tmp, 'nocost.csv');
    writeFileSync(f, 'ChargePeriodStart,ChargePeriodEnd,ListCost\n2024-01-01,2024-01-02,1\n');
    const r = await runPenny(['-w', ws('bad'), 'ingest', f, '--kind', 'focus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing mandatory columns BilledCost, EffectiveCost/);
  });

  it('names a bad cell by line and column, and ingests nothing of the file', async () => {
    const lines = focusCsv(demoBill({ from: '2026-01-01', days: 3 })).split('\n');
    lines[5] = lines[5]!.replace(/,Usage,(\w+),([\d.]+),/, ',Usage,$1,12..5,');
    const f = join(tmp, 'badcell.csv');
    writeFileSync(f, lines.join('\n'));
    const r = await runPenny(['-w', ws('bad'), 'ingest', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/badcell\.csv:6: ListCost: expected a decimal number, found "12\.\.5"/);
    const rep = await runPenny(['-w', ws('bad'), 'report']);
    expect(rep.code).toBe(2);
    expect(rep.stderr).toMatch(/no billing data/);
  });

  it('refuses a file that is not a FOCUS export', async () => {
    const f = join(tmp, 'other.csv');
    writeFileSync(f, 'a,b\n1,2\n');
    const r = await runPenny(['-w', ws('bad'), 'ingest', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a file Penny can ingest/);
  });
});

// Kills at many points of an ingest, inside the commit too: test/cli-billing-trust.test.ts.

describe('reports and budgets on the demo bill', () => {
  const demo = join(repoRoot, 'examples', 'demo', 'billing-focus.csv');
  beforeAll(async () => {
    await json(['-w', ws('demo'), 'ingest', demo, '--json']);
  });

  it('groups by a column and a tag; untagged cost is its own group', async () => {
    const rows = await json(['-w', ws('demo'), 'report', '--by', 'tag:team', '--json']);
    expect(rows.map((r: Record<string, string | null>) => r['tag:team']).sort()).toEqual([null, 'product', 'research'].sort());
    const total = rows.reduce((a: Decimal, r: { effectiveCost: string }) => a.plus(r.effectiveCost), new Decimal(0));
    expect(total.toFixed()).toBe(columnSum(demo, 'EffectiveCost'));
    const months = await json(['-w', ws('demo'), 'report', '--by', 'ServiceName', '--granularity', 'month', '--from', '2026-10-01', '--json']);
    expect(new Set(months.map((r: { period: string }) => r.period))).toEqual(new Set(['2026-10']));
  });

  it('refuses a column or tag no bill has, naming the likely one (exit 2)', async () => {
    const col = await runPenny(['-w', ws('demo'), 'report', '--by', 'ServiceNam']);
    expect(col.code).toBe(2);
    expect(col.stderr).toContain('no ingested bill has a column ServiceNam');
    expect(col.stderr).toContain('Did you mean ServiceName?');
    const tag = await runPenny(['-w', ws('demo'), 'report', '--by', 'tag:tem']);
    expect(tag.code).toBe(2);
    expect(tag.stderr).toContain('Did you mean tag:team?');
    const far = await runPenny(['-w', ws('demo'), 'report', '--allocate', 'tag:owner']);
    expect(far.code).toBe(2);
    expect(far.stderr).toContain('Tag keys in the ingested bills: project, team.');
  });

  it('allocates untagged cost, the shares adding up exactly', async () => {
    for (const shared of ['even', 'proportional']) {
      const [c] = await json(['-w', ws('demo'), 'report', '--allocate', 'tag:team', '--shared', shared, '--json']);
      const sharedSum = c.owners.reduce((a: Decimal, o: { shared: string }) => a.plus(o.shared), new Decimal(0));
      expect(sharedSum.toFixed()).toBe(new Decimal(c.unallocated).toFixed());
      const total = c.owners.reduce((a: Decimal, o: { total: string }) => a.plus(o.total), new Decimal(0));
      expect(new Decimal(c.idle).gt(0)).toBe(true);
      expect(total.plus(c.idle).toFixed()).toBe(columnSum(demo, 'EffectiveCost'));
    }
  });

  it('keeps untagged cost in the total of a currency in which no charge has the tag', async () => {
    // USD: team a 100 direct, 50 untagged. EUR: 70 untagged, 30 of an unused commitment, no tag at
    // all: nobody to share the 70 with. Allocated EUR: 0 direct + 70 unshared + 30 idle = 100, the bill.
    const f = join(tmp, 'two-currencies-one-tagged.csv');
    writeFileSync(f, [
      'ChargePeriodStart,ChargePeriodEnd,BillingCurrency,ServiceName,ResourceId,BilledCost,EffectiveCost,Tags,CommitmentDiscountId,CommitmentDiscountStatus',
      '2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,USD,EC2,i-1,100,100,"{""team"":""a""}",,',
      '2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,USD,EC2,i-2,50,50,,,',
      '2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,EUR,VM,v-1,70,70,,,',
      '2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,EUR,VM,sp-1,0,30,,sp-1,Unused',
    ].join('\n') + '\n');
    await json(['-w', ws('alloc-eur'), 'ingest', f, '--json']);
    const all = await json(['-w', ws('alloc-eur'), 'report', '--allocate', 'tag:team', '--json']);
    const eur = all.find((c: { currency: string }) => c.currency === 'EUR');
    expect([eur.owners, eur.unallocated, eur.unshared, eur.idle]).toEqual([[], '70', '70', '30']);
    const usd = all.find((c: { currency: string }) => c.currency === 'USD');
    expect([usd.owners[0].total, usd.unshared, usd.idle]).toEqual(['150', '0', '0']);
    const shown = await runPenny(['-w', ws('alloc-eur'), 'report', '--allocate', 'tag:team']);
    expect(shown.stdout).toContain('cost without the tag (€70.00) not shared: no EUR charge has tag:team');
    expect(shown.stdout).toMatch(/\(no team: untagged, not shared\) +€70\.00/);
    expect(shown.stdout).toMatch(/Total +€0\.00 +€0\.00 +€100\.00/);
    // Idle shared like untagged cost: still nobody to share it with, still in the total.
    const idleShared = await json(['-w', ws('alloc-eur'), 'report', '--allocate', 'tag:team', '--idle', 'shared', '--json']);
    expect(idleShared.find((c: { currency: string }) => c.currency === 'EUR').unshared).toBe('100');
  });

  it('shows the shares in cents that add up to the bill: a third of $100 is $33.34 once', async () => {
    // Teams a, b, c have 10 each and 100 is untagged, shared evenly: 33.333333333334 + 2 ×
    // 33.333333333333 (JSON, exact). On screen each rounded alone read 3 × $33.33 = $99.99 under a
    // Total of $100.00, and 3 × $43.33 = $129.99 for a bill of $130.00.
    const f = join(tmp, 'even-thirds.csv');
    writeFileSync(f, [
      'ChargePeriodStart,ChargePeriodEnd,BillingCurrency,ServiceName,ResourceId,BilledCost,EffectiveCost,Tags',
      ...['a', 'b', 'c'].map((t, i) => `2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,USD,EC2,i-${i},10,10,"{""team"":""${t}""}"`),
      '2026-10-01T00:00:00Z,2026-10-02T00:00:00Z,USD,EC2,i-9,100,100,',
    ].join('\n') + '\n');
    await json(['-w', ws('alloc-thirds'), 'ingest', f, '--json']);
    const r = await runPenny(['-w', ws('alloc-thirds'), 'report', '--allocate', 'tag:team', '--shared', 'even']);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^[abc] /.test(l)).map((l) => l.split(/\s+/).slice(1));
    expect(rows).toEqual([['$10.00', '$33.34', '$43.34'], ['$10.00', '$33.33', '$43.33'], ['$10.00', '$33.33', '$43.33']]);
    expect(r.stdout).toMatch(/Total +\$30\.00 +\$100\.00 +\$130\.00/);
  });

  it('shares idle (unused commitment) cost too when asked', async () => {
    const [c] = await json(['-w', ws('demo'), 'report', '--allocate', 'tag:team', '--idle', 'shared', '--json']);
    expect(c.idle).toBe('0');
    const total = c.owners.reduce((a: Decimal, o: { total: string }) => a.plus(o.total), new Decimal(0));
    expect(total.toFixed()).toBe(columnSum(demo, 'EffectiveCost'));
  });

  it('reports commitment utilisation from Used and Unused rows', async () => {
    const [c] = await json(['-w', ws('demo'), 'report', '--commitments', '--json']);
    expect(c.commitmentId).toBe('sp-inference-1y');
    expect(c.utilisation).toBeGreaterThan(0.5);
    expect(c.utilisation).toBeLessThan(1);
  });

  it('refuses an option the chosen report does not read, rather than print another report without a word', async () => {
    for (const [args, message] of [
      [['--allocate', 'tag:team', '--by', 'RegionId'], /--by cannot be used with --allocate/],
      [['--commitments', '--granularity', 'day'], /--granularity cannot be used with --commitments/],
      [['--shared', 'even'], /--shared goes with --allocate/],
      [['--by', 'RegionId', '--idle', 'shared', '--shared', 'even'], /--shared, --idle go with --allocate/],
    ] as const) {
      const r = await runPenny(['-w', ws('demo'), 'report', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('shows burn, the forecast overrun and the actions that close it', async () => {
    await json(['-w', ws('demo'), 'cost', 'examples/demo/scenario.yaml', '--save', '--json']);
    const set = await runPenny(['-w', ws('demo'), 'budget', 'set', 'ai-cloud', '--amount', '150000', '--thresholds', '50,80,100']);
    expect(set.code, set.stderr).toBe(0);
    const [s] = await json(['-w', ws('demo'), 'budget', 'status', '--json']);
    expect(s.period.start).toBe('2026-10-01T00:00:00.000Z');
    expect(new Decimal(s.forecast).gt(s.amount)).toBe(true);
    expect(new Decimal(s.overrun).eq(new Decimal(s.forecast).minus(s.amount))).toBe(true);
    expect(s.alerts.map((a: { threshold: number }) => a.threshold)).toEqual([50, 80, 100]);
    expect(s.actions.length).toBeGreaterThan(2);
    expect(s.actions.at(-1).closesCumulative).toBeGreaterThan(0);
    const table = await runPenny(['-w', ws('demo'), 'budget', 'status']);
    expect(table.stdout).toMatch(/Forecast overrun: \$[\d,]+\.\d\d/);
    expect(table.stdout).toMatch(/Spent to date/);
  });

  it('re-plans capacity under what is left of the budget, or says what cannot be met', async () => {
    expect((await runPenny(['-w', ws('demo'), 'budget', 'set', 'ai-cloud', '--amount', '150000'])).code).toBe(0);
    const roomy = await json(['-w', ws('demo'), 'budget', 'status', '--replan', 'examples/demo/plan.yaml', '--json']);
    const r = roomy.replan;
    expect(r.budget).toBe('ai-cloud');
    const left = new Decimal(roomy.budgets[0].amount).minus(roomy.budgets[0].spent);
    expect(new Decimal(r.planBudgetUsd).lte(left)).toBe(true);
    expect(new Decimal(r.constrainedUsd).lte(r.planBudgetUsd)).toBe(true);
    // Tight: a budget almost spent leaves too little for two days of demand.
    expect((await runPenny(['-w', ws('demo'), 'budget', 'set', 'ai-cloud', '--amount', '92000'])).code).toBe(0);
    const tight = await json(['-w', ws('demo'), 'budget', 'status', '--replan', 'examples/demo/plan.yaml', '--json']);
    expect(tight.replan.constrainedUsd).toBeUndefined();
    expect(tight.replan.infeasible.message).toMatch(/./);
    expect(new Decimal(tight.replan.planBudgetUsd).lt(tight.replan.unconstrainedUsd)).toBe(true);
    expect((await runPenny(['-w', ws('demo'), 'budget', 'set', 'ai-cloud', '--amount', '150000'])).code).toBe(0);
  });

  it('forecasts the workspace\'s daily spend, and budgets use that model', async () => {
    const f = await json(['-w', ws('demo'), 'forecast', 'billing', '--horizon', '14d', '--json']);
    expect(f.points).toHaveLength(14);
    expect(f.unit).toBe('USD');
    expect(f.history.points).toBe(48);
    expect((await runPenny(['-w', ws('demo'), 'budget', 'set', 'ai-cloud', '--amount', '150000'])).code).toBe(0);
    const [b] = await json(['-w', ws('demo'), 'budget', 'status', '--json']);
    expect(b.forecastMethod).toMatch(/on 48 days of spend \(P50 of the 13 days left/);
  });

  it('forecasts each service\'s daily spend on its own (--by), the rest as (other)', async () => {
    const byService = await json(['-w', ws('demo'), 'forecast', 'billing', '--by', 'ServiceName', '--top', '2', '--model', 'mean', '--horizon', '7d', '--json']);
    const report: { ServiceName: string; effectiveCost: string }[] = await json(['-w', ws('demo'), 'report', '--by', 'ServiceName', '--json']);
    const cost = report.map((r) => [r.ServiceName, Number(r.effectiveCost)] as const).sort((a, b) => b[1] - a[1]);
    expect(byService.by).toBe('ServiceName');
    expect(byService.forecasts.map((f: { key: string }) => f.key)).toEqual([...cost.slice(0, 2).map(([k]) => k).sort(), '(other)']);
    // The mean model's level is each group's spend over the 48 days: the groups add up to the bill.
    const level = (key: string) => byService.forecasts.find((f: { key: string }) => f.key === key).params.mean;
    for (const [k, c] of cost.slice(0, 2)) expect(level(k)).toBeCloseTo(c / 48, 2);
    expect(level('(other)')).toBeCloseTo(cost.slice(2).reduce((a, [, c]) => a + c, 0) / 48, 2);
    for (const f of byService.forecasts) expect([f.history.points, f.points.length]).toEqual([48, 7]);
    // The table says what it forecasts and in which currency, as a single forecast's header does.
    const table = await runPenny(['-w', ws('demo'), 'forecast', 'billing', '--by', 'ServiceName', '--top', '2', '--model', 'mean', '--horizon', '7d']);
    expect(table.stdout).toMatch(/^3 series of effective cost per day \(USD\), by ServiceName/m);
    expect(table.stdout).toMatch(/First step P50 \(P10–P90\), USD/);
    // Options this source does not read are refused (exit 2), not run as if absent.
    for (const [args, message] of [
      [['--metric', 'tokens'], /--metric does not apply to penny forecast billing/],
      [['--top', '3'], /--top does not apply to penny forecast billing[\s\S]*goes with --by/],
      [['--value', 'a', '--format', 'csv'], /--format, --value do not apply to penny forecast billing/],
    ] as const) {
      const r = await runPenny(['-w', ws('demo'), 'forecast', 'billing', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('checks a budget\'s scope and currency against the data (exit 2, never "$0 on track")', async () => {
    const w = ['-w', ws('demo')];
    const check = async (name: string, args: string[], message: RegExp) => {
      expect((await runPenny([...w, 'budget', 'set', name, '--amount', '48000', ...args])).code).toBe(0);
      const r = await runPenny([...w, 'budget', 'status']);
      expect(r.code, r.stdout).toBe(2);
      expect(r.stderr).toMatch(message);
      // The other budget is still measured; the bad one is named after it.
      expect(r.stdout).toMatch(/^ai-cloud · all spend · 2026-10/m);
      expect(r.stdout).toMatch(new RegExp(`^${name} · .* · cannot be measured`, 'm'));
      const j = await runPenny([...w, 'budget', 'status', '--json']);
      expect(j.code).toBe(2);
      const listed = JSON.parse(j.stdout) as { name: string; problem?: { title: string } }[];
      expect(listed.map((b) => [b.name, Boolean(b.problem)])).toEqual([['ai-cloud', false], [name, true]]);
      expect(listed[1]!.problem!.title).toMatch(message);
      expect((await runPenny([...w, 'budget', 'delete', name])).code).toBe(0);
    };
    await check('typo', ['--scope', 'ProviderName=AWZ'], /no rows match ProviderName=AWZ in the budget's period \(2026-10\); did you mean ProviderName=AWS\?/);
    const col = await runPenny([...w, 'budget', 'set', 'col', '--amount', '1', '--scope', 'ProvidrName=AWS']);
    expect(col.code).toBe(2);
    expect(col.stderr).toMatch(/no ingested bill has a column ProvidrName[\s\S]*Did you mean ProviderName\?/);
    await check('eur', ['--currency', 'EUR'], /budget eur is in EUR but all spend is billed in USD in 2026-10/);
    const yen = await runPenny([...w, 'budget', 'set', 'yen', '--amount', '48000', '--currency', 'JPY']);
    expect(yen.stdout).toMatch(/¥48,000 a month/);
    expect((await runPenny([...w, 'budget', 'delete', 'yen'])).code).toBe(0);
  });

  it('refuses a bad budget with exit 2', async () => {
    for (const args of [['--amount', 'lots'], ['--amount', '10', '--currency', 'XXY'], ['--amount', '10', '--scope', 'nonsense'], ['--amount', '10', '--thresholds', 'a,b']]) {
      const r = await runPenny(['-w', ws('demo'), 'budget', 'set', 'x', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
    }
  });
});

describe('a list cost the bill does not give', () => {
  it('shows as unknown, never as $0.00, and makes its total unknown', async () => {
    const file = join(tmp, 'no-list.csv');
    const lines = demoBill({ from: '2026-09-01', days: 2 }).slice(0, 4);
    // The first charge has no ListCost: its group's list cost is unknown, not the others' sum.
    writeFileSync(file, focusCsv(lines.map((l, i) => (i === 0 ? { ...l, list: 'NULL' } : l))));
    const w = ['-w', ws('no-list')];
    expect((await runPenny([...w, 'ingest', file])).code).toBe(0);
    const rows = await json([...w, 'report', '--by', 'ResourceId', '--json']);
    const first = rows.find((r: { ResourceId: string }) => r.ResourceId === lines[0]!.resource);
    expect(first.listCost).toBeNull();
    expect(rows.filter((r: { listCost: string | null }) => r.listCost !== null).length).toBeGreaterThan(0);
    const r = await runPenny([...w, 'report', '--by', 'ResourceId']);
    expect(r.code, r.stderr).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith(lines[0]!.resource))!;
    expect(line.trim().split(/\s{2,}/)[1]).toBe('—');
    expect(r.stdout).toMatch(/^Total USD\s+—\s+\$/m);
    expect(r.stdout).toMatch(/list cost unknown/);
  });
});
