/**
 * MSTL-style multiple seasonality: the series split into a seasonal profile per period (the day
 * and the week where the history holds two of each) and what is left, which Theta forecasts
 * without a season; the forecast adds each profile back at its phase. The profiles come from a
 * few rounds of backfitting, as MSTL does with STL: each period's profile is the mean, by phase,
 * of the series less the other profiles and less a centred moving average of one period (the
 * trend), over its last 8 cycles (recent cycles, so a slowly changing pattern is followed), then
 * centred on zero. Simpler than STL's loess, and deterministic.
 */
import { withPredict, type FitContext, type Fitted, type ForecastModel } from '../model.js';
import { fitTheta } from './theta.js';

const ROUNDS = 2;
const CYCLES = 8;

/** Centred moving average over one period (2×m for an even m); NaN where it does not fit. */
export function centredAverage(x: Float64Array, m: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(n).fill(NaN);
  const half = Math.floor(m / 2);
  for (let t = half; t < n - half; t++) {
    let s = 0;
    if (m % 2 === 1) {
      for (let j = t - half; j <= t + half; j++) s += x[j]!;
      out[t] = s / m;
    } else {
      for (let j = t - half + 1; j < t + half; j++) s += x[j]!;
      s += 0.5 * (x[t - half]! + x[t + half]!);
      out[t] = s / m;
    }
  }
  return out;
}

/** The profile of period m by absolute phase (t mod m), centred on zero. */
export function seasonalProfile(x: Float64Array, m: number): Float64Array {
  const trend = centredAverage(x, m);
  const sum = new Float64Array(m);
  const count = new Uint32Array(m);
  const half = Math.floor(m / 2);
  const end = x.length - half;
  for (let t = Math.max(half, end - CYCLES * m); t < end; t++) {
    sum[t % m]! += x[t]! - trend[t]!;
    count[t % m]!++;
  }
  const profile = Float64Array.from(sum, (s, p) => (count[p] ? s / count[p]! : 0));
  const mean = profile.reduce((a, b) => a + b, 0) / m;
  return profile.map((v) => v - mean);
}

export function mstlPeriods(n: number, ctx: FitContext): number[] {
  return [ctx.periods.day, ctx.periods.week].filter((m): m is number => m !== undefined && m >= 2 && n >= 2 * m).sort((a, b) => a - b);
}

function decompose(y: Float64Array, periods: number[]): Float64Array[] {
  const profiles: Float64Array[] = periods.map((m) => new Float64Array(m));
  for (let round = 0; round < ROUNDS; round++) {
    periods.forEach((m, k) => {
      const x = Float64Array.from(y, (v, t) => {
        let s = v;
        periods.forEach((m2, k2) => {
          if (k2 !== k) s -= profiles[k2]![t % m2]!;
        });
        return s;
      });
      profiles[k] = seasonalProfile(x, m);
    });
  }
  return profiles;
}

function build(profiles: Float64Array[], periods: number[], inner: Fitted, n: number): Fitted {
  const params: Record<string, number> = { ...inner.params };
  periods.forEach((m, k) => (params[`amplitude${m}`] = Math.max(...profiles[k]!) - Math.min(...profiles[k]!)));
  const adjust = (y: Float64Array) => Float64Array.from(y, (v, t) => periods.reduce((s, m, k) => s - profiles[k]![t % m]!, v));
  return withPredict({
    model: 'mstl',
    params,
    sigma: inner.sigma,
    forecast(h) {
      const f = inner.forecast(h);
      const mean = Float64Array.from(f.mean, (v, i) => periods.reduce((s, m, k) => s + profiles[k]![(n + i) % m]!, v));
      return { mean, sd: f.sd };
    },
    extend: (y) => build(profiles, periods, inner.extend(adjust(y)), y.length),
  });
}

export const mstl: ForecastModel = {
  name: 'mstl',
  description: 'MSTL-style: a seasonal profile per period (day and week) by backfitting, Theta on the rest',
  unusable(n, ctx) {
    return mstlPeriods(n, ctx).length === 0 ? 'needs two cycles of the daily (or weekly) season' : undefined;
  },
  fit(y, ctx) {
    const periods = mstlPeriods(y.length, ctx);
    const profiles = decompose(y, periods);
    const rest = Float64Array.from(y, (v, t) => periods.reduce((s, m, k) => s - profiles[k]![t % m]!, v));
    return build(profiles, periods, fitTheta(rest, 0), y.length);
  },
};
