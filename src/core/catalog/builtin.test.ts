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
  it('prices GCP machines as SkyPilot pairs them: the GPU row plus its machine row, zone by zone', () => {
    // catalogs/v8/gcp/vms.csv @ 006059e0, us-central1: a2-highgpu-1g $0.73948 (spot 0.36975) and
    // one A100 $2.93391 (spot 1.4341); a3-highgpu-8g in us-east4 $9.46006 + 8 H100 $78.37241.
    const byId = (id: string) => all.find((o) => o.id === id)!;
    const a2 = byId('gcp/us-central1/a2-highgpu-1g');
    expect([a2.gpu, a2.gpuCount, a2.onDemandUsdPerHour!.toFixed(), a2.spotUsdPerHour!.toFixed()]).toEqual(['A100', 1, '3.67339', '1.80385']);
    expect(byId('gcp/us-east4/a3-highgpu-8g').onDemandUsdPerHour!.toFixed()).toBe('87.83247');
    // g2-standard-4 $0.14679 + one L4 $0.56004: GCP's published $0.7068, now with spot.
    expect(byId('gcp/us-central1/g2-standard-4').onDemandUsdPerHour!.toFixed()).toBe('0.70683');
    // Left out as an outlier by the generator ($43.07, under 60% of the other regions' median):
    // the hand-kept 2025-03 list price stands.
    const h100 = byId('gcp/us-central1/a3-highgpu-8g');
    expect([h100.onDemandUsdPerHour!.toFixed(), h100.source]).toEqual(['88.25', 'builtin: public list prices of 2025-03']);
    expect(new Set(all.filter((o) => o.provider === 'gcp').map((o) => o.region)).size).toBeGreaterThanOrEqual(3);
  });
  it('dates every part it uses, each offering traceable to one dated source', () => {
    const dates = builtinCatalogDates();
    expect(dates.length).toBe(new Set(all.map((o) => o.source)).size);
    for (const d of dates) expect(d.asOf).toMatch(/^\d{4}-\d{2}(-\d{2})?$/);
    for (const s of SKYPILOT_SOURCES) expect(all.some((o) => o.source.includes(s.source))).toBe(true);
    expect(builtinDateSpan()).toMatch(/^\d{4}-\d{2}( to \d{4}-\d{2})?$/);
  });
});
