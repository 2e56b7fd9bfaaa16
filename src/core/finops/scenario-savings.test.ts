import { describe, expect, it } from 'vitest';
import { scenarioSchema } from '../model/scenario.js';
import { savingPerEffort, scenarioSavings, totalSaving } from './scenario-savings.js';

const s = scenarioSchema.parse({
  period: { days: 10 },
  electricity: { pricePerKwh: '0.10', pue: 1.5 },
  resources: [
    { name: 'burst', kind: 'instance', pricePerHour: 10, spotPricePerHour: 4, usage: { utilisation: 0.25 } },
    { name: 'steady', kind: 'instance', pricePerHour: 2, reservedPricePerHour: '1.5', spotPricePerHour: '1.9' },
    { name: 'tools', kind: 'software', licence: 'per-seat', seats: 10, seatsUsed: 7, pricePerYear: 365 },
    { name: 'box', kind: 'server', purchasePrice: 1, powerW: 1000, idlePowerW: 200, usage: { utilisation: 0.5 } },
    { name: 'busy', kind: 'instance', pricePerHour: 10, usage: { utilisation: 0.9 } },
  ],
});

describe('savings visible in a scenario', () => {
  const recs = scenarioSavings(s);
  const by = (id: string) => recs.find((r) => r.id === id);

  it('autostop saves the idle hours of an under-used instance', () => {
    expect(by('autostop:burst')!.saving.toFixed()).toBe('1800'); // 240 h × 0.75 × $10
    expect(by('autostop:busy')).toBeUndefined();
  });

  it('spot saves the price difference on the hours still paid', () => {
    expect(by('spot:burst')!.saving.toFixed()).toBe('360'); // 60 busy h × $6
  });

  it('keeps the better of spot and reserve for one resource, the other as its alternative, never added', () => {
    expect(by('reserve:steady')!.saving.toFixed()).toBe('120'); // 240 h × $0.5
    expect(by('spot:steady')).toBeUndefined();
    expect(by('reserve:steady')!.alternatives!.map((r) => [r.id, r.saving.toFixed()])).toEqual([['spot:steady', '24']]); // 240 h × $0.1
    // 1800 + 360 + 120 + 30 + 3.6: the 24 of spot on steady is not in it.
    expect(totalSaving(recs).toFixed()).toBe('2313.6');
  });

  it('prices a reservation on the hours left after autostop, so the two add up', () => {
    const r = scenarioSavings(scenarioSchema.parse({ period: { days: 10 }, resources: [{ name: 'r', kind: 'instance', pricePerHour: 10, reservedPricePerHour: 2, usage: { utilisation: 0.5 } }] }));
    // autostop 120 idle h × $10 = 1200; reserve 120 busy h × $10 − 240 h × $2 = 720 (not 240 h × $10 − 480).
    expect(r.map((x) => [x.id, x.saving.toFixed()])).toEqual([['autostop:r', '1200'], ['reserve:r', '720']]);
  });

  it('unused seats and idle power', () => {
    expect(by('seats:tools')!.saving.toFixed()).toBe('30'); // 3 seats × $365/y × 10/365
    expect(by('power-down:box')!.saving.toFixed()).toBe('3.6'); // 120 idle h × 0.2 kW × 1.5 × $0.10
  });

  it('orders by saving, largest first, and weighs effort', () => {
    const savings = recs.map((r) => r.saving.toNumber());
    expect(savings).toEqual([...savings].sort((a, b) => b - a));
    expect(savingPerEffort(by('spot:burst')!).toFixed()).toBe('180');
  });
});
