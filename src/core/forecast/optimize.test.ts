import { describe, expect, it } from 'vitest';
import { minimize, nelderMead } from './optimize.js';

describe('nelderMead', () => {
  it('finds the minimum of the Rosenbrock function', () => {
    const r = nelderMead(([x, y]) => (1 - x!) ** 2 + 100 * (y! - x! * x!) ** 2, [-1.2, 1], { maxEvals: 2000, tol: 1e-12 });
    expect(r.x[0]).toBeCloseTo(1, 3);
    expect(r.x[1]).toBeCloseTo(1, 3);
  });
  it('finds the centre of a shifted quadratic in 4 dimensions', () => {
    const r = nelderMead((x) => x.reduce((s, v, i) => s + (v - i) ** 2, 0), [5, 5, 5, 5], { maxEvals: 4000, tol: 1e-14 });
    r.x.forEach((v, i) => expect(v).toBeCloseTo(i, 3));
  });
  it('with xTol, goes on down a flat valley that a value test alone stops in', () => {
    // Values differ by 1e-6 across the valley: a relative value tolerance of 1e-4 stops at once.
    const flat = ([x]: number[]) => 1 + 1e-6 * (x! - 3) ** 2;
    expect(Math.abs(nelderMead(flat, [0], { tol: 1e-4 }).x[0]! - 3)).toBeGreaterThan(0.5);
    expect(nelderMead(flat, [0], { tol: 1e-4, xTol: 1e-6 }).x[0]).toBeCloseTo(3, 5);
  });
  it('minimize reaches the same point from far-apart starts', () => {
    const rosen = ([x, y]: number[]) => (1 - x!) ** 2 + 100 * (y! - x! * x!) ** 2;
    for (const s of [[-1.2, 1], [2, -1], [0, 3]]) {
      const r = minimize(rosen, [s], { maxEvals: 1000, tol: 1e-12, xTol: 1e-8 });
      expect(r.x[0]).toBeCloseTo(1, 4);
      expect(r.x[1]).toBeCloseTo(1, 4);
    }
  });
});
