/**
 * The BillingStore suite, run against every driver (like store.suite.ts): the grouped exact sums,
 * JSON tag and extra-column lookups, daily spreads, restatements and window queries are where SQL
 * dialects differ. Files go in through the app's ingest (ingestFocus), which builds their slices,
 * from rows held in memory: the store sees exactly what a CSV ingest gives it.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it as itBase } from 'vitest';
import { ingestFocus, removeBillingFile, type FocusSource } from '../../app/billing.js';
import type { BillingStore } from '../../app/billing-ports.js';
import { canonicalRow, type FocusRow } from '../../core/billing/focus.js';
import { Decimal } from '../../core/money.js';

interface Line {
  line: number;
  day: string;
  service: string;
  billed: string;
  effective: string;
  list?: string;
  team?: string;
  zone?: string;
  currency?: string;
  commitment?: { id: string; status: 'Used' | 'Unused' };
  /** Charge period end; an hour after the day's start unless given. */
  end?: string;
  /** Start time of the charge, when not midnight of `day`. */
  start?: string;
  account?: string;
  billingPeriod?: string;
  /** ChargeCategory, when the row is not plain usage. */
  category?: string;
}

const row = (l: Line): FocusRow => ({
  line: l.line,
  money: { BilledCost: l.billed, EffectiveCost: l.effective, ListCost: l.list ?? null, ContractedCost: null },
  quantities: { ConsumedQuantity: '1', PricingQuantity: null, CommitmentDiscountQuantity: null },
  times: { ChargePeriodStart: l.start ?? `${l.day}T00:00:00Z`, ChargePeriodEnd: l.end ?? `${l.day}T01:00:00Z`, BillingPeriodStart: l.billingPeriod ?? null, BillingPeriodEnd: null },
  text: {
    ServiceName: l.service,
    ...(l.account && { ProviderName: 'Cloud', BillingAccountId: l.account }),
    ...(l.currency && { BillingCurrency: l.currency }),
    ...(l.category && { ChargeCategory: l.category }),
    ...(l.commitment && { CommitmentDiscountId: l.commitment.id, CommitmentDiscountStatus: l.commitment.status }),
  },
  tags: l.team ? { team: l.team, 'cost center': `cc-${l.team}` } : null,
  extra: l.zone ? { x_Zone: l.zone } : {},
});

const HEADER = ['BilledCost', 'EffectiveCost', 'ListCost', 'ChargePeriodStart', 'ChargePeriodEnd', 'ServiceName', 'BillingCurrency'];
const clock = { now: () => new Date('2026-10-03T00:00:00Z') };

/** An export held in memory, read the way the CSV importer reads one (one batch). */
export function memorySource(id: string, rows: FocusRow[], header = HEADER): FocusSource {
  return {
    sha256: id,
    async open() {
      return {
        header,
        notes: [],
        contentHash: () => createHash('sha256').update(rows.map(canonicalRow).join('\n')).digest('hex'),
        async *batches() {
          yield rows;
        },
      };
    },
  };
}

const ingest = (billing: BillingStore, id: string, lines: Line[], delivery?: string) => ingestFocus(billing, clock, `${id}.csv`, memorySource(id, lines.map(row)), delivery ? { delivery } : {});
const USD = [{ dim: { kind: 'column' as const, name: 'BillingCurrency' }, value: 'USD' }];
const total = async (billing: BillingStore, where = USD) => (await billing.billingReport({ by: [], where }))[0]?.effective;

