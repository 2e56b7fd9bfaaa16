/**
 * Budgets at any `--at` date, against hand-computed figures: spend to date counts only charges
 * before `at` (pro rata for one spanning it), the forecast only what is left of the month; scopes
 * and currencies are checked against the data.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshSchema, postgresUnavailable, startPostgres, type TestPostgres } from '../../test/postgres.js';
import { focusSource } from '../adapters/importers/focus-thread.js';
import { SqlBillingStore } from '../adapters/store/sql-billing-store.js';
import type { SqlStore } from '../adapters/store/sql-store.js';
import { openMemoryStore, openPostgresStore } from '../adapters/store/workspace.js';
import { InvalidInput } from '../core/errors.js';
import { dec } from '../core/money.js';
import { budgetStatus, monthOf } from '../core/finops/budget.js';
import { scenarioSchema } from '../core/model/scenario.js';
import { budgetReport, budgetStatusToJson, budgetStatuses, ingestFocus, setBudget } from './billing.js';
import { costAndRecord } from './cost.js';
import type { BudgetRecord } from './billing-ports.js';

const clock = { now: () => new Date('2026-11-22T00:00:00Z') };
const dir = mkdtempSync(join(tmpdir(), 'penny-budgettest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let store: SqlStore;
let billing: SqlBillingStore;

// The same budgets on both stores: spend to date and the forecast read window spend and daily
// spreads, whose SQL differs between DuckDB and PostgreSQL.
const unavailable = postgresUnavailable();
if (unavailable) console.warn(`skipping budgets on PostgreSQL: ${unavailable}`);
let pg: TestPostgres | undefined;
beforeAll(async () => {
  if (!unavailable) pg = await startPostgres();
});
afterAll(async () => pg?.stop());
const DRIVERS: ['duckdb' | 'postgres', boolean][] = [
  ['duckdb', false],
  ['postgres', !!unavailable],
];

interface Charge {
  start: string;
  end: string;
  cost: string;
  provider?: string;
  service?: string;
  currency?: string;
  resource?: string;
}
const HEADER = 'ChargePeriodStart,ChargePeriodEnd,BillingCurrency,ProviderName,ServiceName,ResourceId,BilledCost,EffectiveCost';
let files = 0;
async function ingest(charges: Charge[]): Promise<void> {
  const csv = [HEADER, ...charges.map((c) => [c.start, c.end, c.currency ?? 'USD', c.provider ?? 'AWS', c.service ?? 'EC2', c.resource ?? 'i-1', c.cost, c.cost].join(','))].join('\n');
  const path = join(dir, `bill-${++files}.csv`);
  writeFileSync(path, `${csv}\n`);
  await ingestFocus(billing, clock, path, await focusSource(path));
}
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
/** One charge a day from `from` for `n` days; `cost(i)` for day i. */
function daily(from: string, n: number, cost: (i: number) => string, extra: Partial<Charge> = {}): Charge[] {
  const t0 = Date.parse(`${from}T00:00:00Z`);
  return Array.from({ length: n }, (_, i) => ({ start: iso(t0 + i * DAY), end: iso(t0 + (i + 1) * DAY), cost: cost(i), ...extra }));
}
async function budget(amount: string, over: Partial<BudgetRecord> = {}): Promise<void> {
  await setBudget(billing, clock, { name: 'b', amount, currency: 'USD', period: 'month', scope: { kind: 'all' }, thresholds: [100], ...over });
}
async function status(at?: string) {
  const [s] = await budgetStatuses(store, billing, at ? { at } : {});
  return s!;
}
async function refusal(at?: string): Promise<InvalidInput> {
  const e = await budgetStatuses(store, billing, at ? { at } : {}).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(InvalidInput);
  return e as InvalidInput;
}

