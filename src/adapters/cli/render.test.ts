import { describe, expect, it } from 'vitest';
import { Decimal } from '../../core/money.js';
import { bar, moneyParts, pctClosed, table, width } from './render.js';

describe('terminal rendering', () => {
  it('draws bars in eighths of a cell', () => {
    expect(bar(0, 8)).toBe('');
    expect(bar(1, 8)).toBe('████████');
    expect(bar(1 / 64, 8)).toBe('▏');
    expect(bar(0.5 + 3 / 64, 8)).toBe('████▍');
    expect(bar(7 / 64, 8)).toBe('▉');
    expect(bar(2, 4)).toBe('████');
  });

  it('aligns columns, numbers to the right, counting code points', () => {
    const t = table([{ header: 'Item' }, { header: 'Cost', align: 'right' }], [['a', '¥1'], ['longer', '¥1,000']]).split('\n');
    expect(t).toEqual(['Item      Cost', '──────  ──────', 'a           ¥1', 'longer  ¥1,000']);
    expect(width('¥█')).toBe(2);
  });

  it('shows the parts of a total so that they add up to it to the cent', () => {
    // penny plan examples/plan-week.yaml: the saving against all on-demand with nothing owned,
    // 35,786.75 − 21,836.578504178… = 13,950.171495… ($13,950.17), split into owning 3,102.288,
    // placement −68.750941, committing 5,772.815294821…, spot 5,143.819142. Each rounded alone:
    // 3,102.29 − 68.75 + 5,772.82 + 5,143.82 = 13,950.18, a cent more than the saving. Floors
    // 3,102.28, −68.76, 5,772.81, 5,143.81 (13,950.14) and the 3 cents left to the largest
    // remainders (spot .009142, placement .009059, owning .008): 13,950.17.
    const parts = ['3102.288', '-68.750941', '5772.81529482191780821917808219178082195', '5143.819142'].map((x) => new Decimal(x));
    expect(moneyParts(parts, 'USD')).toEqual(['$3,102.29', '-$68.75', '$5,772.81', '$5,143.82']);
    // ¥0.5 + ¥0.5 + ¥1 = ¥2: each alone (half to even) would show ¥0 + ¥0 + ¥1.
    expect(moneyParts([new Decimal('0.5'), new Decimal('0.5'), new Decimal('1')], 'JPY')).toEqual(['¥1', '¥0', '¥1']);
  });

  it('never shows a gap as 100% closed when it is not', () => {
    // An overrun of 8,630.97 and actions worth 8,600.00 close 99.64% of it: "(not enough to close
    // it)" beside a last row of "100%" (rounded half up) contradicted itself.
    expect(pctClosed(new Decimal('8600').div('8630.97'))).toBe('99%');
    expect(pctClosed(new Decimal('0.99999'))).toBe('99%');
    expect(pctClosed(new Decimal(1))).toBe('100%');
    expect(pctClosed(new Decimal('0.219'))).toBe('21%');
  });
});

