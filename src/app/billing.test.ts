/**
 * The FOCUS ingest streams: rows are written batch by batch inside one transaction. These tests
 * use bills longer than a batch (10,000 rows), so a failure after the first batches shows whether
 * they were rolled back, and check totals against an independent exact sum of the file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoBill, focusCsv } from '../../test/fixtures/focus.js';
import { focusSource, openFocusOnThread } from '../adapters/importers/focus-thread.js';
import { openFocus } from '../adapters/importers/focus.js';
import { SqlBillingStore } from '../adapters/store/sql-billing-store.js';
import type { SqlStore } from '../adapters/store/sql-store.js';
import { openMemoryStore } from '../adapters/store/workspace.js';
import { InvalidInput } from '../core/errors.js';
import { Decimal } from '../core/money.js';
import { budgetInput, ingestFocus, setBudget } from './billing.js';

const clock = { now: () => new Date('2026-11-22T00:00:00Z') };
const dir = mkdtempSync(join(tmpdir(), 'penny-billtest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let store: SqlStore;
let billing: SqlBillingStore;
beforeEach(async () => {
  store = await openMemoryStore();
  billing = new SqlBillingStore(store.session);
});
afterEach(() => store.close());

/** 25,200 rows: 36 copies of the demo bill's resources over 100 days. */
function bigBill(): { csv: string; lines: number; billed: Decimal; effective: Decimal } {
  const all = [];
  for (let k = 0; k < 36; k++) all.push(...demoBill({ from: '2026-01-01', days: 100, seed: k }).map((l) => ({ ...l, resource: `${l.resource}-${k}` })));
  let billed = new Decimal(0);
  let effective = new Decimal(0);
  for (const l of all) {
    billed = billed.plus(l.billed);
    effective = effective.plus(l.effective);
  }
  return { csv: focusCsv(all), lines: all.length, billed, effective };
}

async function count(): Promise<number> {
  const [r] = await store.session.all<{ n: bigint }>('SELECT count(*) AS n FROM billing_rows');
  return Number(r!.n);
}

// Read on the calling thread (the CLI) and on a reading thread (the server, for large files): the
// same rows, totals, hash and errors.
describe.each([{ thread: false }, { thread: true }])('FOCUS ingest, batch by batch (thread: $thread)', ({ thread }) => {
  it('stores a bill longer than a batch with totals equal to an exact sum of the file', async () => {
    const b = bigBill();
    expect(b.lines).toBeGreaterThan(20_000);
    const path = join(dir, 'big.csv');
    writeFileSync(path, b.csv);
    const r = await ingestFocus(billing, clock, path, await focusSource(path, { thread }));
    expect(r.file.rows).toBe(b.lines);
    expect(await count()).toBe(b.lines);
    expect(r.file.billedTotal).toBe(b.billed.toFixed());
    expect(r.file.effectiveTotal).toBe(b.effective.toFixed());
    const [sums] = await store.session.all<{ billed: string; effective: string }>('SELECT sum(billed_cost)::VARCHAR AS billed, sum(effective_cost)::VARCHAR AS effective FROM billing_rows');
    expect(new Decimal(sums!.billed).eq(b.billed)).toBe(true);
    expect(new Decimal(sums!.effective).eq(b.effective)).toBe(true);
    expect(r.file.periodStart).toBe('2026-01-01T00:00:00.000Z');
    expect(r.file.periodEnd).toBe('2026-04-11T00:00:00.000Z');
  });

  it('a bad cell after the first batches leaves nothing written', async () => {
    const b = bigBill();
    const lines = b.csv.split('\n');
    // Line 24,000 of the file (past two full batches): a cost that is not a number.
    const cols = lines[23_999]!.split(',');
    const billedAt = lines[0]!.split(',').indexOf('BilledCost');
    cols[billedAt] = 'twelve';
    lines[23_999] = cols.join(',');
    const path = join(dir, 'bad.csv');
    writeFileSync(path, lines.join('\n'));
    const err = await ingestFocus(billing, clock, path, await focusSource(path, { thread })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInput);
    expect((err as InvalidInput).issues[0]).toMatchObject({ path: 'BilledCost', line: 24_000, found: 'twelve' });
    expect(await count()).toBe(0);
    expect(await billing.listBillingFiles()).toEqual([]);
  });

  it('a file without a mandatory column is refused at its header, naming the column', async () => {
    const csv = focusCsv(demoBill({ from: '2026-01-01', days: 2, seed: 3 })).split('\n');
    const at = csv[0]!.split(',').indexOf('BilledCost');
    const path = join(dir, 'nobilled.csv');
    writeFileSync(path, csv.map((l) => l.split(',').filter((_, i) => i !== at).join(',')).join('\n'));
    const err = await ingestFocus(billing, clock, path, await focusSource(path, { thread })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInput);
    expect((err as InvalidInput).message).toMatch(/missing mandatory column BilledCost/);
    expect(await count()).toBe(0);
  });

  it('rows without a currency take the file\'s, even when it appears only later in the file', async () => {
    const rows = demoBill({ from: '2026-01-01', days: 3, seed: 1 });
    const csv = focusCsv(rows).split('\n');
    const at = csv[0]!.split(',').indexOf('BillingCurrency');
    // Blank the currency of the first two data lines; the rest say USD.
    for (const i of [1, 2]) {
      const c = csv[i]!.split(',');
      c[at] = '';
      csv[i] = c.join(',');
    }
    const path = join(dir, 'cur.csv');
    writeFileSync(path, csv.join('\n'));
    const r = await ingestFocus(billing, clock, path, await focusSource(path, { thread }));
    expect(r.file.currency).toBe('USD');
    const [n] = await store.session.all<{ n: bigint }>("SELECT count(*) AS n FROM billing_rows WHERE billing_currency IS DISTINCT FROM 'USD'");
    expect(Number(n!.n)).toBe(0);
  });
});

