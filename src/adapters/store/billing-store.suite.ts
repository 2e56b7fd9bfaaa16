/**
 * The BillingStore suite, run against every driver (like store.suite.ts): the grouped exact sums,
 * JSON tag and extra-column lookups and window queries are where SQL dialects differ.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BillingFileRecord, BillingStore } from '../../app/billing-ports.js';
import type { FocusRow } from '../../core/billing/focus.js';

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
}

const row = (l: Line): FocusRow => ({
  line: l.line,
  money: { BilledCost: l.billed, EffectiveCost: l.effective, ListCost: l.list ?? null, ContractedCost: null },
  quantities: { ConsumedQuantity: '1', PricingQuantity: null, CommitmentDiscountQuantity: null },
  times: { ChargePeriodStart: `${l.day}T00:00:00Z`, ChargePeriodEnd: `${l.day}T01:00:00Z`, BillingPeriodStart: null, BillingPeriodEnd: null },
  text: {
    ServiceName: l.service,
    ...(l.currency && { BillingCurrency: l.currency }),
    ...(l.commitment && { CommitmentDiscountId: l.commitment.id, CommitmentDiscountStatus: l.commitment.status }),
  },
  tags: l.team ? { team: l.team, 'cost center': `cc-${l.team}` } : null,
  extra: l.zone ? { x_Zone: l.zone } : {},
});

const file = (id: string, rows: number): BillingFileRecord => ({
  id,
  path: `${id}.csv`,
  rows,
  currency: 'USD',
  periodStart: '2026-09-30T00:00:00Z',
  periodEnd: '2026-10-02T01:00:00Z',
  billedTotal: '0.000000000000000003',
  effectiveTotal: '123456789012.123456789012345678',
  columns: ['BilledCost', 'EffectiveCost'],
  ingestedAt: '2026-10-03T00:00:00Z',
  sha256: `sha-${id}`,
  contentHash: null,
});

// Amounts with 18 digits after the point and 12 before: a double would lose them.
const LINES: Line[] = [
  { line: 2, day: '2026-09-30', service: 'Compute', billed: '0.000000000000000001', effective: '100000000000.000000000000000001', list: '1', team: 'ml', zone: 'a' },
  { line: 3, day: '2026-10-01', service: 'Compute', billed: '0.000000000000000002', effective: '23456789012.123456789012345677', team: 'web', zone: 'b' },
  { line: 4, day: '2026-10-01', service: 'Storage', billed: '0', effective: '0.1', team: 'ml', commitment: { id: 'cd-1', status: 'Used' } },
  { line: 5, day: '2026-10-02', service: 'Network', billed: '0', effective: '0.000000000000000000', commitment: { id: 'cd-1', status: 'Unused' } },
  { line: 6, day: '2026-10-02', service: 'Network', billed: '0', effective: '0.25', currency: 'EUR', commitment: { id: 'cd-1', status: 'Unused' } },
];

export function billingStoreSuite(name: string, open: () => Promise<{ billing: BillingStore; transaction<T>(fn: () => Promise<T>): Promise<T>; close: () => Promise<void> }>) {
  describe(`billing store: ${name}`, () => {
    let billing: BillingStore;
    let tx: <T>(fn: () => Promise<T>) => Promise<T>;
    let close: () => Promise<void>;
    beforeEach(async () => {
      const o = await open();
      billing = o.billing;
      tx = (fn) => o.transaction(fn);
      close = o.close;
      await tx(async () => {
        await billing.insertBillingRows('f1', LINES.map(row));
        await billing.insertBillingFile(file('f1', LINES.length), [], true);
      });
    });
    afterEach(async () => close());

    it('records files with exact totals and gives rows without a currency the file\'s', async () => {
      const [f] = await billing.listBillingFiles();
      expect(f).toMatchObject({ id: 'f1', rows: 5, billedTotal: '0.000000000000000003', effectiveTotal: '123456789012.123456789012345678', columns: ['BilledCost', 'EffectiveCost'] });
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
        ['Compute', 'USD', '123456789012.123456789012345678', '1'],
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
      const top = await billing.billingReport({ by: [{ kind: 'column', name: 'ServiceName' }], top: 1 });
      expect(top.map((r) => [r.keys[0], r.currency, r.effective, r.rows])).toEqual([
        ['Compute', 'USD', '123456789012.123456789012345678', 2],
        ['(other)', 'EUR', '0.25', 1],
        ['(other)', 'USD', '0.1', 2],
      ]);
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
  });
}
