import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../importers/scenario.js';
import { Decimal, dec } from '../../core/money.js';
import { fromCloneable, toCloneable } from './cloneable.js';

describe('values with Decimals across threads', () => {
  it('a scenario survives structured clone with every Decimal exact and in place', () => {
    const s = parseScenario(readFileSync(new URL('../../../examples/energy-example.yaml', import.meta.url), 'utf8'), 'energy.yaml');
    const back = fromCloneable<typeof s>(structuredClone(toCloneable(s)));
    expect(back).toEqual(s);
    const r = back.resources[0] as { purchasePrice: Decimal };
    expect(Decimal.isDecimal(r.purchasePrice)).toBe(true);
    expect(r.purchasePrice.toString()).toBe('5000');
  });

  it('keeps digits a double would lose, at the root, in arrays and under odd keys', () => {
    const v = { a: [dec('0.1'), { 'x.y': dec('12345678901234567890.123456789') }], b: 'text', c: null, d: 3 };
    const c = structuredClone(toCloneable(v));
    expect(c.decimals).toEqual([['a', 0], ['a', 1, 'x.y']]);
    const back = fromCloneable<typeof v>(c);
    expect((back.a[1] as { 'x.y': Decimal })['x.y'].toFixed()).toBe('12345678901234567890.123456789');
    expect(back).toEqual(v);
    expect(fromCloneable<Decimal>(structuredClone(toCloneable(dec('7.5')))).toString()).toBe('7.5');
  });

  it('refuses other class instances rather than sending them half-cloned', () => {
    expect(() => toCloneable({ when: new Date(0) })).toThrow(/Date/);
  });
});
