import { describe, expect, it } from 'vitest';
import { Decimal } from '../money.js';
import { InvalidInput } from '../errors.js';
import { offeringsToUsd, usdPer } from './currency.js';
import type { Offering } from './offering.js';

const o = (od: string, extra: Partial<Offering> = {}): Offering => ({ id: 'x/r/a', provider: 'x', region: 'r', instanceType: 'a', gpu: 'H100', gpuCount: 1, onDemandUsdPerHour: new Decimal(od), source: 'cat.yaml', ...extra });
const eurPlan = { code: 'EUR', rates: { USD: new Decimal('0.92'), GBP: new Decimal('1.15') } };

describe('catalog currency → USD with the scenario rates', () => {
  it('converts a catalog in the plan currency, another currency, and USD exactly where the quotient terminates', () => {
    expect(usdPer('EUR', eurPlan)!.toFixed()).toBe(new Decimal(1).div('0.92').toFixed());
    // €2.76 at 0.92 EUR per USD = $3 exactly; £2.00 at 1.15 EUR per GBP = €2.30 = $2.50.
    const [eur] = offeringsToUsd([o('2.76', { spotUsdPerHour: new Decimal('0.92') })], 'EUR', eurPlan, { file: 'c.yaml', path: 'currency' });
    expect([eur!.onDemandUsdPerHour!.toFixed(), eur!.spotUsdPerHour!.toFixed()]).toEqual(['3', '1']);
    const [gbp] = offeringsToUsd([o('2.00')], 'GBP', eurPlan, { file: 'c.yaml', path: 'currency' });
    expect(gbp!.onDemandUsdPerHour!.toFixed()).toBe('2.5');
    expect(gbp!.source).toMatch(/prices in GBP, at 1\.25 USD per GBP/);
    // A plan in USD with a EUR catalog: exchangeRates: { EUR: 1.08 } (USD per EUR).
    const [usd] = offeringsToUsd([o('2.50')], 'EUR', { code: 'USD', rates: { EUR: new Decimal('1.08') } }, { file: 'c.yaml', path: 'currency' });
    expect(usd!.onDemandUsdPerHour!.toFixed()).toBe('2.7');
    const same = [o('1')];
    expect(offeringsToUsd(same, 'USD', eurPlan, { file: 'c.yaml', path: 'currency' })).toBe(same);
  });

  it('converts commitments and on-prem pools too, and keeps a non-terminating quotient to 40 digits', () => {
    const [c] = offeringsToUsd(
      [o('2.75', { commitments: [{ name: 'y1', termYears: 1, payment: 'partial', upfrontUsd: new Decimal('9200'), usdPerHour: new Decimal('1.84') }], onPrem: { installed: 2, marginalUsdPerHour: new Decimal('0.46'), pue: 1.2, energyUsdPerKwh: new Decimal('0.092'), capexUsd: new Decimal('92000') } })],
      'EUR',
      eurPlan,
      { file: 'c.yaml', path: 'currency' },
    );
    expect([c!.commitments![0]!.upfrontUsd.toFixed(), c!.commitments![0]!.usdPerHour.toFixed(), c!.onPrem!.marginalUsdPerHour.toFixed(), c!.onPrem!.energyUsdPerKwh.toFixed(), c!.onPrem!.capexUsd!.toFixed()]).toEqual(['10000', '2', '0.5', '0.1', '100000']);
    // €2.75 / 0.92 does not terminate: back in EUR it is 2.75 to 38 places.
    expect(c!.onDemandUsdPerHour!.times('0.92').toDecimalPlaces(38).toFixed()).toBe('2.75');
  });

  it('refuses prices it has no rate for, saying which rate to add', () => {
    const run = () => offeringsToUsd([o('1')], 'JPY', eurPlan, { file: 'plan.yaml', path: 'catalogs[1]' });
    expect(run).toThrow(InvalidInput);
    expect(run).toThrow(/prices are in JPY/);
    try {
      run();
    } catch (e) {
      expect((e as InvalidInput).hint).toMatch(/exchangeRates: \{ JPY: <EUR per JPY> \}/);
    }
  });
});
