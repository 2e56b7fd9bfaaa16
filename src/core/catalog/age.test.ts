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
});
