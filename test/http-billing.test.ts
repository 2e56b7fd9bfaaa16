/**
 * Billing over the API: files listed and removed exactly, amounts in numeric order, the top-N fold
 * taking the smallest groups, and every bad upload answered as a problem with the server still up.
 */
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../src/core/money.js';
import { demoBill, focusCsv } from './fixtures/focus.js';
import { startTestServer } from './server.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let s: Server;
beforeAll(async () => {
  s = await startTestServer({ demo: false });
});
afterAll(async () => s?.close());

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (res: Response): Promise<any> => res.json();
const upload = async (name: string, content: string | Uint8Array) => {
  const form = new FormData();
  form.append('file', new Blob([content]), name);
  return fetch(`${s.url}/api/uploads`, { method: 'POST', body: form });
};
const ingest = async (name: string, content: string | Uint8Array) => {
  const res = await upload(name, content);
  expect(res.status).toBe(202);
  return s.jobs.wait((await json(res)).id);
};
const total = async () => {
  const rows = await json(await fetch(`${s.url}/api/billing/report?by=ServiceName`));
  return rows.reduce((a: Decimal, r: { effectiveCost: string }) => a.plus(r.effectiveCost), new Decimal(0)).toFixed();
};
const up = async () => expect((await fetch(`${s.url}/api/health`)).status).toBe(200);

