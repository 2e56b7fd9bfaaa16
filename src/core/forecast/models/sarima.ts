/**
 * Seasonal ARIMA, SARIMA(p,d,q)(P,D,Q)m, fitted by conditional sum of squares (CSS):
 *   φ(B)Φ(Bᵐ)(1−B)ᵈ(1−Bᵐ)ᴰ (yₜ − μ) = θ(B)Θ(Bᵐ) eₜ
 * with μ the mean when nothing is differenced (else 0). The coefficients are kept stationary and
 * invertible by parametrising each polynomial by its partial autocorrelations (tanh of free
 * values, then Durbin–Levinson), and found by Nelder–Mead with a bounded number of evaluations (a
 * work limit, never a clock). Forecasts run the full expanded recursion with future errors 0; the
 * step-ahead variance is σ²·Σψⱼ² from the ψ-weights of the same polynomials.
 *   sarima  the fixed SARIMA(1,0,1)(0,1,1)m, a strong reference for hourly demand
 *   arima   the order chosen automatically: D = 1 when the season's autocorrelation is significant,
 *           d = 1 when what is left still has a lag-1 autocorrelation above 0.9, then a stepwise
 *           search from (1,d,1)(0,D,1) over p, q ≤ 2 and P, Q ≤ 1 by AIC, at most 10 fits.
 */
import { nelderMead } from '../optimize.js';
import { withPredict, type FitContext, type Fitted, type ForecastModel } from '../model.js';
import { seasonalAtLag } from './theta.js';

export interface Order {
  p: number;
  d: number;
  q: number;
  P: number;
  D: number;
  Q: number;
  m: number;
}

/** Partial autocorrelations (each in (−1, 1)) → AR coefficients, by Durbin–Levinson. */
export function pacfToCoefficients(r: number[]): number[] {
  let phi: number[] = [];
  for (let k = 0; k < r.length; k++) {
    const next = phi.map((v, j) => v - r[k]! * phi[k - 1 - j]!);
    next.push(r[k]!);
    phi = next;
  }
  return phi;
}

/** Sparse polynomial: 1 − Σ c·Bˡᵃᵍ (sign −1) or 1 + Σ c·Bˡᵃᵍ (sign +1), as {lag, c}. */
type Poly = { lag: number; c: number }[];

function multiply(a: Map<number, number>, b: Map<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [i, x] of a) for (const [j, y] of b) out.set(i + j, (out.get(i + j) ?? 0) + x * y);
  return out;
}

/** Full polynomial coefficients (index 0 = 1) of φ(B)Φ(Bᵐ)(1−B)ᵈ(1−Bᵐ)ᴰ with φ as 1 − Σφᵢ Bⁱ. */
function arPolynomial(phi: number[], Phi: number[], o: Order): Map<number, number> {
  let poly = new Map<number, number>([[0, 1]]);
  const ar = new Map<number, number>([[0, 1]]);
  phi.forEach((c, i) => ar.set(i + 1, -c));
  const sar = new Map<number, number>([[0, 1]]);
  Phi.forEach((c, i) => sar.set((i + 1) * o.m, -c));
  poly = multiply(multiply(poly, ar), sar);
  for (let k = 0; k < o.d; k++) poly = multiply(poly, new Map([[0, 1], [1, -1]]));
  for (let k = 0; k < o.D; k++) poly = multiply(poly, new Map([[0, 1], [o.m, -1]]));
  return poly;
}

function maPolynomial(theta: number[], Theta: number[], o: Order): Map<number, number> {
  const ma = new Map<number, number>([[0, 1]]);
  theta.forEach((c, i) => ma.set(i + 1, c));
  const sma = new Map<number, number>([[0, 1]]);
  Theta.forEach((c, i) => sma.set((i + 1) * o.m, c));
  return multiply(ma, sma);
}

/** yₜ = Σ πᵢ yₜ₋ᵢ + eₜ + Σ bⱼ eₜ₋ⱼ: π from the AR side (moved right), b from the MA side. */
function terms(ar: Map<number, number>, ma: Map<number, number>): { pi: Poly; b: Poly } {
  const pi: Poly = [];
  for (const [lag, c] of ar) if (lag > 0 && c !== 0) pi.push({ lag, c: -c });
  const b: Poly = [];
  for (const [lag, c] of ma) if (lag > 0 && c !== 0) b.push({ lag, c });
  return { pi, b };
}

interface Coefs {
  phi: number[];
  theta: number[];
  Phi: number[];
  Theta: number[];
}

function decode(x: number[], o: Order): Coefs {
  let i = 0;
  const take = (k: number) => Array.from({ length: k }, () => Math.tanh(x[i++]!) * 0.99);
  const phi = pacfToCoefficients(take(o.p));
  // An invertible MA is the AR parametrisation with the sign flipped.
  const theta = pacfToCoefficients(take(o.q)).map((v) => -v);
  const Phi = pacfToCoefficients(take(o.P));
  const Theta = pacfToCoefficients(take(o.Q)).map((v) => -v);
  return { phi, theta, Phi, Theta };
}

