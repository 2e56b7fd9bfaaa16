/**
 * The ensemble: the median, step by step, of the forecasts of a few models (the best few in the
 * backtest). A median of 3 ignores the one that goes astray, which is what makes it robust when
 * the backtest cannot tell close candidates apart. Its sd is the median of theirs; its band is
 * calibrated on its own backtest errors like any model's.
 */
import { withPredict, type Fitted } from '../model.js';

export const ENSEMBLE = 'ensemble';

function median3plus(xs: number[]): number {
  const a = xs.slice().sort((x, y) => x - y);
  const m = a.length >> 1;
  return a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
}

/** The step-wise median of several fitted models (at least one). */
export function ensembleOf(members: Fitted[]): Fitted {
  const forecast = (h: number) => {
    const fs = members.map((f) => f.forecast(h));
    const mean = new Float64Array(h);
    const sd = new Float64Array(h);
    for (let i = 0; i < h; i++) {
      mean[i] = median3plus(fs.map((f) => f.mean[i]!));
      sd[i] = median3plus(fs.map((f) => f.sd[i]!));
    }
    return { mean, sd };
  };
  return withPredict({
    model: ENSEMBLE,
    params: { members: members.length },
    sigma: median3plus(members.map((f) => f.sigma)),
    forecast,
    extend: (y) => ensembleOf(members.map((f) => f.extend(y))),
    refit: (y) => ensembleOf(members.map((f) => (f.refit ? f.refit(y) : f.extend(y)))),
  });
}

/** The step-wise median of the members' backtest forecasts and sds (arrays of one length). */
export function medianArrays(arrays: Float64Array[]): Float64Array {
  const n = arrays[0]!.length;
  const out = new Float64Array(n);
  const buf: number[] = new Array<number>(arrays.length);
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < arrays.length; k++) buf[k] = arrays[k]![j]!;
    out[j] = median3plus(buf);
  }
  return out;
}
