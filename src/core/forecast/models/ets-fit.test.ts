import { describe, expect, it } from 'vitest';
import { etsSse, fitEts, initialStates, runEts, type EtsParams, type EtsSpec } from './ets.js';

// Small series whose SSE surface a fine grid maps: the reference is the grid's minimum, checkable
// by hand (runEts is the textbook recursion), and the fit must reach it from any start.
const SES: EtsSpec = { name: 'ses', trend: 'none', seasons: 'none', description: '' };
const HOLT: EtsSpec = { name: 'holt', trend: 'additive', seasons: 'none', description: '' };
const Y = Float64Array.from([12, 15, 11, 18, 14, 16, 21, 17, 15, 22, 19, 24, 20, 18, 25, 23, 27, 22, 26, 30]);
const P0: EtsParams = { alpha: 0, beta: 0, phi: 0, gamma1: 0, gamma2: 0 };

function sse(spec: EtsSpec, p: Partial<EtsParams>): number {
  return runEts(Y, { ...P0, phi: spec.trend === 'none' ? 0 : 1, ...p }, initialStates(Y, []), [], false).sse;
}

/** The fit from no warm start, and refitted from warm starts far on either side of the optimum. */
function fitsFrom(spec: EtsSpec, starts: Partial<EtsParams>[]) {
  return [fitEts(Y, spec, []), ...starts.map((w) => fitEts(Y, spec, [], undefined, { ...P0, phi: 1, ...w }))];
}

describe('ETS parameter search', () => {
  it('SES reaches the grid minimum of the SSE over α from every start', () => {
    let best = { alpha: 0, sse: Infinity };
    for (let a = 1e-4; a < 1; a += 1e-4) {
      const s = sse(SES, { alpha: a });
      if (s < best.sse) best = { alpha: a, sse: s };
    }
    const fits = fitsFrom(SES, [{ alpha: 0.02 }, { alpha: 0.5 }, { alpha: 0.98 }]);
    for (const f of fits) {
      expect(Math.abs(f.params.alpha! - best.alpha)).toBeLessThan(2e-4);
      expect(sse(SES, { alpha: f.params.alpha! })).toBeLessThanOrEqual(best.sse * (1 + 1e-7));
    }
  });

  it("Holt reaches the grid minimum over (α, β) from every start", () => {
    let best = { alpha: 0, beta: 0, sse: Infinity };
    for (let a = 0.005; a < 1; a += 0.005) {
      for (let b = 0.0025; b < a; b += 0.0025) {
        const s = sse(HOLT, { alpha: a, beta: b });
        if (s < best.sse) best = { alpha: a, beta: b, sse: s };
      }
    }
    const fits = fitsFrom(HOLT, [{ alpha: 0.05, beta: 0.01 }, { alpha: 0.9, beta: 0.8 }, { alpha: 0.5, beta: 0.001 }]);
    const found = fits.map((f) => [f.params.alpha!, f.params.beta!]);
    for (const [a, b] of found) {
      // At least as low as the grid's best (the grid is 0.005 apart, the search finer).
      expect(sse(HOLT, { alpha: a!, beta: b! })).toBeLessThanOrEqual(best.sse * (1 + 1e-6));
      expect(Math.abs(a! - best.alpha)).toBeLessThan(0.01);
      expect(Math.abs(b! - best.beta)).toBeLessThan(0.01);
      // ... and the same point from every start.
      expect(Math.abs(a! - found[0]![0]!)).toBeLessThan(1e-3);
      expect(Math.abs(b! - found[0]![1]!)).toBeLessThan(1e-3);
    }
  });
});

describe('the search objective', () => {
  it('is the SSE of runEts to the last bit, for every seasonal shape, reusing its buffers', () => {
    const y = Float64Array.from({ length: 200 }, (_, t) => 50 + 10 * Math.sin(t / 3) + 5 * Math.cos(t / 11) + ((t * 7919) % 13));
    for (const ms of [[], [4], [4, 12]]) {
      const init = initialStates(y, ms);
      const s1 = new Float64Array(init.s1.length);
      const s2 = new Float64Array(init.s2.length);
      for (const p of [{ alpha: 0.3, beta: 0.05, phi: 0.9, gamma1: 0.1, gamma2: 0.05 }, { alpha: 0.7, beta: 0, phi: 1, gamma1: 0.2, gamma2: 0.01 }]) {
        // Twice: the buffers hold the first run's states when the second starts.
        for (let r = 0; r < 2; r++) expect(Object.is(etsSse(y, p, init, ms, s1, s2), runEts(y, p, init, ms, false).sse)).toBe(true);
      }
    }
  });
});