describe('billing files over the API', () => {
  it('lists files with totals per currency and removes one, restoring the totals exactly', async () => {
    const sept = demoBill({ from: '2026-09-01', days: 30, seed: 3 });
    const oct = demoBill({ from: '2026-10-01', days: 31, seed: 1 });
    const octLate = demoBill({ from: '2026-10-01', days: 31, seed: 7 });
    expect((await ingest('sept.csv', focusCsv(sept))).status).toBe('succeeded');
    expect((await ingest('oct.csv', focusCsv(oct))).status).toBe('succeeded');
    const before = await total();
    const restated = await ingest('oct-restated.csv', focusCsv(octLate));
    expect(restated.result).toMatchObject({ status: 'ingested' });
    const files = await json(await fetch(`${s.url}/api/billing/files`));
    expect(files).toHaveLength(3);
    expect(files[1]).toMatchObject({ countedRows: 0, replacedBy: [files[2].id], totals: [{ currency: 'USD', rows: oct.length }] });
    const del = await fetch(`${s.url}/api/billing/files/${files[2].id.slice(0, 12)}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(await json(del)).toMatchObject({ removedRows: octLate.length, restoredRows: oct.length });
    expect(await total()).toBe(before);
    const missing = await fetch(`${s.url}/api/billing/files/ffffffffffff`, { method: 'DELETE' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('orders amounts as numbers and folds the smallest groups into "(other)"', async () => {
    const base = demoBill({ from: '2027-03-01', days: 1 })[0]!;
    const amounts: [string, string][] = [['S3 Glacier', '3156.16'], ['EC2', '182815.25'], ['Tiny', '9.5'], ['Mid', '45000']];
    const lines = amounts.map(([service, a]) => ({ ...base, service, list: a, billed: a, effective: a }));
    expect((await ingest('digits.csv', focusCsv(lines))).status).toBe('succeeded');
    const q = 'by=ServiceName&from=2027-03-01&to=2027-03-02';
    const rows = await json(await fetch(`${s.url}/api/billing/report?${q}`));
    expect(rows.map((r: { keys: { ServiceName: string } }) => r.keys.ServiceName)).toEqual(['EC2', 'Mid', 'S3 Glacier', 'Tiny']);
    const top = await json(await fetch(`${s.url}/api/billing/report?${q}&top=2`));
    expect(top.map((r: { keys: { ServiceName: string }; effectiveCost: string }) => [r.keys.ServiceName, r.effectiveCost])).toEqual([['EC2', '182815.25'], ['Mid', '45000'], ['(other)', '3165.66']]);
  });
});

describe('uploads are named by the uploaded file, never a server path', () => {
  it('lists and re-ingests under the name the file was uploaded with, and names it in errors', async () => {
    const bill = focusCsv(demoBill({ from: '2029-05-01', days: 2, account: 'named-acct' }));
    expect((await ingest('may-export.csv', bill)).status).toBe('succeeded');
    const files = await json(await fetch(`${s.url}/api/billing/files`));
    const f = files.find((x: { periodStart: string }) => x.periodStart?.startsWith('2029-05-01'));
    expect(f.path).toBe('may-export.csv');
    const again = (await ingest('copy-of-may.csv', bill)).result as { status: string; notes: string[] };
    expect(again.status).toBe('already-ingested');
    expect(JSON.stringify(again)).not.toMatch(/uploads|[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(again.notes.join(' ')).toMatch(/copy-of-may\.csv was ingested before \(same content as may-export\.csv/);
    const bad = await ingest('broken-may.csv', bill.replace(/,USD,/, ',usd,'));
    expect(bad.status).toBe('failed');
    expect(JSON.stringify(bad.error)).toMatch(/broken-may\.csv/);
    expect(JSON.stringify(bad.error)).not.toMatch(/uploads|[0-9a-f]{8}-[0-9a-f]{4}-/);
  });
});

describe('removing one file twice at once', () => {
  it('removes it once: one 200 with its rows, the other 404', async () => {
    const bill = focusCsv(demoBill({ from: '2029-07-01', days: 2, account: 'twice-acct' }));
    expect((await ingest('twice.csv', bill)).status).toBe('succeeded');
    const files = await json(await fetch(`${s.url}/api/billing/files`));
    const f = files.find((x: { periodStart: string }) => x.periodStart?.startsWith('2029-07-01'));
    const before = await total();
    const answers = await Promise.all([0, 1, 2].map(() => fetch(`${s.url}/api/billing/files/${f.id}`, { method: 'DELETE' })));
    const statuses = answers.map((r) => r.status).sort();
    const bodies = await Promise.all(answers.map(json));
    expect(statuses).toEqual([200, 404, 404]);
    expect(bodies.find((b) => b.removedRows !== undefined).removedRows).toBe(f.rows);
    expect(new Decimal(before).minus(await total()).toFixed()).toBe(new Decimal(f.effectiveTotal).toFixed());
  });
});

describe('bad uploads: a problem, nothing stored, the server up', () => {
  const good = focusCsv(demoBill({ from: '2028-01-01', days: 3 }));
  it('a truncated .gz is refused at once with a 4xx', async () => {
    const gz = gzipSync(Buffer.from(good.repeat(40)));
    const before = await json(await fetch(`${s.url}/api/billing/files`));
    const res = await upload('cut.csv.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    expect(res.status).toBe(422);
    expect((await json(res)).detail).toMatch(/gzip stream is cut short or corrupt/);
    await up();
    expect(await json(await fetch(`${s.url}/api/billing/files`))).toEqual(before);
  });

  it('bad rows fail the job with file:line, and the server stays up', async () => {
    const before = await json(await fetch(`${s.url}/api/billing/files`));
    const lines = good.trimEnd().split('\n');
    const cut = lines.slice(0, -1).join('\n') + '\n' + lines.at(-1)!.slice(0, 40);
    for (const [name, content, pattern] of [
      ['cut.csv', cut, /the row has \d+ of the header's 22 fields/],
      ['usd.csv', good.replace(/,USD,/, ',usd,'), /ISO 4217/],
      ['feb.csv', good.replace('2028-01-02T00:00:00Z', '2028-02-30T00:00:00Z'), /calendar date/],
      ['huge.csv', good.replace(/,(\d+\.\d+),(\d+\.\d+),(\d+\.\d+),/, ',1e25,$2,$3,'), /below 10\^20/],
    ] as [string, string, RegExp][]) {
      const job = await ingest(name, content);
      expect(job.status, name).toBe('failed');
      expect(JSON.stringify(job.error), name).toMatch(pattern);
      await up();
    }
    expect(await json(await fetch(`${s.url}/api/billing/files`))).toEqual(before);
  });
});
