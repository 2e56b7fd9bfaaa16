import { describe, expect, it } from 'vitest';
import { CellError, canonicalRow, decimalCell, isNullCell, parseFocusRow, sliceKey, storeColumn, tagsCell, timeCell } from './focus.js';

describe('FOCUS cells', () => {
  it('treats literal NULLs and blanks as null', () => {
    for (const v of ['', '  ', 'NULL', 'null', '\\N', undefined]) expect(isNullCell(v)).toBe(true);
    expect(isNullCell('0')).toBe(false);
  });

  it('keeps every digit of a decimal', () => {
    expect(decimalCell('BilledCost', '0.123456789012345678', 18)).toBe('0.123456789012345678');
    expect(decimalCell('BilledCost', '-12.50', 18)).toBe('-12.5');
    expect(() => decimalCell('BilledCost', '0.1234567890123456789', 18)).toThrow(/at most 18 digits/);
    expect(() => decimalCell('BilledCost', 'twelve', 18)).toThrow(CellError);
  });

  it('reads money formatted for people, and says so', () => {
    const notes: string[] = [];
    expect(decimalCell('BilledCost', '"$10,000.00 "'.slice(1, -1), 18, notes)).toBe('10000');
    expect(decimalCell('BilledCost', '-$1,234.5', 18, notes)).toBe('-1234.5');
    expect(notes).toHaveLength(2);
    expect(() => decimalCell('BilledCost', '1,23,456', 18)).toThrow(CellError);
    expect(() => decimalCell('BilledCost', '1.234,56', 18)).toThrow(CellError);
  });

  it('reads the timestamp forms exports use, in UTC', () => {
    expect(timeCell('t', '2023-01-01T00:00:00Z')).toBe('2023-01-01T00:00:00.000Z');
    expect(timeCell('t', '2023-01-01 05:06:07')).toBe('2023-01-01T05:06:07.000Z');
    expect(timeCell('t', '2023-01-01T02:00:00+02:00')).toBe('2023-01-01T00:00:00.000Z');
    expect(timeCell('t', '2023-01-01')).toBe('2023-01-01T00:00:00.000Z');
    expect(timeCell('t', '5/1/25')).toBe('2025-05-01T00:00:00.000Z');
    expect(timeCell('t', '12/31/2024')).toBe('2024-12-31T00:00:00.000Z');
    expect(() => timeCell('t', 'yesterday')).toThrow(CellError);
    expect(() => timeCell('t', '2023-13-01')).toThrow(CellError);
  });

  it('rolls an out-of-range hour over with a note (the spec examples have T30:00)', () => {
    const notes: string[] = [];
    expect(timeCell('ChargePeriodEnd', '2023-02-01T30:00:00Z', notes)).toBe('2023-02-02T06:00:00.000Z');
    expect(notes[0]).toMatch(/out of range/);
  });

  it('parses Tags JSON, keeping values as text', () => {
    expect(tagsCell('{"team":"research","n":3}')).toEqual({ team: 'research', n: '3' });
    expect(() => tagsCell('{team}')).toThrow(/JSON object/);
    expect(() => tagsCell('[1]')).toThrow(/JSON object/);
  });

  it('keeps x_ and other columns, and refuses a row without its mandatory cells', () => {
    const row = parseFocusRow({ ChargePeriodStart: '2024-01-01', ChargePeriodEnd: '2024-01-02', BilledCost: '1', EffectiveCost: '0.9', x_Gpu: 'H100', Custom: 'NULL' }, 2);
    expect(row.extra).toEqual({ x_Gpu: 'H100' });
    expect(row.money.ListCost).toBeNull();
    expect(() => parseFocusRow({ ChargePeriodStart: '2024-01-01', ChargePeriodEnd: '2024-01-02', BilledCost: 'NULL', EffectiveCost: '1' }, 3)).toThrow(/BilledCost/);
    expect(storeColumn('CommitmentDiscountId')).toBe('commitment_discount_id');
  });
});

describe('FOCUS rows: what is refused, and identity', () => {
  const row = (over: Record<string, string> = {}) => ({ ChargePeriodStart: '2024-02-01T00:00:00Z', ChargePeriodEnd: '2024-02-02T00:00:00Z', BilledCost: '1.50', EffectiveCost: '1.5', BillingCurrency: 'USD', BillingAccountId: 'acct', ...over });

  it('refuses days a month does not have, and periods that end before they start', () => {
    expect(() => timeCell('ChargePeriodStart', '2024-02-30')).toThrow(/2024-02 has 29 days/);
    expect(() => timeCell('ChargePeriodStart', '2023-02-29T00:00:00Z')).toThrow(/2023-02 has 28 days/);
    expect(timeCell('ChargePeriodStart', '2024-02-29')).toBe('2024-02-29T00:00:00.000Z');
    expect(() => parseFocusRow(row({ ChargePeriodEnd: '2024-01-31T00:00:00Z' }), 2)).toThrow(/not before ChargePeriodStart/);
    expect(parseFocusRow(row({ ChargePeriodEnd: '2024-02-01T00:00:00Z' }), 2).times.ChargePeriodEnd).toBe('2024-02-01T00:00:00.000Z');
  });

  it('refuses amounts beyond DECIMAL(38, 18) with a message, not a cast error', () => {
    expect(() => decimalCell('BilledCost', '1e25', 18)).toThrow(/below 10\^20 in magnitude/);
    expect(() => decimalCell('BilledCost', '-100000000000000000000', 18)).toThrow(/below 10\^20/);
    expect(decimalCell('BilledCost', '99999999999999999999.999999999999999999', 18)).toBe('99999999999999999999.999999999999999999');
  });

  it('takes ISO 4217 codes in capitals only', () => {
    for (const c of ['usd', 'XYZ', 'US', 'Usd']) expect(() => parseFocusRow(row({ BillingCurrency: c }), 3), c).toThrow(/ISO 4217/);
    expect(parseFocusRow(row({ BillingCurrency: 'JPY' }), 3).text.BillingCurrency).toBe('JPY');
  });

  it('gives the same canonical row whatever the encoding of its cells, and a slice per account and period', () => {
    const a = parseFocusRow(row({ Tags: '{"b":"2","a":"1"}', x_Extra: 'v' }), 2);
    const b = parseFocusRow(row({ BilledCost: '1.500000000000000000', ChargePeriodStart: '2024-02-01 00:00:00', Tags: '{"a":"1","b":"2"}', x_Extra: 'v' }), 9);
    expect(canonicalRow(a)).toBe(canonicalRow(b));
    expect(canonicalRow(parseFocusRow(row({ BilledCost: '1.51' }), 2))).not.toBe(canonicalRow(parseFocusRow(row(), 2)));
    expect(sliceKey(a)).toBe('|acct|USD|2024-02');
    expect(sliceKey(parseFocusRow(row({ ProviderName: 'AWS', BillingCurrency: 'EUR' }), 2))).toBe('AWS|acct|EUR|2024-02');
    expect(sliceKey(parseFocusRow(row({ BillingPeriodStart: '2024-02-01T00:00:00Z' }), 2))).toBe('|acct|USD|2024-02-01T00:00:00.000Z');
  });
});
