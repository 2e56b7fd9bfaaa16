import { describe, expect, it } from 'vitest';
import { dec, formatMoney, isCurrencyCode, minorUnits, roundPartsToTotal, sum, toPlain } from './money.js';

describe('money', () => {
  it('adds decimals exactly where binary floats do not', () => {
    expect(sum([dec(0.1), dec(0.2)]).eq(dec('0.3'))).toBe(true);
    expect(dec('12345678901234567890.123456789').plus('0.000000001').toFixed()).toBe('12345678901234567890.12345679');
  });

  it('knows ISO 4217 codes and their minor units', () => {
    expect(isCurrencyCode('USD')).toBe(true);
    expect(isCurrencyCode('CNY')).toBe(true);
    expect(isCurrencyCode('XYZ')).toBe(false);
    expect(isCurrencyCode('usd')).toBe(false);
    expect(minorUnits('JPY')).toBe(0);
    expect(minorUnits('BHD')).toBe(3);
  });

  it('formats with thousands separators and the currency', () => {
    expect(formatMoney(dec('130000'), 'USD')).toBe('$130,000.00');
    expect(formatMoney(dec('84600'), 'CNY')).toBe('¥84,600.00');
    expect(formatMoney(dec('-1234.5'), 'CHF')).toBe('-CHF 1,234.50');
    expect(formatMoney(dec('1234.5'), 'JPY')).toBe('¥1,234');
  });

  it('rounds parts so that they add up to the rounded total', () => {
    const parts = [dec('0.333'), dec('0.333'), dec('0.334')];
    const shown = roundPartsToTotal(parts, 2);
    expect(sum(shown).toFixed(2)).toBe('1.00');
    const thirds = [dec(1).div(3), dec(1).div(3), dec(1).div(3)];
    expect(sum(roundPartsToTotal(thirds, 2)).toFixed(2)).toBe('1.00');
  });

  it('prints plain decimals without exponent or trailing zeros', () => {
    expect(toPlain(dec('130000.000'))).toBe('130000');
    expect(toPlain(dec('1e-12'))).toBe('0.000000000001');
  });
});
