import { describe, expect, it } from 'vitest';
import { builtinCatalog, builtinCatalogDates, builtinDateSpan } from './builtin.js';
import { SKYPILOT_ROWS, SKYPILOT_SOURCES } from './builtin-skypilot.js';

describe('built-in catalog', () => {
  const all = builtinCatalog();
  it('has unique ids and several regions for the main GPU clouds', () => {
    expect(new Set(all.map((o) => o.id)).size).toBe(all.length);
    const regions = (p: string) => new Set(all.filter((o) => o.provider === p).map((o) => o.region)).size;
    expect(regions('aws')).toBeGreaterThanOrEqual(5);
    expect(regions('lambda')).toBeGreaterThanOrEqual(3);
    expect(regions('nebius')).toBeGreaterThanOrEqual(2);
    expect(all.length).toBeGreaterThan(100);
  });
  it('takes a generated price over the hand-kept list for the same offering', () => {
    const p5 = all.find((o) => o.id === 'aws/us-east-1/p5.48xlarge')!;
    // The SkyPilot AWS catalog's price (AWS cut P5 prices in 2025), not the 2025-03 list's $98.32.
    expect(p5.onDemandUsdPerHour!.toFixed()).toBe('55.04');
    expect(p5.spotUsdPerHour).toBeDefined();
    expect(p5.source).toMatch(/skypilot-catalog catalogs\/v8\/aws\/vms\.csv/);
    expect(SKYPILOT_ROWS.length).toBe(all.filter((o) => /skypilot/.test(o.source)).length);
  });
  it('dates every part it uses, each offering traceable to one dated source', () => {
    const dates = builtinCatalogDates();
    expect(dates.length).toBe(new Set(all.map((o) => o.source)).size);
    for (const d of dates) expect(d.asOf).toMatch(/^\d{4}-\d{2}(-\d{2})?$/);
    for (const s of SKYPILOT_SOURCES) expect(all.some((o) => o.source.includes(s.source))).toBe(true);
    expect(builtinDateSpan()).toMatch(/^\d{4}-\d{2}( to \d{4}-\d{2})?$/);
  });
});
