/**
 * Nelder–Mead simplex minimisation: derivative-free, enough for 2–5 smoothing parameters.
 * Flat typed arrays and no allocation per step: it runs thousands of times per benchmark.
 */
export interface MinimizeResult {
  x: number[];
  f: number;
  evaluations: number;
}

export interface NelderMeadOptions {
  /** edge of the first simplex */
  step?: number;
  /** the work limit: function evaluations */
  maxEvals?: number;
  /** stop when the simplex's values agree within this share of the best */
  tol?: number;
  /**
   * and (when given) its vertices within this distance of the best in every coordinate: a value
   * test alone stops on a flat valley far from its floor (an SSE that barely moves with α).
   */
  xTol?: number;
}

export function nelderMead(fn: (x: number[]) => number, start: number[], opts: NelderMeadOptions = {}): MinimizeResult {
  const d = start.length;
  const step = opts.step ?? 0.5;
  const maxEvals = opts.maxEvals ?? 200 * d;
  const tol = opts.tol ?? 1e-7;
  const xTol = opts.xTol;
  let evals = 0;
  const arg = new Array<number>(d).fill(0);
  const f = (p: Float64Array, off: number) => {
    evals++;
    for (let k = 0; k < d; k++) arg[k] = p[off + k]!;
    const v = fn(arg);
    return Number.isFinite(v) ? v : Number.MAX_VALUE;
  };
  const P = new Float64Array((d + 1) * d); // vertex i at i·d
  const F = new Float64Array(d + 1);
  const order = new Int32Array(d + 1);
  for (let i = 0; i <= d; i++) {
    for (let k = 0; k < d; k++) P[i * d + k] = start[k]! + (i > 0 && k === i - 1 ? step : 0);
    F[i] = f(P, i * d);
    order[i] = i;
  }
  const c = new Float64Array(d);
  const xr = new Float64Array(d);
  const xe = new Float64Array(d);
  const along = (t: number, w: number, out: Float64Array) => {
    for (let k = 0; k < d; k++) out[k] = c[k]! + t * (P[w * d + k]! - c[k]!);
  };
  const put = (w: number, x: Float64Array, v: number) => {
    for (let k = 0; k < d; k++) P[w * d + k] = x[k]!;
    F[w] = v;
  };
  const spread = (b: number) => {
    let s = 0;
    for (let i = 0; i <= d; i++) for (let k = 0; k < d; k++) s = Math.max(s, Math.abs(P[i * d + k]! - P[b * d + k]!));
    return s;
  };
  const sort = () => {
    // Insertion sort of d+1 indices by value.
    for (let i = 1; i <= d; i++) {
      const o = order[i]!;
      let j = i - 1;
      while (j >= 0 && F[order[j]!]! > F[o]!) ((order[j + 1] = order[j]!), j--);
      order[j + 1] = o;
    }
  };
  while (evals < maxEvals) {
    sort();
    const b = order[0]!;
    const w = order[d]!;
    const best = F[b]!;
    // Relative only: an absolute floor would stop at once on a series of tiny values (2.5e-7).
    if (Math.abs(F[w]! - best) <= tol * Math.abs(best) && (xTol === undefined || spread(b) <= xTol)) break;
    c.fill(0);
    for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) c[k]! += P[order[i]! * d + k]! / d;
    along(-1, w, xr);
    const fr = f(xr, 0);
    if (fr < best) {
      along(-2, w, xe);
      const fe = f(xe, 0);
      if (fe < fr) put(w, xe, fe);
      else put(w, xr, fr);
    } else if (fr < F[order[d - 1]!]!) {
      put(w, xr, fr);
    } else {
      along(fr < F[w]! ? -0.5 : 0.5, w, xe);
      const fc = f(xe, 0);
      if (fc < Math.min(fr, F[w]!)) put(w, xe, fc);
      else {
        for (let i = 1; i <= d; i++) {
          const v = order[i]!;
          for (let k = 0; k < d; k++) P[v * d + k] = P[b * d + k]! + 0.5 * (P[v * d + k]! - P[b * d + k]!);
          F[v] = f(P, v * d);
        }
      }
    }
  }
  sort();
  const b = order[0]!;
  return { x: Array.from(P.subarray(b * d, b * d + d)), f: F[b]!, evaluations: evals };
}

/**
 * Nelder–Mead from each start, then restarted from the best point found with a fresh simplex
 * until a restart no longer improves it by more than `tol` of its value (at most `restarts`
 * times). The simplex collapses early on ridges and flat valleys; a converged run from a new
 * simplex either confirms the point or moves off it, so the answer no longer depends on where
 * the search began (the warm start of a refit). Deterministic; the evaluations are bounded by
 * (starts + restarts) × maxEvals.
 */
export function minimize(fn: (x: number[]) => number, starts: number[][], opts: NelderMeadOptions & { restarts?: number; restartStep?: number } = {}): MinimizeResult {
  const tol = opts.tol ?? 1e-7;
  let best: MinimizeResult | undefined;
  let evaluations = 0;
  for (const s of starts) {
    const r = nelderMead(fn, s, opts);
    evaluations += r.evaluations;
    if (!best || r.f < best.f) best = r;
  }
  if (!best) throw new Error('minimize needs at least one start');
  for (let k = 0; k < (opts.restarts ?? 2); k++) {
    const r = nelderMead(fn, best.x, { ...opts, step: opts.restartStep ?? opts.step });
    evaluations += r.evaluations;
    const gain = best.f - r.f;
    if (r.f < best.f) best = r;
    if (!(gain > tol * Math.abs(best.f))) break;
  }
  return { ...best, evaluations };
}

export const logistic = (x: number) => 1 / (1 + Math.exp(-x));
export const logit = (p: number) => Math.log(p / (1 - p));