describe.each(DRIVERS)('on %s', (driver, skip) => {
  describe.skipIf(skip)('budgets', () => {
    beforeEach(async () => {
      store = driver === 'duckdb' ? await openMemoryStore() : await openPostgresStore(pg!.url, { schema: freshSchema('budget') });
      billing = new SqlBillingStore(store.session);
    });
    afterEach(() => store.close());

    describe('budget status at any date', () => {
      it('inside the month: spend to --at only, run-rate forecast of the days left', async () => {
        await ingest(daily('2026-06-01', 20, () => '100'));
        await budget('2500');
        const s = await status('2026-06-11T00:00:00Z');
        expect(s.period).toEqual({ start: '2026-06-01T00:00:00.000Z', end: '2026-07-01T00:00:00.000Z', asOf: '2026-06-11T00:00:00.000Z' });
        // 10 days × 100 spent; 1000 / 10 days × 30 days.
        expect(s.spent.toFixed()).toBe('1000');
        expect(s.forecast.toFixed()).toBe('3000');
        expect(s.overrun.toFixed()).toBe('500');
        // Mid-day: half of the 11th's charge is spent, 10.5 of 30 days elapsed.
        const half = await status('2026-06-11T12:00:00Z');
        expect(half.spent.toFixed()).toBe('1050');
        expect(half.forecast.toFixed()).toBe('3000');
      });

      it('counts a charge spanning --at or the month start pro rata, exactly', async () => {
        await ingest([
          { start: '2026-06-01T00:00:00Z', end: '2026-07-01T00:00:00Z', cost: '3000', service: 'Support' },
          { start: '2026-05-16T00:00:00Z', end: '2026-06-16T00:00:00Z', cost: '310', service: 'Storage' }, // 31 days
          { start: '2026-05-16T00:00:00Z', end: '2026-06-16T00:00:00Z', cost: '1', service: 'Thirds' },
          ...daily('2026-06-01', 20, () => '7'),
        ]);
        await budget('100000');
        const s = await status('2026-06-11T00:00:00Z');
        // 3000 × 10/30 + 310 × 10/31 + 1 × 10/31 + 10 × 7
        expect(s.spent.toFixed()).toBe(dec(1000).plus(100).plus(dec(10).div(31)).plus(70).toFixed());
      });

      it('at the end of the month (midnight of the 1st): the whole month, forecast = spend', async () => {
        await ingest(daily('2026-06-01', 30, () => '100'));
        await budget('2500');
        const s = await status('2026-07-01');
        expect(s.period.start).toBe('2026-06-01T00:00:00.000Z');
        expect(s.spent.toFixed()).toBe('3000');
        expect(s.forecast.toFixed()).toBe('3000');
        expect(s.alerts).toEqual([{ threshold: 100, kind: 'actual', amount: dec(2500) }]);
      });

      it('after the data ends: measured to where it ends, forecast over the rest, and says so', async () => {
        await ingest(daily('2026-06-01', 20, () => '100'));
        await budget('4000');
        const s = await status('2026-06-25');
        expect(s.period.asOf).toBe('2026-06-21T00:00:00.000Z');
        expect(s.spent.toFixed()).toBe('2000');
        expect(s.forecast.toFixed()).toBe('3000');
        expect(s.notes.join(' ')).toMatch(/data ends 2026-06-21 00:00 UTC/);
      });

      it('before the data or after the month: no data in the period is an error, not "$0 on track"', async () => {
        await ingest(daily('2026-06-01', 30, () => '100'));
        await budget('4000');
        expect((await refusal('2026-05-20')).message).toMatch(/no billing data in the budget's period \(2026-05\)/);
        expect((await refusal('2026-07-15')).message).toMatch(/no billing data in the budget's period \(2026-07\)/);
      });

      it.each([
        // days of history, forecast method, forecast: 100 a day is 3000 whatever the method
        [13, /run rate.*13 days of history, fewer than the 14/],
        [14, /./],
        [15, /on 15 days of spend \(P50 of the 15 days left/],
      ])('with %i days of history it forecasts the days left (no crash)', async (n, method) => {
        await ingest(daily('2026-06-01', n, () => '100'));
        await budget('2500');
        const s = await status();
        expect(s.spent.toFixed()).toBe(String(100 * n));
        expect(s.forecast.toFixed()).toBe('3000');
        expect(s.forecastMethod).toMatch(method);
      });

      it('14 days of history too few to backtest: run rate, said so (null accuracy crashed here)', async () => {
        // 100, 200, 100, 200 …: 7 × 300 = 2100 spent in 14 days; 2100 / 14 × 30.
        await ingest(daily('2026-06-01', 14, (i) => (i % 2 ? '200' : '100')));
        await budget('5000');
        const s = await status();
        expect(s.spent.toFixed()).toBe('2100');
        expect(s.forecastMethod).toMatch(/no model could be scored|MASE/);
        if (/no model/.test(s.forecastMethod)) expect(s.forecast.toFixed()).toBe('4500');
      });

      it('a scoped budget whose charges stopped forecasts the days left in the month, not from its last charge', async () => {
        // Storage: 40, 60, 40 … June 1–16, then nothing; EC2 goes on to June 20. At June 21: 10 days left.
        await ingest([...daily('2026-06-01', 20, () => '100'), ...daily('2026-06-01', 16, (i) => (i % 2 ? '60' : '40'), { service: 'Storage' })]);
        await budget('10000', { scope: { kind: 'dimension', dim: { kind: 'column', name: 'ServiceName' }, value: 'Storage' } });
        const s = await status();
        expect(s.spent.toFixed()).toBe('800');
        expect(s.forecastMethod).toMatch(/on 20 days of spend \(P50 of the 10 days left/);
        expect(s.forecast.gte(800) && s.forecast.lte(800 + 10 * 60)).toBe(true);
      });
    });

    describe('budget scopes and currencies checked against the data', () => {
      beforeEach(async () => {
        await ingest([...daily('2026-06-01', 10, () => '100'), ...daily('2026-06-01', 10, () => '30', { provider: 'OnPrem', service: 'GPU' })]);
      });
      const scope = (name: string, value: string): BudgetRecord['scope'] => ({ kind: 'dimension', dim: { kind: 'column', name }, value });

      it('a typo in the column: refused when set, and at status for a budget set before the data came', async () => {
        await expect(budget('1000', { scope: scope('ProviderNme', 'AWS') })).rejects.toThrow(/no ingested bill has a column ProviderNme/);
        await billing.saveBudget({ name: 'b', amount: '1000', currency: 'USD', period: 'month', scope: scope('ProviderNme', 'AWS'), thresholds: [100], createdAt: clock.now().toISOString() });
        const e = await refusal();
        expect(e.message).toMatch(/budget b: no ingested bill has a column ProviderNme/);
        expect(e.hint).toMatch(/Did you mean ProviderName\?/);
      });

      it('a value that never occurs in the period', async () => {
        await budget('1000', { scope: scope('ProviderName', 'AWZ') });
        const e = await refusal();
        expect(e.message).toBe("budget b: no rows match ProviderName=AWZ in the budget's period (2026-06); did you mean ProviderName=AWS?");
        await budget('1000', { scope: scope('ProviderName', 'Azure') });
        expect((await refusal()).hint).toMatch(/ProviderName in 2026-06: AWS, OnPrem/);
      });

      it('one budget that cannot be measured is set apart; the others are still measured', async () => {
        // The data: 10 days of AWS at 100 and OnPrem at 30.
        await budget('3000');
        await setBudget(billing, clock, { name: 'a-stale', amount: '10', currency: 'USD', period: 'month', scope: scope('ProviderName', 'AWS'), thresholds: [100] });
        await billing.saveBudget({ name: 'c-typo', amount: '10', currency: 'USD', period: 'month', scope: scope('ProviderName', 'AWZ'), thresholds: [100], createdAt: clock.now().toISOString() });
        const r = await budgetReport(store, billing);
        expect(r.statuses.map((s) => [s.name, s.spent.toFixed()])).toEqual([['a-stale', '1000'], ['b', '1300']]);
        expect(r.invalid.map((b) => b.name)).toEqual(['c-typo']);
        expect(r.invalid[0]!.problem.message).toMatch(/no rows match ProviderName=AWZ.*did you mean ProviderName=AWS\?/);
      });

      it('a scope naming a column no bill has is refused under the scope\'s field', async () => {
        const set = (path?: string) => setBudget(billing, clock, { name: 'col', amount: '10', currency: 'USD', period: 'month', scope: scope('ProvidrName', 'AWS'), thresholds: [100] }, ...(path ? [path] : []));
        const e = await set().catch((x: unknown) => x);
        expect(e).toBeInstanceOf(InvalidInput);
        expect((e as InvalidInput).issues.map((i) => [i.path, i.found])).toEqual([['scope', 'ProvidrName']]);
        expect((e as InvalidInput).hint).toMatch(/Did you mean ProviderName\?/);
        expect(((await set('--scope').catch((x: unknown) => x)) as InvalidInput).issues[0]!.path).toBe('--scope');
        expect((await billing.listBudgets()).map((b) => b.name)).not.toContain('col');
      });

      it('a EUR budget on USD data', async () => {
        await budget('1000', { currency: 'EUR' });
        expect((await refusal()).message).toMatch(/budget b is in EUR but all spend is billed in USD in 2026-06/);
      });

      it('a budget counts only spend in its own currency and its scope', async () => {
        await ingest(daily('2026-06-01', 10, () => '5000', { currency: 'JPY' }));
        await budget('48000', { currency: 'JPY' });
        const s = await status();
        expect([s.currency, s.spent.toFixed(), s.forecast.toFixed()]).toEqual(['JPY', '50000', '150000']);
        await budget('3000', { scope: scope('ProviderName', 'AWS') });
        expect((await status()).spent.toFixed()).toBe('1000');
      });
    });

    describe('budget actions limited to the budget\'s scope and currency', () => {
      // A 30-day scenario: an owned GPU server idle half the time (power-down saving) and a cloud
      // instance billed as i-burst in AWS (spot saving), plus one billed nowhere.
      const scenario = scenarioSchema.parse({
        name: 's',
        currency: 'USD',
        period: { days: 30 },
        electricity: { pricePerKwh: 0.1, pue: 1 },
        resources: [
          { name: 'dgx', kind: 'server', purchasePrice: 100000, lifetimeYears: 5, powerW: 10000, idlePowerW: 2000, usage: { utilisation: 0.5 } },
          { name: 'burst', kind: 'instance', pricePerHour: 10, spotPricePerHour: 4, reservedPricePerHour: 7, billedAs: ['i-burst'] },
        ],
      });

      it('an AWS budget gets only the savings of resources on its bill; owned GPUs never close it', async () => {
        await ingest([...daily('2026-06-01', 10, () => '1000', { resource: 'i-burst' }), ...daily('2026-06-01', 10, () => '500', { provider: 'OnPremColo', resource: 'rack-1' })]);
        await costAndRecord(store, clock, scenario, 's.yaml');
        await budget('10000', { scope: { kind: 'dimension', dim: { kind: 'column', name: 'ProviderName' }, value: 'AWS' } });
        const s = await status();
        // 10,000 spent in 10 days → 30,000 forecast, 20,000 over.
        expect(s.overrun.toFixed()).toBe('20000');
        // Spot on burst: (10 − 4) × 720 h × 730/720 = 4380 a month; dgx's power-down is not on the AWS bill.
        expect(s.actions.map((a) => [a.id, a.saving.toFixed()])).toEqual([['spot:burst', '4380']]);
        expect(s.actions[0]!.closesCumulative.toFixed()).toBe('0.219');
        // Reserving burst (3/h less on the same hours, 2190 a month) is an alternative to spot, not added.
        expect(s.actions[0]!.alternatives!.map((a) => [a.id, a.saving.toFixed()])).toEqual([['reserve:burst', '2190']]);
        expect(s.closesGap).toBe(false);
        expect(s.notes.join(' ')).toMatch(/1 saving\(s\) found in the workspace are not on this budget's bill \(ProviderName=AWS, USD, 2026-06\)/);
        // The colo budget: burst is not on its bill either.
        await budget('1000', { scope: { kind: 'dimension', dim: { kind: 'column', name: 'ProviderName' }, value: 'OnPremColo' } });
        expect((await status()).actions).toEqual([]);
      });

      it('an unused commitment\'s action is a monthly saving like the others, not the month so far', async () => {
        // 10 days of June: 100 a day of usage and 10 a day of a commitment left unused.
        const head = 'ChargePeriodStart,ChargePeriodEnd,BillingCurrency,ProviderName,ServiceName,ResourceId,BilledCost,EffectiveCost,CommitmentDiscountId,CommitmentDiscountStatus';
        const lines = daily('2026-06-01', 10, () => '0').flatMap((d) => [`${d.start},${d.end},USD,AWS,EC2,i-1,100,100,,`, `${d.start},${d.end},USD,AWS,EC2,sp-1,0,10,sp-1,Unused`]);
        const path = join(dir, `bill-${++files}.csv`);
        writeFileSync(path, `${[head, ...lines].join('\n')}\n`);
        await ingestFocus(billing, clock, path, await focusSource(path));
        await budget('2500');
        const s = await status('2026-06-11T00:00:00Z');
        // 1,100 spent in 10 days → 3,300 by the run rate: 800 over.
        expect(s.overrun.toFixed()).toBe('800');
        // 100 unused in the 240 h so far: 100 × 730 h / 240 h = 304.1666… a month (not 100).
        expect(s.actions.map((a) => [a.id, a.saving.toFixed()])).toEqual([['commitment:sp-1', dec(100).times(730).div(240).toFixed()]]);
        expect(s.actions[0]!.saving.toDecimalPlaces(2).toFixed()).toBe('304.17');
        expect(s.actions[0]!.closesCumulative.toDecimalPlaces(4).toFixed()).toBe('0.3802');
      });

      it('a budget in another currency gets no USD savings', async () => {
        await ingest(daily('2026-06-01', 10, () => '1000', { resource: 'i-burst', currency: 'EUR' }));
        await costAndRecord(store, clock, scenario, 's.yaml');
        await budget('10000', { currency: 'EUR' });
        const s = await status();
        expect(s.overrun.toFixed()).toBe('20000');
        expect(s.actions).toEqual([]);
      });
    });
  });
});

describe('budget status as JSON', () => {
  it('never rounds a gap closed up to all of it', () => {
    // Overrun 10,000 (40,000 forecast from 20,000 spent by mid-month, budget 30,000); one action of
    // 9,999.6 a month closes 0.99996 of it: "closesCumulative": 1 beside "closesGap": false before.
    const period = { ...monthOf('2026-06-16T00:00:00Z'), asOf: '2026-06-16T00:00:00.000Z' };
    const s = budgetStatus({ name: 'b', amount: dec(30000), currency: 'USD', thresholds: [100] }, period, dec(20000), [{ id: 'x', resource: 'r', action: 'autostop', title: 't', saving: dec('9999.6'), currency: 'USD', effort: 'low', basis: '' }], () => dec(40000));
    expect([s.overrun.toFixed(), s.closesGap]).toEqual(['10000', false]);
    const j = budgetStatusToJson(s);
    expect([j.actions[0]!.closesCumulative, j.closesGap]).toEqual([0.9999, false]);
  });
});

