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

function wrap(inner: Fitted, c: number, name: string): Fitted {
  return withPredict({
    model: name,
    params: { ...inner.params, logOffset: c },
    sigma: inner.sigma,
    forecast(h) {
      const f = inner.forecast(h);
      const mean = new Float64Array(h);
      const sd = new Float64Array(h);
      for (let i = 0; i < h; i++) {
        const e = Math.exp(f.mean[i]!);
        mean[i] = e - c;
        sd[i] = e * f.sd[i]!;
      }
      return { mean, sd };
    },
    extend: (y) => wrap(inner.extend(logged(y, c)), c, name),
    ...(inner.refit && { refit: (y: Float64Array) => wrap(inner.refit!(logged(y, c)), c, name) }),
  });
}

function logged(y: Float64Array, c: number): Float64Array {
  return Float64Array.from(y, (v) => Math.log(Math.max(v + c, 1e-300)));
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
      return wrap(base.fit(logged(y, c), ctx), c, name);
    },
  };
}
