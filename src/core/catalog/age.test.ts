import { describe, expect, it } from 'vitest';
import { priceAgeDays, stalePriceWarnings } from './age.js';

describe('price age', () => {
  const now = new Date('2026-12-02T12:00:00Z');
  it('counts whole days from a day, or from the first of a month', () => {
    expect(priceAgeDays('2026-12-01', now)).toBe(1);
    expect(priceAgeDays('2026-09-03', now)).toBe(90);
    expect(priceAgeDays('2025-03', now)).toBe(641);
    expect(priceAgeDays('March 2025', now)).toBeNaN();
  });
  it('warns past 90 days only, naming the catalog, its date and where the date comes from', () => {
    const w = stalePriceWarnings(
      [
        { ref: 'builtin', asOf: '2025-03', basis: 'list date' },
        { ref: 'sky/v8', asOf: '2026-09-03', basis: 'oldest file modified' },
        { ref: 'old.csv', asOf: '2026-09-02', basis: 'file modified' },
      ],
      now,
    );
    expect(w).toHaveLength(2);
    expect(w[0]).toMatch(/^the built-in list prices are 641 days old \(list date 2025-03; more than 90\)/);
    expect(w[1]).toMatch(/^the prices in old\.csv are 91 days old \(file modified 2026-09-02/);
  });
  it('says "up to" for a lower-bound date, and uses the label given', () => {
    const [w] = stalePriceWarnings([{ ref: 'builtin', asOf: '2025-11', basis: 'not before', label: 'the built-in aws prices' }], now);
    expect(w).toMatch(/^the built-in aws prices may be up to 396 days old \(not before 2025-11; more than 90\)/);
    const both = stalePriceWarnings(
      [
        { ref: 'builtin', asOf: '2025-03', basis: 'list date', label: 'the built-in list prices (gcp)' },
        { ref: 'builtin', asOf: '2025-11', basis: 'not before', label: 'the built-in aws prices' },
        { ref: 'builtin', asOf: '2026-11', basis: 'not before', label: 'the built-in fresh prices' },
      ],
      now,
    );
    expect(both).toHaveLength(1);
    expect(both[0]).toMatch(/^the built-in prices are 396–641 days old \(list prices \(gcp\): list date 2025-03; aws prices: not before 2025-11; more than 90\): refresh/);
  });
});
