import { describe, expect, it } from 'vitest';
import { type StorageLogEvent, type StorageObjectRecord, planStorage, storagePlanToJson } from './storage.js';

const DAY_MS = 86_400_000;
const GIB = 1024 ** 3;

async function* from<T>(xs: T[]): AsyncGenerator<T> {
  yield* xs;
}

describe('planStorage', () => {
  it('joins logs to the inventory by bucket and key, plans per prefix and writes rules', async () => {
    const t0 = Date.UTC(2025, 0, 1);
    const objects: StorageObjectRecord[] = [
      { bucket: 'b', key: 'hot/a', sizeBytes: GIB, createdMs: t0 },
      { bucket: 'b', key: 'cold/a', sizeBytes: 100 * GIB, createdMs: t0 - 400 * DAY_MS },
    ];
    // 30 days of logs: hot/a read 100 times; one read of a key in another bucket.
    const logs: StorageLogEvent[] = [{ atMs: t0 }, ...Array.from({ length: 100 }, (_, i) => ({ atMs: t0 + i * 0.3 * DAY_MS, read: { bucket: 'b', key: 'hot/a', bytes: GIB } })), { atMs: t0 + 30 * DAY_MS, read: { bucket: 'other', key: 'hot/a', bytes: 1 } }];
    const r = await planStorage(from(objects), from(logs), { provider: 'aws', horizonMonths: 12, prefixDepth: 1 });
    expect(r.unmatchedReads).toBe(1);
    expect(r.reads).toBe(101);
    const json = storagePlanToJson(r);
    const hot = json.prefixes.find((p) => p.prefix === 'hot/')!;
    const cold = json.prefixes.find((p) => p.prefix === 'cold/')!;
    expect(hot.steps).toEqual([{ fromMonth: 0, tierId: 'aws:STANDARD' }]);
    // 100 reads in 30 days → 100 per month at every age: 12 × (0.023 + 100 × 0.0004/1000) + PUT 0.005/1000.
    expect(hot.plan).toBe('0.276485');
    // Never read: Deep Archive from upload, 12 × (100 × 0.00099 + the 40 KiB index) + PUT 0.05/1000.
    expect(cold.steps).toEqual([{ fromMonth: 0, tierId: 'aws:DEEP_ARCHIVE' }]);
    //   = 12 × (0.099 + 0.000030517578125 × 0.00099 + 0.00000762939453125 × 0.023) + 0.00005
    expect(cold.plan).toBe('1.18805246826171875');
    expect(json.totals.plan).toBe('1.46453746826171875');
    expect(Number(json.totals.allStandard)).toBeCloseTo(12 * 101 * 0.023 + 100 * 12 * 0.0004 / 1000 + 2 * 0.005 / 1000, 9);
    expect(json.lifecycle.document).toEqual({ Rules: [{ ID: 'penny-1-cold/', Filter: { Prefix: 'cold/' }, Status: 'Enabled', Transitions: [{ Days: 0, StorageClass: 'DEEP_ARCHIVE' }] }] });
  });

  it('says what is wrong with an empty object list', async () => {
    await expect(planStorage(from([]), undefined, { provider: 'aws', horizonMonths: 12, prefixDepth: 1 })).rejects.toThrow(/no objects to plan/);
  });
});
