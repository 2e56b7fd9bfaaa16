import { describe, expect, it } from 'vitest';
import { InvalidInput } from '../../core/errors.js';
import { parsePlanFile } from './plan-file.js';

const plan = (o: Record<string, unknown> = {}, line: Record<string, unknown> = {}) =>
  JSON.stringify({ scenario: 's', currency: 'USD', periodHours: 2, periods: 3, totalUsd: '10.5', plan: [{ offering: 'a/b/c', gpu: 'H100', gpuCount: 1, priceModel: 'spot', priceUsdPerHour: '1.25', runs: [{ from: 0, to: 2, count: 2 }], costUsd: '10.5', ...line }], ...o });

describe('plan files', () => {
  it('reads what penny plan --json prints, money exact', () => {
    const p = parsePlanFile(plan());
    expect(p.periods).toBe(3);
    expect(p.totalUsd.toString()).toBe('10.5');
    expect(p.lines[0]).toMatchObject({ offering: 'a/b/c', priceModel: 'spot', runs: [{ from: 0, to: 2, count: 2 }] });
    expect(p.lines[0]!.priceUsdPerHour.toString()).toBe('1.25');
  });

  it('names the file and field of what is wrong', () => {
    const err = (text: string) => {
      try {
        parsePlanFile(text, 'plan.json');
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidInput);
        return e as InvalidInput;
      }
      throw new Error('accepted');
    };
    expect(err('id,arrival\n').message).toContain('plan.json: not JSON');
    expect(err(plan({}, { priceModel: 'rented' })).issues[0]).toMatchObject({ path: 'plan.0.priceModel', file: 'plan.json' });
    expect(err(plan({ currency: 'EUR' })).issues[0]!.path).toBe('currency');
    expect(err(plan({}, { runs: [{ from: 1, to: 3, count: 1 }] })).issues[0]).toMatchObject({ path: 'plan.0.runs.0.to', message: "period 3 is past the plan's last (2)" });
  });
});
