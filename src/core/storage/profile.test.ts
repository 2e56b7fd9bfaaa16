import { describe, expect, it } from 'vitest';
import { ProfileBuilder, groupOf } from './profile.js';

const DAY = 86_400;
const opts = { horizonMonths: 4, prefixDepth: 1, minSizes: [0, 131072], monitorMinBytes: 131072 };

describe('access profile', () => {
  it('groups keys by prefix depth', () => {
    expect(groupOf('logs/2025/a.gz', 1)).toBe('logs/');
    expect(groupOf('logs/2025/a.gz', 2)).toBe('logs/2025/');
    expect(groupOf('logs/2025/a.gz', 5)).toBe('logs/2025/');
    expect(groupOf('top.txt', 1)).toBe('');
    expect(groupOf('logs/a', Infinity)).toBe('logs/a');
  });

  it('turns reads seen in a log window into reads per object-month by age', () => {
    const b = new ProfileBuilder(opts);
    // Two objects created at day 0 and day 30; logs kept from day 45 to day 75.
    const a = b.addObject('d/a', 1000, 0);
    const c = b.addObject('d/c', 3000, 30 * DAY);
    b.addRead(a, 50 * DAY, 1000); // a at age 1 (day 50)
    b.addRead(a, 51 * DAY, 1000);
    b.addRead(c, 70 * DAY, 3000); // c at age 1 (day 40 of its life)
    b.addRead(undefined, 60 * DAY, 5);
    const [p] = b.build(45 * DAY, 75 * DAY);
    // Exposure: a observed at age days 45–75 → 15 days in month 1, 15 in month 2; c at ages 15–45 → 15 days in month 0, 15 in month 1.
    // Month 1: 3 reads over 1 object-month → 3 per object-month × 2 objects = 6.
    expect(p!.readsByMonth[1]).toBeCloseTo(6, 12);
    expect(p!.readBytesByMonth[1]).toBeCloseTo((5000 / 1) * 2, 9);
    expect(p!.objectsReadByMonth[1]).toBeCloseTo(2, 12);
    // Month 0 and 2 observed with no reads; month 3 never observed: nearest observed is 2 → 0.
    expect(p!.readsByMonth[0]).toBe(0);
    expect(p!.readsByMonth[3]).toBe(0);
    expect(p!.billedBytesByMinSize[131072]).toBe(2 * 131072);
    expect(p!.monitoredObjects).toBe(0);
    expect(b.summary()).toEqual({ objects: 2, bytes: 4000, reads: 4, unmatchedReads: 1, readsBeforeCreation: 0 });
  });

  it('leaves out reads dated before their object was created (an earlier object under the key), and counts them', () => {
    // c was written again on day 30; the log (days 0–60) saw 5 reads of its earlier version at days 10–14.
    const run = (withEarlier: boolean) => {
      const b = new ProfileBuilder(opts);
      const c = b.addObject('d/c', 3000, 30 * DAY);
      if (withEarlier) for (let d = 10; d < 15; d++) b.addRead(c, d * DAY, 3000);
      b.addRead(c, 40 * DAY, 3000);
      return { p: b.build(0, 60 * DAY)[0]!, s: b.summary() };
    };
    const before = run(true);
    // Before: those 5 were counted at age 0 over 1 object-month observed: 6 reads a month, not 1.
    expect(before.p.readsByMonth[0]).toBeCloseTo(1, 12);
    expect(before.p.readsByMonth).toEqual(run(false).p.readsByMonth);
    expect(before.s).toMatchObject({ reads: 6, unmatchedReads: 0, readsBeforeCreation: 5 });
  });

  it('carries the nearest observed rate to ages the logs never saw', () => {
    const b = new ProfileBuilder(opts);
    // Objects 200 days old when a 10-day log starts: only the "≥ horizon" bucket is observed.
    const i = b.addObject('x/i', 10, 0);
    b.addRead(i, 205 * DAY, 10);
    const [p] = b.build(200 * DAY, 210 * DAY);
    // 1 read in 1/3 object-month → 3 a month, at every age.
    expect(p!.readsByMonth.map((r) => Math.round(r * 1e9) / 1e9)).toEqual([3, 3, 3, 3]);
  });
});
