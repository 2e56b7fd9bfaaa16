import { describe, expect, it } from 'vitest';
import { scoreForecast } from './score.js';

describe('scoreForecast', () => {
  const levels = [0.1, 0.5, 0.9];
  const points = [
    { t: 0, q: [8, 10, 12] },
    { t: 1, q: [8, 10, 12] },
    { t: 2, q: [18, 20, 22] },
    { t: 3, q: [18, 20, 22] },
  ];

  it('scores the steps with actuals by hand-computed MAE, MASE, coverage, pinball and bias', () => {
    // Actuals for steps 0, 1 and 3 (step 2 not yet arrived); an actual at t=9 matches no step.
    const r = scoreForecast(points, levels, [{ t: 0, value: 11 }, { t: 1, value: 7 }, { t: 3, value: 20 }, { t: 9, value: 1 }], 2);
    expect(r.steps).toBe(4);
    expect(r.matched).toBe(3);
    expect([r.first, r.last]).toEqual([0, 3]);
    // |11−10| + |7−10| + |20−20| = 4 over 3 steps
    expect(r.mae).toBeCloseTo(4 / 3, 12);
    expect(r.mase).toBeCloseTo(4 / 3 / 2, 12);
    // 11 and 20 inside [P10, P90]; 7 below 8
    expect(r.coverageP10P90).toBeCloseTo(2 / 3, 12);
    expect(r.bandCoverage).toBeCloseTo(2 / 3, 12);
    expect(r.bias).toBeCloseTo((1 - 3 + 0) / 3, 12);
    // pinball at (0.1, 0.5, 0.9): y=11 → 0.3, 0.5, 0.1; y=7 → 0.9, 1.5, 0.5; y=20 → 0.2, 0, 0.2
    const pin = ((0.3 + 0.5 + 0.1) / 3 + (0.9 + 1.5 + 0.5) / 3 + (0.2 + 0 + 0.2) / 3) / 3;
    expect(r.pinball).toBeCloseTo(pin / 2, 12);
  });

  it('says nothing was scored when no actual has arrived, and treats a zero scale like the backtest', () => {
    expect(scoreForecast(points, levels, [{ t: 7, value: 1 }], 1)).toEqual({ steps: 4, matched: 0 });
    expect(scoreForecast(points, levels, [{ t: 0, value: 10 }], 0).mase).toBe(0);
    expect(scoreForecast(points, levels, [{ t: 0, value: 11 }], 0).mase).toBe(Infinity);
  });

  it('measures the outermost band when more levels are delivered', () => {
    const r = scoreForecast([{ t: 0, q: [5, 8, 10, 12, 15] }], [0.01, 0.1, 0.5, 0.9, 0.99], [{ t: 0, value: 6 }], 1);
    expect(r.coverageP10P90).toBe(0);
    expect(r.bandCoverage).toBe(1);
  });
});
