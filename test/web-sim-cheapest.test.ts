/** The simulations page's "Cheapest" card (a pure function of web/src, run in Node). */
import { describe, expect, it } from 'vitest';
import { cheapestPolicy } from '../web/src/sim-cheapest.js';

const p = (policy: string, total: string, finished: number) => ({ policy, cost: { total }, jobs: { finished } });

describe('cheapestPolicy', () => {
  it('never calls a policy cheapest for finishing fewer jobs', () => {
    // fifo left 40 of 300 jobs waiting: cheaper for the work it did not do.
    const r = cheapestPolicy([p('fifo', '900', 260), p('backfill', '1200', 300), p('best-fit', '1100', 300)]);
    expect([r?.best.policy, r?.finished, r?.fewer]).toEqual(['best-fit', 300, 1]);
  });

  it('compares all when every policy finished the same jobs, and orders amounts as numbers', () => {
    expect(cheapestPolicy([p('a', '182815.25', 5), p('b', '3156.16', 5)])).toMatchObject({ best: { policy: 'b' }, fewer: 0 });
    expect(cheapestPolicy([])).toBeUndefined();
  });
});