/** CSS residuals of y − μ under the expanded recursion; e is 0 before the first full lag. */
function residuals(z: Float64Array, pi: Poly, b: Poly, start: number): { e: Float64Array; sse: number; count: number } {
  const n = z.length;
  const e = new Float64Array(n);
  let sse = 0;
  let count = 0;
  for (let t = start; t < n; t++) {
    let pred = 0;
    for (const { lag, c } of pi) pred += c * z[t - lag]!;
    for (const { lag, c } of b) if (t - lag >= 0) pred += c * e[t - lag]!;
    const r = z[t]! - pred;
    e[t] = r;
    sse += r * r;
    count++;
  }
  return { e, sse, count };
}

/**
 * residuals(z, pi, b, start).sse, the same sums in the same order, into `e` (kept for the fit:
 * its slots before `start` stay 0, as a fresh array's) with the terms as flat arrays: the
 * coefficient search calls it hundreds of times per fit.
 */
function residualSse(z: Float64Array, pi: Poly, b: Poly, start: number, e: Float64Array): number {
  const n = z.length;
  const np = pi.length;
  const nb = b.length;
  const pl = new Int32Array(np);
  const pc = new Float64Array(np);
  const bl = new Int32Array(nb);
  const bc = new Float64Array(nb);
  for (let k = 0; k < np; k++) ((pl[k] = pi[k]!.lag), (pc[k] = pi[k]!.c));
  for (let k = 0; k < nb; k++) ((bl[k] = b[k]!.lag), (bc[k] = b[k]!.c));
  let sse = 0;
  for (let t = start; t < n; t++) {
    let pred = 0;
    for (let k = 0; k < np; k++) pred += pc[k]! * z[t - pl[k]!]!;
    for (let k = 0; k < nb; k++) if (t - bl[k]! >= 0) pred += bc[k]! * e[t - bl[k]!]!;
    const r = z[t]! - pred;
    e[t] = r;
    sse += r * r;
  }
  return sse;
}

function dims(o: Order): number {
  return o.p + o.q + o.P + o.Q;
}

export interface SarimaFit {
  order: Order;
  x: number[];
  aic: number;
  fitted: Fitted;
}

export function fitSarima(y: Float64Array, o: Order, warm?: number[], maxEvals = 60 + 40 * dims(o)): SarimaFit {
  const n = y.length;
  let mu = 0;
  if (o.d + o.D === 0) {
    for (let t = 0; t < n; t++) mu += y[t]!;
    mu /= n;
  }
  const z = Float64Array.from(y, (v) => v - mu);
  const start = o.p + o.P * o.m + o.d + o.D * o.m;
  const scratch = new Float64Array(n);
  const obj = (x: number[]) => {
    const c = decode(x, o);
    const { pi, b } = terms(arPolynomial(c.phi, c.Phi, o), maPolynomial(c.theta, c.Theta, o));
    return residualSse(z, pi, b, start, scratch);
  };
  const k = dims(o);
  let x: number[] = warm?.length === k ? warm : new Array<number>(k).fill(0.1);
  // maxEvals 0: the coefficients stay as given (the backtest's extend()).
  if (k > 0 && maxEvals > 0) x = nelderMead(obj, x, { step: 0.4, maxEvals, tol: 1e-6 }).x;
  const c = decode(x, o);
  const { pi, b } = terms(arPolynomial(c.phi, c.Phi, o), maPolynomial(c.theta, c.Theta, o));
  const r = residuals(z, pi, b, start);
  const nEff = Math.max(1, r.count);
  const sigma = Math.sqrt(r.sse / Math.max(1, nEff - k));
  const aic = nEff * Math.log(Math.max(r.sse, 1e-300) / nEff) + 2 * (k + 1);
  const params: Record<string, number> = { p: o.p, d: o.d, q: o.q, P: o.P, D: o.D, Q: o.Q, period: o.m };
  c.phi.forEach((v, i) => (params[`ar${i + 1}`] = v));
  c.theta.forEach((v, i) => (params[`ma${i + 1}`] = v));
  c.Phi.forEach((v, i) => (params[`sar${i + 1}`] = v));
  c.Theta.forEach((v, i) => (params[`sma${i + 1}`] = v));
  if (o.d + o.D === 0) params.mean = mu;
  const fitted = withPredict({
    model: 'sarima',
    params,
    sigma,
    forecast(h) {
      const zz = new Float64Array(n + h);
      zz.set(z);
      const ee = new Float64Array(n + h);
      ee.set(r.e);
      const mean = new Float64Array(h);
      for (let t = n; t < n + h; t++) {
        let v = 0;
        for (const { lag, c: cc } of pi) if (t - lag >= 0) v += cc * zz[t - lag]!;
        for (const { lag, c: cc } of b) if (t - lag >= 0) v += cc * ee[t - lag]!;
        zz[t] = v;
        mean[t - n] = v + mu;
      }
      // ψ-weights: ψ₀ = 1, ψⱼ = bⱼ + Σ πᵢ ψⱼ₋ᵢ.
      const psi = new Float64Array(h);
      const sd = new Float64Array(h);
      let acc = 0;
      for (let j = 0; j < h; j++) {
        let v = j === 0 ? 1 : 0;
        for (const { lag, c: cc } of b) if (lag === j) v += cc;
        for (const { lag, c: cc } of pi) if (lag <= j) v += cc * psi[j - lag]!;
        psi[j] = v;
        acc += v * v;
        sd[j] = sigma * Math.sqrt(acc);
      }
      return { mean, sd };
    },
    extend: (longer) => fitSarima(longer, o, x, 0).fitted,
    refit: (longer) => fitSarima(longer, o, x, 20 + 10 * k).fitted,
  });
  return { order: o, x, aic, fitted };
}

