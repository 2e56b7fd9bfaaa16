/** The simulations page's "Cheapest" card (a pure function of web/src, run in Node). */
import { describe, expect, it } from 'vitest';
import { cheapestPolicy, shortfall } from '../web/src/sim-cheapest.js';

const p = (policy: string, total: string, finished: number, deadlineMisses = 0, jobs = 300) => ({ policy, cost: { total }, jobs: { total: jobs, finished, deadlineMisses } });

describe('cheapestPolicy', () => {
  it('never calls a policy cheapest for finishing fewer jobs', () => {
    // fifo left 40 of 300 jobs waiting: cheaper for the work it did not do.
    const r = cheapestPolicy([p('fifo', '900', 260), p('backfill', '1200', 300), p('best-fit', '1100', 300)]);
    expect([r?.best.policy, r?.meets, r?.cheaper?.policy]).toEqual(['best-fit', true, 'fifo']);
    expect(shortfall(r!.cheaper!)).toBe('40 of 300 jobs not finished');
  });

  it('nor for missing deadlines: the demo, where FIFO is cheapest with 3 misses and best-fit misses none', () => {
    const r = cheapestPolicy([p('fifo', '8541.69', 300, 3), p('sjf', '8845.63', 300), p('backfill', '8560.40', 300, 1), p('best-fit', '8837.71', 300)]);
    expect([r?.best.policy, r?.meets, r?.cheaper?.policy]).toEqual(['best-fit', true, 'fifo']);
    expect(shortfall(r!.cheaper!)).toBe('3 deadline misses');
  });

  it('when none finishes every job in time: the most jobs finished, then the fewest misses, then the lowest cost', () => {
    const r = cheapestPolicy([p('always-spot', '600', 300, 17), p('a', '900', 299, 0), p('b', '950', 300, 2), p('c', '1000', 300, 1)]);
    expect([r?.best.policy, r?.meets, r?.cheaper?.policy]).toEqual(['c', false, 'always-spot']);
    expect(shortfall(r!.best)).toBe('1 deadline miss');
  });

  it('compares all when every policy finishes in time, and orders amounts as numbers', () => {
    expect(cheapestPolicy([p('a', '182815.25', 5, 0, 5), p('b', '3156.16', 5, 0, 5)])).toEqual({ best: p('b', '3156.16', 5, 0, 5), meets: true });
    expect(cheapestPolicy([])).toBeUndefined();
  });
});
