import { describe, expect, it } from 'vitest';
import { nelderMead } from './optimize.js';

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
});
