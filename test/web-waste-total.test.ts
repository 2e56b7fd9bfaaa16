/** The GPU page's "Waste found" card (a pure function of web/src, run in Node). */
import { describe, expect, it } from 'vitest';
import { savingColumnLabel, wasteFoundText } from '../web/src/waste-total.js';

describe('wasteFoundText', () => {
  it('shows the waste of GPUs priced in another currency than the report, not $0', () => {
    // Owned H100s of a EUR scenario (50,000 EUR a year / 70,080 GPU-h = 0.71347 EUR/h): share
    // 730 × 0.71347 × 5/7 = 372.02 and autostop 370.01, 742.03 EUR a month; nothing in USD.
    // The card read "$0/month" from savingTotal (the USD total) beside "2 recommendations".
    expect(wasteFoundText([{ currency: 'EUR', saving: '742.0326636904761979166666666666666666667' }], 'USD')).toBe('€742/month');
  });

  it('gives each currency its own total, never one sum', () => {
    expect(wasteFoundText([{ currency: 'EUR', saving: '742.03' }, { currency: 'USD', saving: '1241' }], 'USD')).toBe('€742/month · $1,241/month');
    expect(wasteFoundText([], 'USD')).toBe('$0/month');
  });
});

describe('savingColumnLabel', () => {
  it('names a currency only when every row is in it', () => {
    expect(savingColumnLabel(['EUR', 'EUR'], 'USD')).toBe('Saving/month (EUR)');
    expect(savingColumnLabel(['EUR', 'USD'], 'USD')).toBe('Saving/month');
    expect(savingColumnLabel([], 'USD')).toBe('Saving/month (USD)');
  });
});
