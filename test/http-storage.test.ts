/** Storage over HTTP: the price catalog and tier plans of an object list, checked against the OpenAPI document. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nonConforming } from './openapi-conformance.js';
import { startTestServer } from './server.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let s: Server;
beforeAll(async () => {
  s = await startTestServer({ demo: false });
});
afterAll(async () => s?.close());

const GIB = 1024 ** 3;
// Response bodies are checked field by field below; `any` keeps those checks readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (res: Response): Promise<any> => res.json();
const post = (body: unknown) => fetch(`${s.url}/api/storage/plan`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('storage API', () => {
  it('lists the dated price catalog of one provider', async () => {
    const res = await fetch(`${s.url}/api/storage/prices?provider=gcp`);
    expect(res.status).toBe(200);
    const j = await json(res);
    expect(j.date).toBe('2025-03');
    expect(j.tiers.map((t: { className: string }) => t.className)).toEqual(['STANDARD', 'NEARLINE', 'COLDLINE', 'ARCHIVE']);
  });

  it('plans a read-once-then-cold object exactly as the CLI and the core do', async () => {
    // 10 GiB read once in its first month, 12 months: IA at upload, Deep Archive from month 1 (docs/storage.md).
    const res = await post({ byObject: true, asOf: '2025-12-31T00:00:00Z', objects: [{ key: 'ckpt/a.pt', sizeBytes: 10 * GIB, created: '2025-01-01T00:00:00Z', accessed: ['2025-01-02T00:00:00Z'] }] });
    expect(res.status).toBe(200);
    const j = await json(res);
    expect(j.prefixes[0].steps).toEqual([
      { fromMonth: 0, tierId: 'aws:STANDARD_IA' },
      { fromMonth: 1, tierId: 'aws:DEEP_ARCHIVE' },
    ]);
    expect(j.totals.plan).toBe('0.3339632625732421875');
    expect(j.lifecycle.document.Rules[0].Transitions).toEqual([{ Days: 30, StorageClass: 'DEEP_ARCHIVE' }]);
  });

  it('prices local disks beside the plan from the TCO terms, as the CLI does (local fields kept)', async () => {
    const nas = 'purchase=12000,tib=100,months=60,watts=400,kwh=0.20,pue=1.5,name=nas';
    const res = await post({ byObject: true, asOf: '2025-12-31T00:00:00Z', local: nas, objects: [{ key: 'ckpt/a.pt', sizeBytes: 10 * GIB, created: '2025-01-01T00:00:00Z' }] });
    expect(res.status).toBe(200);
    const j = await json(res);
    // (12,000/60 + 0.4 kW × 730 h × 1.5 × 0.20) / 102,400 GiB = 287.6/102,400 per GiB-month; 10 GiB × 12 months.
    expect(j.localTier).toEqual({ id: 'local:nas', storageUsdPerGibMonth: '0.00280859375', source: expect.any(String) });
    expect(j.totals.local).toBe('0.33703125');
    expect(j.prefixes[0].local).toBe(j.totals.local);
    const bad = await post({ local: 'purchase=12000,tib=100', objects: [{ key: 'a', sizeBytes: 1, created: '2025-01-01T00:00:00Z' }] });
    expect(bad.status).toBe(422);
    expect((await json(bad)).detail).toMatch(/local: months must be/);
  });

  it('answers bad input with a 422 problem naming the field', async () => {
    const a = await post({ objects: [{ key: 'a', sizeBytes: 1, created: 'yesterday' }] });
    expect(a.status).toBe(422);
    const p = await json(a);
    expect(p.issues[0].path).toBe('objects[0].created');
    const b = await post({ objects: [] });
    expect(b.status).toBe(422);
    const c = await post({ objects: [{ key: 'a', sizeBytes: -1, created: '2025-01-01' }] });
    expect(c.status).toBe(422);
    // A byte count past 2^53 was planned as another (…993 as …992): refused, not changed.
    const d = await fetch(`${s.url}/api/storage/plan`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"objects":[{"key":"a","sizeBytes":9007199254740993,"created":"2025-01-01T00:00:00Z"}]}' });
    expect(d.status).toBe(422);
    expect((await json(d)).issues[0].path).toMatch(/objects\[0\]\.sizeBytes/);
  });

  it('conforms to the OpenAPI document', async () => {
    const doc = await json(await fetch(`${s.url}/openapi.json`));
    expect(nonConforming(doc, s.responses)).toEqual([]);
  });
});