describe('the reading thread', () => {
  it("gives the rows, notes and content hash of the calling thread's reader", async () => {
    const rows = demoBill({ from: '2026-01-01', days: 40, seed: 5 });
    const csv = focusCsv(rows).split('\n');
    const at = csv[0]!.split(',').indexOf('BilledCost');
    // A formatted amount is read leniently, with a note naming its line.
    const c = csv[3]!.split(',');
    c[at] = `"$${c[at]}"`;
    csv[3] = c.join(',');
    const path = join(dir, 'notes.csv');
    // Without a line break at the end: a warning that the last value may be cut.
    writeFileSync(path, csv.join('\n').trimEnd());
    const read = async (r: Awaited<ReturnType<typeof openFocus>>) => {
      const all = [];
      for await (const b of r.batches()) all.push(...b);
      return { all, notes: r.notes, warnings: r.warnings, hash: r.contentHash(), header: r.header };
    };
    const inline = await read(await openFocus(path));
    const threaded = await read(await openFocusOnThread(path));
    expect(inline.notes.length).toBeGreaterThan(0);
    expect(inline.warnings).toHaveLength(1);
    expect(threaded).toEqual(inline);
  });
});

describe('bulk writes by COPY (a serving process)', () => {
  it('store exactly the rows the appender stores: decimals, NULL beside empty text, quotes, line breaks, tags', async () => {
    const rows = demoBill({ from: '2026-01-01', days: 30, seed: 9 }).map((l, i) => ({
      ...l,
      // Text that a CSV round trip could mangle: quotes, commas, a line break; \N reads as no value.
      resource: i % 5 === 0 ? `db "main", eu\nwest` : i % 7 === 0 ? '\\N' : l.resource,
      tags: i % 3 === 0 ? { team: 'a"b', note: 'x,y' } : l.tags,
    }));
    // 210 rows: one write of at least 200 rows, so it goes by COPY (duckdb.ts COPY_MIN_ROWS).
    const path = join(dir, 'copy.csv');
    writeFileSync(path, focusCsv(rows));
    const dump = async (s: SqlStore) => {
      const b = new SqlBillingStore(s.session);
      await ingestFocus(b, clock, path, await focusSource(path));
      return s.session.all<Record<string, unknown>>('SELECT * EXCLUDE (file_id) FROM billing_rows ORDER BY line');
    };
    const copied = await openMemoryStore({ copyWrites: true });
    try {
      const viaCopy = await dump(copied);
      const viaAppender = await dump(store);
      expect(viaCopy.length).toBe(rows.length);
      expect(viaCopy).toEqual(viaAppender);
      expect(viaCopy.some((r) => r.resource_id === 'db "main", eu\nwest')).toBe(true);
      expect(viaCopy.some((r) => r.resource_id === null)).toBe(true);
    } finally {
      await copied.close();
    }
  });
});