/** The lag-1 autocorrelation. */
function acf1(w: ArrayLike<number>): number {
  const n = w.length;
  let mean = 0;
  for (let t = 0; t < n; t++) mean += w[t]!;
  mean /= n;
  let c0 = 0;
  let c1 = 0;
  for (let t = 0; t < n; t++) c0 += (w[t]! - mean) ** 2;
  for (let t = 1; t < n; t++) c1 += (w[t]! - mean) * (w[t - 1]! - mean);
  return c0 > 0 ? c1 / c0 : 0;
}

/** The differencing orders the data asks for (see the header). */
export function chooseDifferencing(y: Float64Array, m: number): { d: number; D: number } {
  const D = m >= 2 && y.length >= 3 * m && seasonalAtLag(y, m) ? 1 : 0;
  const w = D ? Float64Array.from({ length: y.length - m }, (_, t) => y[t + m]! - y[t]!) : y;
  return { d: w.length > 10 && acf1(w) > 0.9 ? 1 : 0, D };
}

/** Stepwise order search by AIC from (1,d,1)(0,D,1), at most `budget` fits. */
export function autoSarima(y: Float64Array, m: number, budget = 10): SarimaFit {
  const seasonal = m >= 2 && y.length >= 3 * m;
  const { d, D } = chooseDifferencing(y, seasonal ? m : 0);
  const key = (o: Order) => `${o.p}${o.q}${o.P}${o.Q}`;
  const seen = new Map<string, SarimaFit>();
  let fits = 0;
  const tryOrder = (o: Order) => {
    if (seen.has(key(o)) || fits >= budget) return seen.get(key(o));
    fits++;
    const f = fitSarima(y, o);
    seen.set(key(o), f);
    return f;
  };
  let best = tryOrder({ p: 1, d, q: 1, P: 0, D, Q: seasonal ? 1 : 0, m: seasonal ? m : 1 })!;
  for (let improved = true; improved && fits < budget; ) {
    improved = false;
    const o = best.order;
    const next: Order[] = [
      { ...o, p: o.p - 1 }, { ...o, p: o.p + 1 }, { ...o, q: o.q - 1 }, { ...o, q: o.q + 1 },
      ...(seasonal ? [{ ...o, P: o.P - 1 }, { ...o, P: o.P + 1 }, { ...o, Q: o.Q - 1 }, { ...o, Q: o.Q + 1 }] : []),
    ].filter((c) => c.p >= 0 && c.p <= 2 && c.q >= 0 && c.q <= 2 && c.P >= 0 && c.P <= 1 && c.Q >= 0 && c.Q <= 1);
    for (const c of next) {
      const f = tryOrder(c);
      if (f && f.aic < best.aic - 1e-9) ((best = f), (improved = true));
    }
  }
  return best;
}

function seasonOf(ctx: FitContext): number {
  return ctx.periods.day ?? ctx.periods.week ?? 0;
}

export const sarima: ForecastModel = {
  name: 'sarima',
  description: 'SARIMA(1,0,1)(0,1,1) at the daily season (weekly for daily data), by CSS',
  unusable(n, ctx) {
    const m = seasonOf(ctx);
    if (m < 2) return 'the interval has no seasonal period';
    if (n < 3 * m) return `needs three seasonal cycles (${3 * m} points), has ${n}`;
    return undefined;
  },
  fit: (y, ctx) => rename(fitSarima(y, { p: 1, d: 0, q: 1, P: 0, D: 1, Q: 1, m: seasonOf(ctx) }).fitted, 'sarima'),
};

export const arima: ForecastModel = {
  name: 'arima',
  description: 'ARIMA / SARIMA with the order chosen by AIC (stepwise, at most 10 fits)',
  unusable: (n) => (n < 12 ? 'needs 12 points' : undefined),
  fit: (y, ctx) => rename(autoSarima(y, seasonOf(ctx)).fitted, 'arima'),
};

function rename(f: Fitted, model: string): Fitted {
  return { ...f, model, extend: (y) => rename(f.extend(y), model), ...(f.refit && { refit: (y: Float64Array) => rename(f.refit!(y), model) }) };
}