// Amounts with 18 digits after the point and 12 before: a double would lose them.
const LINES: Line[] = [
  { line: 2, day: '2026-09-30', service: 'Compute', billed: '0.000000000000000001', effective: '100000000000.000000000000000001', list: '1', team: 'ml', zone: 'a', currency: 'USD' },
  { line: 3, day: '2026-10-01', service: 'Compute', billed: '0.000000000000000002', effective: '23456789012.123456789012345677', team: 'web', zone: 'b' },
  { line: 4, day: '2026-10-01', service: 'Storage', billed: '0', effective: '0.1', team: 'ml', commitment: { id: 'cd-1', status: 'Used' } },
  { line: 5, day: '2026-10-02', service: 'Network', billed: '0', effective: '0.000000000000000000', commitment: { id: 'cd-1', status: 'Unused' } },
  { line: 6, day: '2026-10-02', service: 'Network', billed: '0', effective: '0.25', currency: 'EUR', commitment: { id: 'cd-1', status: 'Unused' } },
];

export function billingStoreSuite(name: string, open: () => Promise<{ billing: BillingStore; transaction<T>(fn: () => Promise<T>): Promise<T>; close: () => Promise<void> }>) {
  // PostgreSQL in a fresh schema per test, on a loaded machine: a few seconds each.
  const it = (title: string, fn: () => Promise<void>) => itBase(title, fn, 60_000);
  describe(`billing store: ${name}`, () => {
    let billing: BillingStore;
    let tx: <T>(fn: () => Promise<T>) => Promise<T>;
    let close: () => Promise<void>;
    beforeEach(async () => {
      const o = await open();
      billing = o.billing;
      tx = (fn) => o.transaction(fn);
      close = o.close;
      const r = await ingest(billing, 'f1', LINES);
      expect(r.status).toBe('ingested');
    }, 60_000);
    afterEach(async () => close());

    it('records files with exact totals and gives rows without a currency the file\'s', async () => {
      const [f] = await billing.listBillingFiles();
      // The file's totals are its rows in its own currency (USD, the first seen; EUR kept apart).
      expect(f).toMatchObject({ id: 'f1', rows: 5, currency: 'USD', billedTotal: '0.000000000000000003', effectiveTotal: '123456789012.223456789012345678', columns: HEADER, countedRows: 5, replacedBy: [] });
      expect(f!.totals).toEqual([
        { currency: 'EUR', rows: 1, billed: '0', effective: '0.25' },
        { currency: 'USD', rows: 4, billed: '0.000000000000000003', effective: '123456789012.223456789012345678' },
      ]);
      expect((await billing.getBillingFile('f1'))?.id).toBe('f1');
      expect(await billing.getBillingFile('nope')).toBeUndefined();
      const rows = await billing.billingReport({ by: [] });
      expect(rows.map((r) => [r.currency, r.effective, r.billed, r.rows])).toEqual([
        ['USD', '123456789012.223456789012345678', '0.000000000000000003', 4],
        ['EUR', '0.25', '0', 1],
      ]);
    });

    it('groups by column, tag and extra column, to the last digit', async () => {
      const by = await billing.billingReport({ by: [{ kind: 'column', name: 'ServiceName' }] });
      expect(by.map((r) => [r.keys[0], r.currency, r.effective, r.list])).toEqual([
        // One of Compute's rows has no ListCost: the group's list cost is unknown, not the other's 1.
        ['Compute', 'USD', '123456789012.123456789012345678', null],
        ['Network', 'EUR', '0.25', null],
        ['Storage', 'USD', '0.1', null],
        ['Network', 'USD', '0', null],
      ]);
      const tag = await billing.billingReport({ by: [{ kind: 'tag', key: 'team' }], where: [{ dim: { kind: 'column', name: 'BillingCurrency' }, value: 'USD' }] });
      expect(tag.map((r) => [r.keys[0], r.effective])).toEqual([
        ['ml', '100000000000.100000000000000001'],
        ['web', '23456789012.123456789012345677'],
        [null, '0'],
      ]);
      const spaced = await billing.billingReport({ by: [{ kind: 'tag', key: 'cost center' }], where: [{ dim: { kind: 'tag', key: 'team' }, value: 'web' }] });
      expect(spaced.map((r) => r.keys[0])).toEqual(['cc-web']);
      const extra = await billing.billingReport({ by: [{ kind: 'column', name: 'x_Zone' }, { kind: 'column', name: 'ServiceName' }], from: '2026-10-01', to: '2026-10-02' });
      expect(extra.map((r) => [...r.keys, r.rows])).toEqual([
        ['b', 'Compute', 1],
        [null, 'Storage', 1],
      ]);
      expect(await billing.tagKeys()).toEqual(['cost center', 'team']);
    });

    it('splits by day and month and folds all but the top groups into (other)', async () => {
      const days = await billing.billingReport({ by: [{ kind: 'column', name: 'ServiceName' }], granularity: 'day' });
      expect(days.map((r) => `${r.period} ${r.keys[0]} ${r.currency} ${r.effective}`)).toEqual([
        '2026-09-30 Compute USD 100000000000.000000000000000001',
        '2026-10-01 Compute USD 23456789012.123456789012345677',
        '2026-10-01 Storage USD 0.1',
        '2026-10-02 Network EUR 0.25',
        '2026-10-02 Network USD 0',
      ]);
      const months = await billing.billingReport({ by: [], granularity: 'month', where: [{ dim: { kind: 'column', name: 'BillingCurrency' }, value: 'USD' }] });
      expect(months.map((r) => [r.period, r.effective])).toEqual([
        ['2026-09', '100000000000.000000000000000001'],
        ['2026-10', '23456789012.223456789012345677'],
      ]);
      // The largest group of each currency keeps its key: EUR's Network is not folded for being
      // smaller than USD's Compute (a EUR chart of nothing but "(other)").
      const top = await billing.billingReport({ by: [{ kind: 'column', name: 'ServiceName' }], top: 1 });
      expect(top.map((r) => [r.keys[0], r.currency, r.effective, r.rows])).toEqual([
        ['Compute', 'USD', '123456789012.123456789012345678', 2],
        ['Network', 'EUR', '0.25', 1],
        ['(other)', 'USD', '0.1', 2],
      ]);
    });

    it('gives a list cost only for groups whose every row has one, in every view', async () => {
      const more: Line[] = [
        { line: 2, day: '2026-10-05', service: 'Gpu', billed: '2', effective: '2', list: '2', account: 'acct-2', currency: 'USD' },
        { line: 3, day: '2026-10-06', service: 'Gpu', billed: '3', effective: '3', list: '3.5', account: 'acct-2', currency: 'USD' },
        { line: 4, day: '2026-10-05', service: 'Disk', billed: '1', effective: '1', list: '1', account: 'acct-2', currency: 'USD' },
        { line: 5, day: '2026-10-06', service: 'Disk', billed: '1', effective: '1', account: 'acct-2', currency: 'USD' },
      ];
      expect((await ingest(billing, 'f2', more)).status).toBe('ingested');
      const from = '2026-10-05';
      const svc = [{ kind: 'column' as const, name: 'ServiceName' }];
      const by = await billing.billingReport({ by: svc, from });
      expect(by.map((r) => [r.keys[0], r.list])).toEqual([['Gpu', '5.5'], ['Disk', null]]);
      const days = await billing.billingReport({ by: svc, from, granularity: 'day' });
      expect(days.map((r) => [r.period, r.keys[0], r.list])).toEqual([['2026-10-05', 'Gpu', '2'], ['2026-10-05', 'Disk', '1'], ['2026-10-06', 'Gpu', '3.5'], ['2026-10-06', 'Disk', null]]);
      const months = await billing.billingReport({ by: [], from, granularity: 'month' });
      expect(months.map((r) => r.list)).toEqual([null]);
      const top = await billing.billingReport({ by: svc, from: '2026-10-01', top: 1, where: USD });
      expect(top.map((r) => [r.keys[0], r.list])).toEqual([['Compute', null], ['(other)', null]]);
      const topKnown = await billing.billingReport({ by: svc, from, to: '2026-10-06', top: 1 });
      expect(topKnown.map((r) => [r.keys[0], r.list])).toEqual([['Gpu', '2'], ['(other)', '1']]);
    });

    it('counts the list cost of a commitment once: not on its purchase and again on the usage it covers', async () => {
      // The FOCUS spec's example (zero_percent_utilization_without_commitment_discount_flexibility):
      // a commitment bought for 1.50 (ListCost 3.00, EffectiveCost 0: amortised into the hour it
      // covers), that hour unused (ListCost 3.00, EffectiveCost 1.50), an on-demand hour (2.00
      // everywhere). List cost of what was charged: 3.00 + 2.00 = 5.00, not 3.00 + 3.00 + 2.00 = 8.00.
      const spec: Line[] = [
        { line: 2, day: '2026-11-02', service: 'Commitments', category: 'Purchase', billed: '1.5', effective: '0', list: '3', currency: 'USD' },
        { line: 3, day: '2026-11-02', service: 'Compute', billed: '0', effective: '1.5', list: '3', commitment: { id: 'cd-9', status: 'Unused' }, currency: 'USD' },
        { line: 4, day: '2026-11-02', service: 'Compute', billed: '2', effective: '2', list: '2', currency: 'USD' },
        // A purchase that is its own cost (a licence paid and used at once) keeps its list cost.
        { line: 5, day: '2026-11-02', service: 'Licence', category: 'Purchase', billed: '7', effective: '7', list: '9', currency: 'USD' },
      ];
      expect((await ingest(billing, 'f9', spec)).status).toBe('ingested');
      const from = '2026-11-01';
      const svc = [{ kind: 'column' as const, name: 'ServiceName' }];
      expect((await billing.billingReport({ by: [], from })).map((r) => [r.billed, r.effective, r.list])).toEqual([['10.5', '10.5', '14']]);
      expect((await billing.billingReport({ by: svc, from })).map((r) => [r.keys[0], r.list])).toEqual([['Licence', '9'], ['Compute', '5'], ['Commitments', '0']]);
      expect((await billing.billingReport({ by: [], from, granularity: 'day' })).map((r) => [r.period, r.list])).toEqual([['2026-11-02', '14']]);
      expect((await billing.billingReport({ by: [], from, granularity: 'month' })).map((r) => r.list)).toEqual(['14']);
    });

    it('reports commitment use and the last charge end', async () => {
      const rows = await billing.commitmentUtilisation({});
      expect(rows.sort((a, b) => a.currency.localeCompare(b.currency))).toEqual([
        { commitmentId: 'cd-1', currency: 'EUR', used: '0', unused: '0.25' },
        { commitmentId: 'cd-1', currency: 'USD', used: '0.1', unused: '0' },
      ]);
      expect(await billing.lastChargeEnd()).toBe('2026-10-02T01:00:00Z');
    });

    it('saves, replaces, lists and deletes budgets with exact amounts', async () => {
      const b = { name: 'ml', amount: '1000.000000000000000001', currency: 'USD', period: 'month' as const, scope: { kind: 'dimension' as const, dim: { kind: 'tag' as const, key: 'team' }, value: 'ml' }, thresholds: [0.5, 1], createdAt: 't' };
      await billing.saveBudget(b);
      await billing.saveBudget({ ...b, amount: '2000' });
      await billing.saveBudget({ ...b, name: 'all', scope: { kind: 'all' } });
      expect(await billing.listBudgets()).toEqual([{ ...b, name: 'all', scope: { kind: 'all' } }, { ...b, amount: '2000' }]);
      expect(await billing.deleteBudget('ml')).toBe(true);
      expect(await billing.deleteBudget('ml')).toBe(false);
      // One budget set by many callers at once (a server on PostgreSQL: a client each): each
      // replaces it in turn, none fails on the key.
      await Promise.all(Array.from({ length: 12 }, (_, i) => billing.saveBudget({ ...b, amount: String(i + 1) })));
      const ml = (await billing.listBudgets()).filter((x) => x.name === 'ml');
      expect(ml).toHaveLength(1);
      expect(Number(ml[0]!.amount)).toBeGreaterThanOrEqual(1);
    });

    it('orders text byte by byte on every driver, whatever the database\'s collation', async () => {
      // Byte order (what DuckDB gives): upper case before lower, "_" between them, "-" counted. A
      // server's en-US collation would give _shared, Alpha, beta-x, betax, ml, Research, zeta.
      const names = ['zeta', 'Research', '_shared', 'ml', 'betax', 'beta-x', 'Alpha'];
      const bytes = [...names].sort();
      const mar = names.map((service, i): Line => ({ line: i + 2, day: '2027-03-01', service, billed: '5', effective: '5', currency: 'USD', account: 'C', commitment: { id: `${service}-cd`, status: 'Used' } }));
      await ingest(billing, 'mar', mar);
      const C = [...USD, { dim: { kind: 'column' as const, name: 'BillingAccountId' }, value: 'C' }];
      const by = [{ kind: 'column' as const, name: 'ServiceName' }];
      expect((await billing.billingReport({ by, where: C })).map((r) => r.keys[0])).toEqual(bytes);
      expect((await billing.billingReport({ by, where: C, granularity: 'day' })).map((r) => r.keys[0])).toEqual(bytes);
      // Equal amounts: which groups keep their names in a top-3 chart is the same on both drivers.
      expect((await billing.billingReport({ by, where: C, top: 3 })).map((r) => r.keys[0])).toEqual(['(other)', ...bytes.slice(0, 3)]);
      const cds = (await billing.commitmentUtilisation({ where: C })).map((r) => r.commitmentId);
      expect(cds).toEqual(bytes.map((n) => `${n}-cd`));
      for (const name of names) await billing.saveBudget({ name, amount: '1', currency: 'USD', period: 'month', scope: { kind: 'all' }, thresholds: [100], createdAt: 't' });
      expect((await billing.listBudgets()).map((b) => b.name)).toEqual(bytes);
    });

    it('says whether a budget was deleted while other budgets are written and deleted at the same time', async () => {
      const b = { name: 'x', amount: '1', currency: 'USD', period: 'month' as const, scope: { kind: 'all' as const }, thresholds: [100], createdAt: 't' };
      for (let i = 0; i < 10; i++) await billing.saveBudget({ ...b, name: `old${i}` });
      // Deletes of existing budgets beside writes of new ones, and deletes of budgets that never
      // were beside deletes of others: each answer is about its own budget only.
      const answers = await Promise.all([
        ...Array.from({ length: 10 }, (_, i) => billing.deleteBudget(`old${i}`)),
        ...Array.from({ length: 10 }, (_, i) => billing.saveBudget({ ...b, name: `new${i}` }).then(() => 'saved')),
        ...Array.from({ length: 10 }, (_, i) => billing.deleteBudget(`never${i}`)),
      ]);
      expect(answers.slice(0, 10)).toEqual(Array(10).fill(true));
      expect(answers.slice(20)).toEqual(Array(10).fill(false));
      expect((await billing.listBudgets()).map((x) => x.name).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `new${i}`));
    });

    it('rolls back rows written in a failed transaction', async () => {
      await expect(
        tx(async () => {
          await billing.insertBillingRows('f2', LINES.map(row));
          throw new Error('boom after the rows');
        }),
      ).rejects.toThrow('boom');
      expect((await billing.billingReport({ by: [] })).reduce((a, r) => a + r.rows, 0)).toBe(5);
    });

    // January 2027 of billing account A: a month-to-date export, then the full month restating it.
    const jan = (day: string, line: number, effective: string): Line => ({ line, day, service: 'Compute', billed: effective, effective, currency: 'USD', account: 'A', billingPeriod: '2027-01-01T00:00:00Z' });
    const MTD = [jan('2027-01-01', 2, '10.000000000000000001'), jan('2027-01-02', 3, '20')];
    const FULL = [jan('2027-01-01', 2, '10.000000000000000001'), jan('2027-01-02', 3, '20.5'), jan('2027-01-31', 4, '30')];
    const JAN = [...USD, { dim: { kind: 'column' as const, name: 'BillingAccountId' }, value: 'A' }];

    it('replaces a restated slice with the fuller export, and restores it when that file is removed', async () => {
      expect((await ingest(billing, 'mtd', MTD)).status).toBe('ingested');
      expect(await total(billing, JAN)).toBe('30.000000000000000001');
      const full = await ingest(billing, 'full', FULL);
      expect(full.status).toBe('ingested');
      expect(full.replaced).toEqual({ rows: 2, files: ['mtd'], change: [{ currency: 'USD', effective: '30.5' }] });
      expect(await total(billing, JAN)).toBe('60.500000000000000001');
      // The other slices (f1's months) are untouched by the restatement.
      expect(await total(billing)).toBe('123456789072.723456789012345679');
      const files = await billing.listBillingFiles();
      expect(files.map((f) => [f.id, f.countedRows, f.replacedBy])).toEqual([
        ['f1', 5, []],
        ['mtd', 0, ['full']],
        ['full', 3, []],
      ]);
      // An older partial export arriving late replaces nothing and adds nothing.
      const late = await ingest(billing, 'late', [jan('2027-01-01', 2, '9')]);
      expect(late.status).toBe('superseded');
      expect(await total(billing, JAN)).toBe('60.500000000000000001');

      const removed = await removeBillingFile(billing, 'full');
      expect(removed).toMatchObject({ removedRows: 3, change: [{ currency: 'USD', effective: '-30.5' }] });
      // The month-to-date export counts again; the late one stays out (its day is inside the other's coverage).
      expect(await total(billing, JAN)).toBe('30.000000000000000001');
      expect((await billing.listBillingFiles()).map((f) => [f.id, f.countedRows])).toEqual([
        ['f1', 5],
        ['mtd', 2],
        ['late', 0],
      ]);
      expect(await billing.removeBillingFile('full')).toBe(false);
    });

    it('decides which rows count one write at a time: concurrent ingests and removes never double-count nor drop a slice', async () => {
      // Each write, once it has recorded (or removed) its file, waits for the other to do the same
      // before it commits, up to a second: where writes overlap (PostgreSQL: a client per
      // transaction) they overlap in their last step, where each decides which slices count.
      let arrived = 0;
      let wake = () => undefined as void;
      const holding = (b: BillingStore): BillingStore =>
        new Proxy(b, {
          get(t, p) {
            if (p === 'transaction') return <T>(fn: (tx: BillingStore) => Promise<T>) => t.transaction((tx) => fn(holding(tx)));
            if (p === 'insertBillingFile' || p === 'removeBillingFile') {
              return async (...args: unknown[]) => {
                const out = await (t[p] as (...a: unknown[]) => Promise<unknown>).apply(t, args);
                const both = new Promise<void>((resolve) => {
                  const previous = wake;
                  wake = () => (previous(), resolve());
                });
                if (++arrived % 2 === 0) wake();
                await Promise.race([both, new Promise((resolve) => setTimeout(resolve, 1000))]);
                return out;
              };
            }
            const v = Reflect.get(t, p) as unknown;
            return typeof v === 'function' ? v.bind(t) : v;
          },
        });
      const statuses = (rs: { status: string }[]) => rs.map((r) => r.status).sort();
      // A month-to-date export and the full month at once: the full month counts, alone.
      // (Which is recorded first decides whether the month-to-date one is "superseded".)
      await Promise.all([ingest(holding(billing), 'mtd', MTD), ingest(holding(billing), 'full', FULL)]);
      expect(await total(billing, JAN)).toBe('60.500000000000000001');
      expect((await billing.listBillingFiles()).filter((f) => f.id !== 'f1').map((f) => [f.id, f.countedRows]).sort()).toEqual([
        ['full', 3],
        ['mtd', 0],
      ]);
      // The full month taken out while another account's bill comes in: the month-to-date export
      // counts again, and the other bill counts.
      const other = [{ ...jan('2027-01-03', 2, '7'), account: 'B' }];
      await Promise.all([removeBillingFile(holding(billing), 'full'), ingest(holding(billing), 'other', other)]);
      expect(await total(billing, JAN)).toBe('30.000000000000000001');
      expect(await total(billing, [...USD, { dim: { kind: 'column', name: 'BillingAccountId' }, value: 'B' }])).toBe('7');
      // The same rows in two encodings at once count once, and the second is told so.
      expect(statuses(await Promise.all([ingest(holding(billing), 'full-csv', FULL), ingest(holding(billing), 'full-gz', FULL)]))).toEqual(['already-ingested', 'ingested']);
      // The same bytes twice at once: one ingest, one "already ingested", no error.
      expect(statuses(await Promise.all([ingest(holding(billing), 'again', [jan('2027-01-31', 9, '1')]), ingest(holding(billing), 'again', [jan('2027-01-31', 9, '1')])]))).toEqual(['already-ingested', 'superseded']);
      expect(await total(billing, JAN)).toBe('60.500000000000000001');
    });

    it('adds up the parts of one delivery, and replaces all of them with a later delivery', async () => {
      // Two parts of one export run, each covering the whole month: they add, in either order.
      const part1 = [jan('2027-01-01', 2, '1.000000000000000001'), jan('2027-01-31', 3, '2')];
      const part2 = [jan('2027-01-01', 2, '4'), jan('2027-01-31', 3, '8')];
      expect((await ingest(billing, 'p1', part1, 'delivery:run-1')).replaced.rows).toBe(0);
      const second = await ingest(billing, 'p2', part2, 'delivery:run-1');
      expect(second.status).toBe('ingested');
      expect(second.replaced.rows).toBe(0);
      expect(await total(billing, JAN)).toBe('15.000000000000000001');
      // A month-to-date file of its own (smaller coverage) arriving late is superseded by the delivery.
      expect((await ingest(billing, 'mtd-late', [jan('2027-01-01', 2, '100')])).status).toBe('superseded');
      // The next run restates the month: its first part replaces both parts of the first run.
      const rerun = await ingest(billing, 'r1', [jan('2027-01-01', 2, '3'), jan('2027-01-31', 3, '3')], 'delivery:run-2');
      expect(rerun.replaced).toEqual({ rows: 4, files: ['p1', 'p2'], change: [{ currency: 'USD', effective: '-9.000000000000000001' }] });
      await ingest(billing, 'r2', [jan('2027-01-15', 4, '0.5')], 'delivery:run-2');
      expect(await total(billing, JAN)).toBe('6.5');
      expect((await billing.listBillingFiles()).filter((f) => f.id !== 'f1').map((f) => [f.id, f.deliveryId, f.countedRows, f.replacedBy])).toEqual([
        ['p1', 'delivery:run-1', 0, ['r1', 'r2']],
        ['p2', 'delivery:run-1', 0, ['r1', 'r2']],
        ['mtd-late', 'mtd-late', 0, ['r1', 'r2']],
        ['r1', 'delivery:run-2', 2, []],
        ['r2', 'delivery:run-2', 1, []],
      ]);
      // Taking the second run out restores the first run's two parts exactly.
      await removeBillingFile(billing, 'r1');
      await removeBillingFile(billing, 'r2');
      expect(await total(billing, JAN)).toBe('15.000000000000000001');
    });

    // A monthly charge (February 2027: 28 days) spread over its days, with a remainder a day cannot hold.
    const MONTHLY: Line = { line: 2, day: '2027-02-01', end: '2027-03-01T00:00:00Z', service: 'Support', billed: '100.000000000000000001', effective: '100.000000000000000001', list: '-7.000000000000000003', currency: 'USD' };
    const INSIDE: Line = { line: 3, day: '2027-02-09', service: 'Support', billed: '1', effective: '1', currency: 'USD' };

    it('spreads a monthly charge over its days, the days adding up to it exactly', async () => {
      await ingest(billing, 'feb', [MONTHLY]);
      const where = [{ dim: { kind: 'column' as const, name: 'ServiceName' }, value: 'Support' }];
      const days = await billing.billingReport({ by: [], granularity: 'day', where });
      expect(days.map((d) => d.period)).toEqual(Array.from({ length: 28 }, (_, i) => `2027-02-${String(i + 1).padStart(2, '0')}`));
      // Independently: each day floor(units / 28) (toward zero), the last day the rest.
      const units = new Decimal('100.000000000000000001').times('1e18');
      const share = units.div(28).trunc();
      const each = share.div('1e18').toFixed();
      const last = units.minus(share.times(27)).div('1e18').toFixed();
      expect(days.slice(0, 27).every((d) => d.effective === each && d.billed === each)).toBe(true);
      expect(days[27]!.effective).toBe(last);
      expect(days.reduce((a, d) => a.plus(d.effective), new Decimal(0)).toFixed()).toBe('100.000000000000000001');
      // Negative amounts truncate toward zero the same way in both databases.
      const listUnits = new Decimal('-7.000000000000000003').times('1e18');
      const listShare = listUnits.div(28).trunc();
      expect(days[0]!.list).toBe(listShare.div('1e18').toFixed());
      expect(days.reduce((a, d) => a.plus(d.list!), new Decimal(0)).toFixed()).toBe('-7.000000000000000003');
      // A range counts the days inside it; the month report counts the charge whole.
      const some = await billing.billingReport({ by: [{ kind: 'column', name: 'ServiceName' }], granularity: 'day', from: '2027-02-10', to: '2027-02-12' });
      expect(some.map((d) => [d.period, d.keys[0], d.effective])).toEqual([
        ['2027-02-10', 'Support', each],
        ['2027-02-11', 'Support', each],
      ]);
      const month = await billing.billingReport({ by: [], granularity: 'month', where });
      expect(month.map((m) => [m.period, m.effective, m.rows])).toEqual([['2027-02', '100.000000000000000001', 1]]);
    });

    it('counts window spend pro rata to the overlap, charges inside whole', async () => {
      await ingest(billing, 'feb', [MONTHLY, INSIDE]);
      // 7 of the month's 28 days, exactly: 100.000000000000000001 / 4, plus the day's charge inside.
      const w = await billing.spendInWindow({ from: '2027-02-08T00:00:00.000Z', to: '2027-02-15T00:00:00.000Z' });
      expect(w).toEqual([{ currency: 'USD', effective: '26.00000000000000000025', rows: 2 }]);
      const scoped = await billing.spendInWindow({ from: '2027-02-08T00:00:00.000Z', to: '2027-02-15T00:00:00.000Z', where: [{ dim: { kind: 'column', name: 'ServiceName' }, value: 'Compute' }] });
      expect(scoped).toEqual([]);
      // f1's charges: whole when inside, the hour of 2026-10-02 cut in half at 00:30.
      const oct = await billing.spendInWindow({ from: '2026-10-01T00:00:00Z', to: '2026-10-02T00:30:00Z' });
      expect(oct.sort((a, b) => a.currency.localeCompare(b.currency))).toEqual([
        { currency: 'EUR', effective: '0.125', rows: 1 },
        { currency: 'USD', effective: '23456789012.223456789012345677', rows: 3 },
      ]);
    });
  });
}