describe('sums the store cannot hold', () => {
  const header = 'BillingAccountId,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost';
  it('a slice whose rows add up to 10^20 or more is refused as bad input, naming the file and column, and nothing is written', async () => {
    // Each amount is below 10^20 (accepted on its own); their sum in one slice is not.
    const path = join(dir, 'sum-over.csv');
    writeFileSync(path, `${header}\na,USD,2026-10-01,2026-10-02,60000000000000000000,1\na,USD,2026-10-02,2026-10-03,60000000000000000000,1\n`);
    const err = await ingestFocus(billing, clock, path, await focusSource(path)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInput);
    expect((err as InvalidInput).message).toMatch(/sum-over\.csv: BilledCost adds up to 120000000000000000000 \(billing account a, billing period 2026-10, USD\)/);
    expect((err as InvalidInput).issues[0]).toMatchObject({ path: 'BilledCost', file: path });
    expect(await count()).toBe(0);
    expect(await billing.listBillingFiles()).toEqual([]);
  });

  it("a file whose slices each fit but whose total does not is refused too (the file's total is stored)", async () => {
    const path = join(dir, 'total-over.csv');
    writeFileSync(path, `${header}\na,USD,2026-10-01,2026-10-02,1,-60000000000000000000\na,USD,2026-11-01,2026-11-02,1,-60000000000000000000\n`);
    const err = await ingestFocus(billing, clock, path, await focusSource(path)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInput);
    expect((err as InvalidInput).issues.map((i) => [i.path, i.found])).toEqual([['EffectiveCost', '-120000000000000000000']]);
    expect(await count()).toBe(0);
  });
});

describe('budget amounts', () => {
  it('are stored as given: an amount the store would round or cannot hold is refused, naming the field', async () => {
    for (const amount of ['0.1234567890123456789012345', '100000000000000000000', '123456789012345678901234567890']) {
      const err = (() => {
        try {
          budgetInput('b', { amount }, { amount: 'amount', currency: 'currency', scope: 'scope', thresholds: 'thresholds' });
        } catch (e) {
          return e;
        }
      })();
      expect(err, amount).toBeInstanceOf(InvalidInput);
      expect((err as InvalidInput).issues[0]).toMatchObject({ path: 'amount', found: amount });
    }
    // The longest amounts kept: what the store gives back is what was confirmed.
    for (const amount of ['0.123456789012345678', '99999999999999999999.999999999999999999']) {
      const saved = await setBudget(billing, clock, budgetInput('b', { amount }));
      expect(saved.amount).toBe(amount);
      expect((await billing.listBudgets()).map((b) => b.amount)).toEqual([amount]);
    }
  });
});

describe('a file ingested again', () => {
  it('answers with its totals per currency, as its first ingest did', async () => {
    const path = join(dir, 'two-currencies.csv');
    writeFileSync(path, 'BillingAccountId,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,BilledCost,EffectiveCost\na,USD,2026-10-01,2026-10-02,10.5,10\na,EUR,2026-10-01,2026-10-02,7,7\n');
    const first = await ingestFocus(billing, clock, path, await focusSource(path));
    expect(first.totals).toEqual([{ currency: 'EUR', rows: 1, billed: '7', effective: '7' }, { currency: 'USD', rows: 1, billed: '10.5', effective: '10' }]);
    const again = await ingestFocus(billing, clock, path, await focusSource(path));
    expect(again.status).toBe('already-ingested');
    expect(again.totals).toEqual(first.totals);
  });
});

describe('a FOCUS file with a header and no charges', () => {
  it('is recorded with 0 rows and a note, as ingested: it supersedes nothing and nothing supersedes it', async () => {
    const bill = join(dir, 'full.csv');
    writeFileSync(bill, focusCsv(demoBill({ from: '2026-09-01', days: 3 })));
    const empty = join(dir, 'header-only.csv');
    writeFileSync(empty, focusCsv([]));
    expect((await ingestFocus(billing, clock, bill, await focusSource(bill))).status).toBe('ingested');
    const before = await billing.billingReport({ by: [] });
    const r = await ingestFocus(billing, clock, empty, await focusSource(empty));
    expect(r.status).toBe('ingested');
    expect(r.file.rows).toBe(0);
    expect(r.replaced.rows).toBe(0);
    expect(r.notes.join(' ')).toMatch(/no charges/);
    expect(r.notes.join(' ')).not.toMatch(/fuller or later export/);
    expect(await billing.billingReport({ by: [] })).toEqual(before);
    const files = await billing.listBillingFiles();
    expect(files.map((f) => [f.path.endsWith('full.csv'), f.rows === f.countedRows, f.replacedBy]).sort()).toEqual([[false, true, []], [true, true, []]]);
  });
});
