import { describe, expect, it } from 'vitest';
import { bar, table, width } from './render.js';

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
});
