/**
 * The same bill in DuckDB and in PostgreSQL 15 gives the same figures to the last digit: the
 * billing SQL differs by dialect (integer division, epoch, generate_series, date formatting), so
 * every report shape is compared across the two on random charges of every length, sign and size
 * (18 digits after the point, up to 12 before), and checked against exact sums made here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshSchema, postgresUnavailable, startPostgres, type TestPostgres } from '../../../test/postgres.js';
import { ingestFocus } from '../../app/billing.js';
import type { BillingStore, ReportQuery } from '../../app/billing-ports.js';
import type { FocusRow } from '../../core/billing/focus.js';
import { Decimal } from '../../core/money.js';
import { seededRng } from '../../core/rng.js';
import { memorySource } from './billing-store.suite.js';
import { SqlBillingStore } from './sql-billing-store.js';
import type { SqlStore } from './sql-store.js';
import { openMemoryStore, openPostgresStore } from './workspace.js';

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`skipping the DuckDB/PostgreSQL comparison: ${unavailable}`);

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const T0 = Date.parse('2027-01-01T00:00:00Z');

/** Charges of every shape: zero-length, hours, days, whole months, 45 days; negative credits; tiny and huge amounts. */
function randomBill(n: number, seed: number): FocusRow[] {
  const rng = seededRng(seed);
  const amount = () => {
    const digits = [1, 3, 9, 12][rng.int(4)]!;
    const whole = Math.floor(rng.next() * 10 ** digits);
    const frac = Array.from({ length: 18 }, () => rng.int(10)).join('');
    return `${rng.next() < 0.15 ? '-' : ''}${whole}.${frac}`;
  };
  return Array.from({ length: n }, (_, i) => {
    const start = T0 + rng.int(90 * 24 * 60) * 60_000 + rng.int(1000);
    const kind = rng.int(6);
    const startDate = new Date(start);
    const monthEnd = Date.UTC(startDate.getUTCFullYear(), startDate.getUTCMonth() + 1, 1);
    const end = [start, start + HOUR_MS, start + DAY_MS, start + 3.5 * DAY_MS, monthEnd, start + 45 * DAY_MS][kind]!;
    const team = ['ml', 'web', 'data', null][rng.int(4)];
    return {
      line: i + 2,
      money: { BilledCost: amount(), EffectiveCost: amount(), ListCost: rng.next() < 0.3 ? null : amount(), ContractedCost: null },
      quantities: { ConsumedQuantity: '1', PricingQuantity: null, CommitmentDiscountQuantity: null },
      times: { ChargePeriodStart: new Date(start).toISOString(), ChargePeriodEnd: new Date(end).toISOString(), BillingPeriodStart: null, BillingPeriodEnd: null },
      text: { ServiceName: ['Compute', 'Storage', 'Network', 'Support'][rng.int(4)]!, BillingCurrency: rng.next() < 0.8 ? 'USD' : 'EUR', ProviderName: 'Cloud', BillingAccountId: `acct-${rng.int(3)}` },
      tags: team ? { team } : null,
      extra: {},
    };
  });
}

const QUERIES: [string, ReportQuery][] = [
  ['total', { by: [] }],
  ['by service and month', { by: [{ kind: 'column', name: 'ServiceName' }], granularity: 'month' }],
  ['by service and day', { by: [{ kind: 'column', name: 'ServiceName' }], granularity: 'day' }],
  ['by team, days in a range', { by: [{ kind: 'tag', key: 'team' }], granularity: 'day', from: '2027-02-03', to: '2027-02-20T12:00:00Z' }],
  ['top 2 teams by day, USD', { by: [{ kind: 'tag', key: 'team' }], granularity: 'day', top: 2, where: [{ dim: { kind: 'column', name: 'BillingCurrency' }, value: 'USD' }] }],
  ['top 1 service', { by: [{ kind: 'column', name: 'ServiceName' }, { kind: 'tag', key: 'team' }], top: 1 }],
];
const WINDOWS: [string, string][] = [
  ['2027-01-01T00:00:00.000Z', '2027-06-01T00:00:00.000Z'],
  ['2027-02-10T06:00:00.000Z', '2027-02-17T18:30:00.000Z'],
  ['2027-03-31T23:00:00.000Z', '2027-05-20T00:00:00.000Z'],
];

async function figures(billing: BillingStore) {
  const reports: Record<string, unknown> = {};
  for (const [name, q] of QUERIES) reports[name] = await billing.billingReport(q);
  const windows = [];
  for (const [from, to] of WINDOWS) windows.push(await billing.spendInWindow({ from, to }));
  const files = (await billing.listBillingFiles()).map((f) => ({ id: f.id, totals: f.totals, countedRows: f.countedRows, replacedBy: f.replacedBy, billedTotal: f.billedTotal, effectiveTotal: f.effectiveTotal }));
  return { reports, windows, files, tagKeys: await billing.tagKeys(), last: await billing.lastChargeEnd() };
}

describe.skipIf(!!unavailable)('billing figures: DuckDB and PostgreSQL 15 agree', () => {
  let pg: TestPostgres;
  const stores: SqlStore[] = [];
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    for (const s of stores) await s.close();
    await pg?.stop();
  });

  it('to the last digit, on every report shape, window and file listing', async () => {
    const clock = { now: () => new Date('2027-06-01T00:00:00Z') };
    const bills = [randomBill(400, 1), randomBill(300, 2)];
    // Both files bill the same three accounts over the same months: wherever one's coverage of a
    // slice contains the other's, it replaces it.
    const all = [];
    for (const open of [() => openMemoryStore(), () => openPostgresStore(pg.url, { schema: freshSchema('cmp') })]) {
      const store = await open();
      stores.push(store);
      const billing = new SqlBillingStore(store.session);
      for (const [i, rows] of bills.entries()) await ingestFocus(billing, clock, `bill-${i}.csv`, memorySource(`bill-${i}`, rows));
      all.push(await figures(billing));
    }
    const [duck, post] = all;
    expect(post).toEqual(duck);

    // And both are right: each currency's days add up to its total exactly, and a window holding
    // every charge equals the total.
    const total = duck!.reports.total as { currency: string; effective: string }[];
    const days = duck!.reports['by service and day'] as { currency: string; effective: string }[];
    for (const t of total) {
      const sum = days.filter((d) => d.currency === t.currency).reduce((a, d) => a.plus(d.effective), new Decimal(0));
      expect(sum.toFixed(), t.currency).toBe(t.effective);
    }
    expect(total.length).toBe(2);
    const byCurrency = (xs: { currency: string; effective: string }[]) => Object.fromEntries(xs.map((x) => [x.currency, new Decimal(x.effective).toFixed()]));
    expect(byCurrency(duck!.windows[0]!)).toEqual(byCurrency(total));
    // Restatement was exercised: each file has slices the other replaced (their months differ in coverage).
    expect(duck!.files.map((f) => [f.id, f.countedRows < (f.id === 'bill-0' ? 400 : 300), f.replacedBy])).toEqual([
      ['bill-0', true, ['bill-1']],
      ['bill-1', true, ['bill-0']],
    ]);
  }, 300_000);
});
