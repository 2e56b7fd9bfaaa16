/**
 * A model fitted on log(y + c) instead of y (c = 1 when the series has zeros, else 0): trends and
 * seasons that grow with the level become additive, as in multiplicative Holt–Winters, and the
 * forecast can never go below −c. The point forecast is exp(m) − c (the median when the errors on
 * the log scale are symmetric); the sd is the delta method's exp(m)·sd, and the band is calibrated
 * on the errors on the original scale like any model's. Negative series cannot be logged.
 */
import { withPredict, type Fitted, type ForecastModel } from '../model.js';

function offsetFor(y: Float64Array): number {
  let min = Infinity;
  for (let t = 0; t < y.length; t++) if (y[t]! < min) min = y[t]!;
  return min === 0 ? 1 : 0;
}

/**
 * A model fitted on boxCox(y, λ, c), forecasting on the original scale: the inverse of the point
 * forecast, and the delta method's sd (the inverse's slope × the sd). λ = 0 is the logarithm.
 */
function wrapTransformed(inner: Fitted, name: string, params: Record<string, number>, lambda: number, c: number): Fitted {
  const again = (f: Fitted) => wrapTransformed(f, name, params, lambda, c);
  return withPredict({
    model: name,
    params: { ...inner.params, ...params },
    sigma: inner.sigma,
    forecast(h) {
      const f = inner.forecast(h);
      const mean = new Float64Array(h);
      const sd = new Float64Array(h);
      for (let i = 0; i < h; i++) {
        const b = invBoxCox(f.mean[i]!, lambda);
        mean[i] = b.value - c;
        sd[i] = b.slope * f.sd[i]!;
      }
      return { mean, sd };
    },
    extend: (y) => again(inner.extend(boxCox(y, lambda, c))),
    ...(inner.refit && { refit: (y: Float64Array) => again(inner.refit!(boxCox(y, lambda, c))) }),
  });
}

export function logModel(base: ForecastModel): ForecastModel {
  const name = `${base.name}-log`;
  return {
    name,
    description: `${base.description}, on the logarithm`,
    unusable(n, ctx, h, y) {
      if (y) for (let t = 0; t < y.length; t++) if (y[t]! < 0) return 'needs a series without negative values (to take its logarithm)';
      return base.unusable(n, ctx, h);
    },
    fit(y, ctx) {
      const c = offsetFor(y);
      return wrapTransformed(base.fit(boxCox(y, 0, c), ctx), name, { logOffset: c }, 0, c);
    },
  };
}

/**
 * Guerrero's choice of the Box–Cox λ: the series cut into whole seasons of m points (the last
 * ones), the λ that makes sd/mean^(1−λ) most alike across them (least coefficient of variation),
 * searched over 0, 0.05 … 1: from the logarithm (the noise grows with the level) to no transform.
 * Negative λ (and λ above 1) are left out: their inverse is bounded and a forecast can blow up.
 */
export function guerreroLambda(y: Float64Array, m: number): number {
  const period = Math.max(2, m);
  const k = Math.floor(y.length / period);
  if (k < 2) return 1;
  const mu: number[] = [];
  const sd: number[] = [];
  for (let s = 0; s < k; s++) {
    const from = y.length - (k - s) * period;
    let sum = 0;
    for (let t = from; t < from + period; t++) sum += y[t]!;
    const mean = sum / period;
    let ss = 0;
    for (let t = from; t < from + period; t++) ss += (y[t]! - mean) ** 2;
    if (!(mean > 0)) return 1;
    mu.push(mean);
    sd.push(Math.sqrt(ss / (period - 1)));
  }
  if (sd.every((v) => v === 0)) return 1;
  let best = 1;
  let bestCv = Infinity;
  for (let g = 0; g <= 20; g++) {
    const lambda = g / 20;
    const r = mu.map((u, i) => sd[i]! / u ** (1 - lambda));
    const mean = r.reduce((a, b) => a + b, 0) / r.length;
    const v = r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1);
    const cv = Math.sqrt(v) / mean;
    if (cv < bestCv - 1e-12) ((bestCv = cv), (best = lambda));
  }
  return best;
}

/** Box–Cox of y + c: log at λ = 0, ((y + c)^λ − 1)/λ otherwise. */
export function boxCox(y: Float64Array, lambda: number, c: number): Float64Array {
  return Float64Array.from(y, (v) => {
    const x = Math.max(v + c, 1e-300);
    return lambda === 0 ? Math.log(x) : (x ** lambda - 1) / lambda;
  });
}

/** The inverse, and its derivative (for the delta method's sd). */
function invBoxCox(z: number, lambda: number): { value: number; slope: number } {
  if (lambda === 0) {
    const e = Math.exp(z);
    return { value: e, slope: e };
  }
  // Below −1/λ the inverse is undefined: the transformed forecast is held at the bound.
  const base = Math.max(lambda * z + 1, 1e-12);
  return { value: base ** (1 / lambda), slope: base ** (1 / lambda - 1) };
}

/**
 * A model fitted on the Box–Cox transform of y + c (c = 1 when the series has zeros), λ chosen by
 * Guerrero's method on the history it is first fitted on (the day's season, else pairs of points)
 * and kept when refitted on a longer one. λ = 0 is the `-log` variant; λ = 1 is the model itself,
 * shifted.
 */
export function boxCoxModel(base: ForecastModel): ForecastModel {
  const name = `${base.name}-bc`;
  return {
    name,
    description: `${base.description}, on the Box–Cox transform (λ chosen by Guerrero's method)`,
    unusable(n, ctx, h, y) {
      if (y) for (let t = 0; t < y.length; t++) if (y[t]! < 0) return 'needs a series without negative values (for its Box–Cox transform)';
      return base.unusable(n, ctx, h);
    },
    fit(y, ctx) {
      const c = offsetFor(y);
      const shifted = Float64Array.from(y, (v) => v + c);
      const lambda = guerreroLambda(shifted, ctx.periods.day ?? 2);
      return wrapTransformed(base.fit(boxCox(y, lambda, c), ctx), name, { boxCoxLambda: lambda, boxCoxOffset: c }, lambda, c);
    },
  };
}
