/**
 * Linear regression on features (the method of Penny's source documents), made usable for
 * demand: calendar features (hour of day, day of week as indicators, a linear trend) plus any
 * user features whose future values are known. Least squares through the normal equations
 * with a tiny ridge so that a constant or collinear column cannot make it singular.
 */
import { InvalidInput } from '../../errors.js';
import { sdOf, withPredict, type FitContext, type Fitted, type ForecastModel } from '../model.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;

interface Design {
  names: string[];
  row(i: number, out: Float64Array): void;
}

/** The columns for a series of n points in this context (calendar terms only where n covers them twice). */
export function design(n: number, ctx: FitContext): Design {
  const names = ['intercept', 'trend'];
  const I = ctx.intervalMs;
  const hourly = I < DAY && n * I >= 2 * DAY;
  const daily = I <= DAY && n * I >= 14 * DAY;
  if (hourly) for (let h = 1; h < 24; h++) names.push(`hour${h}`);
  if (daily) for (let d = 1; d < 7; d++) names.push(`weekday${d}`);
  for (const f of ctx.features) names.push(f.name);
  const scale = Math.max(1, n);
  return {
    names,
    row(i, out) {
      out.fill(0);
      out[0] = 1;
      out[1] = i / scale;
      let k = 2;
      const t = ctx.startMs + i * I;
      if (hourly) {
        const h = Math.floor((((t % DAY) + DAY) % DAY) / HOUR);
        if (h > 0) out[k + h - 1] = 1;
        k += 23;
      }
      if (daily) {
        const d = (((Math.floor(t / DAY) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
        if (d > 0) out[k + d - 1] = 1;
        k += 6;
      }
      for (const f of ctx.features) out[k++] = f.values[i] ?? NaN;
    },
  };
}

/** Solve (XᵀX + λI)β = Xᵀy by Cholesky. */
export function leastSquares(rows: number, p: number, row: (i: number, out: Float64Array) => void, y: ArrayLike<number>, ridge = 1e-8): Float64Array {
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  const x = new Float64Array(p);
  // Calendar rows are mostly zeros (indicators): accumulate over the non-zero entries only.
  const nz = new Int32Array(p);
  for (let i = 0; i < rows; i++) {
    row(i, x);
    const yi = y[i]!;
    let k = 0;
    for (let r = 0; r < p; r++) if (x[r] !== 0) nz[k++] = r;
    for (let a = 0; a < k; a++) {
      const r = nz[a]!;
      const xr = x[r]!;
      b[r]! += xr * yi;
      for (let c = 0; c <= a; c++) A[r * p + nz[c]!]! += xr * x[nz[c]!]!;
    }
  }
  let trace = 0;
  for (let r = 0; r < p; r++) trace += A[r * p + r]!;
  const lambda = ridge * Math.max(1, trace / p);
  for (let r = 0; r < p; r++) A[r * p + r]! += lambda;
  // Cholesky A = L Lᵀ in place (lower triangle).
  for (let j = 0; j < p; j++) {
    let d = A[j * p + j]!;
    for (let k = 0; k < j; k++) d -= A[j * p + k]! ** 2;
    if (!(d > 0)) throw new InvalidInput('regression: the features are degenerate', [{ path: 'features', message: 'the normal equations are not positive definite' }], 'Drop constant or duplicated feature columns.');
    const l = Math.sqrt(d);
    A[j * p + j] = l;
    for (let i = j + 1; i < p; i++) {
      let s = A[i * p + j]!;
      for (let k = 0; k < j; k++) s -= A[i * p + k]! * A[j * p + k]!;
      A[i * p + j] = s / l;
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= A[i * p + k]! * z[k]!;
    z[i] = s / A[i * p + i]!;
  }
  const beta = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < p; k++) s -= A[k * p + i]! * beta[k]!;
    beta[i] = s / A[i * p + i]!;
  }
  return beta;
}

export const linreg: ForecastModel = {
  name: 'linreg',
  description: 'linear regression on calendar (hour, weekday, trend) and user features',
  unusable(n, ctx) {
    const p = design(n, ctx).names.length;
    return n < p + 2 ? `needs more points (${p + 2}) than coefficients (${p})` : undefined;
  },
  fit(y, ctx) {
    const d = design(y.length, ctx);
    const p = d.names.length;
    const beta = leastSquares(y.length, p, d.row, y);
    return fitted(y, ctx, d, beta);
  },
};

function fitted(y: Float64Array, ctx: FitContext, d: Design, beta: Float64Array, knownSigma?: number): Fitted {
  const p = beta.length;
  const x = new Float64Array(p);
  const predictAt = (i: number) => {
    d.row(i, x);
    let s = 0;
    for (let k = 0; k < p; k++) s += beta[k]! * x[k]!;
    return s;
  };
  let sigma = knownSigma ?? 0;
  if (knownSigma === undefined) {
    const res = new Float64Array(y.length);
    for (let i = 0; i < y.length; i++) res[i] = y[i]! - predictAt(i);
    sigma = sdOf(res, 0, p);
  }
  const params: Record<string, number> = {};
  d.names.forEach((name, k) => (params[name] = beta[k]!));
  return withPredict({
    model: 'linreg',
    params,
    sigma,
    forecast(h) {
      const mean = new Float64Array(h);
      for (let i = 0; i < h; i++) mean[i] = predictAt(y.length + i);
      return { mean, sd: new Float64Array(h).fill(sigma) };
    },
    // Fixed parameters, fixed error scale: nothing to recompute but the time index.
    extend: (longer) => fitted(longer, ctx, d, beta, sigma),
  });
}
