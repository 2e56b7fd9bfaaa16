/**
 * An inference workload: one row per request, in arrival order. Columns are typed arrays because
 * the simulator reads millions of them; an adapter id of -1 means the base model (no LoRA).
 */
import { InvalidInput, type Issue } from '../errors.js';
import type { Rng } from '../rng.js';

export interface ServingWorkload {
  name: string;
  /** Wall-clock time of arrival 0, epoch milliseconds (for labels only; the simulator uses arrivalS). */
  startMs: number;
  /** Seconds since the first arrival, non-decreasing. */
  arrivalS: Float64Array;
  contextTokens: Int32Array;
  generatedTokens: Int32Array;
  /** Adapter (LoRA, or checkpoint for image models) each request needs; -1 for none. */
  adapter: Int32Array;
}

export interface RequestRow {
  tMs: number;
  contextTokens: number;
  generatedTokens: number;
  adapter?: number;
  line?: number;
}

/** Rows in any order → a workload sorted by arrival (stable, so equal times keep file order). */
export function workloadFromRows(name: string, rows: readonly RequestRow[], file?: string): ServingWorkload {
  const issues: Issue[] = [];
  // A plain loop, the place of an issue built only for a bad row: this runs on an API server's
  // event loop for up to a million requests.
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const badTime = !Number.isFinite(r.tMs);
    const badContext = !(Number.isInteger(r.contextTokens) && r.contextTokens >= 0);
    const badGenerated = !(Number.isInteger(r.generatedTokens) && r.generatedTokens >= 1);
    if (!(badTime || badContext || badGenerated)) continue;
    const at = { ...(file !== undefined && { file }), ...(r.line !== undefined && { line: r.line }) };
    if (badTime) issues.push({ ...at, path: `[${i}].time`, message: 'not a timestamp', found: String(r.tMs) });
    if (badContext) issues.push({ ...at, path: `[${i}].contextTokens`, message: 'not a whole number of tokens ≥ 0', found: String(r.contextTokens) });
    if (badGenerated) issues.push({ ...at, path: `[${i}].generatedTokens`, message: 'not a whole number of tokens ≥ 1', found: String(r.generatedTokens) });
  }
  if (issues.length) throw new InvalidInput(`${file ?? name}: ${issues.length} request${issues.length === 1 ? '' : 's'} cannot be used`, issues.slice(0, 20), 'Every request needs a time, context tokens ≥ 0 and generated tokens ≥ 1.');
  if (rows.length === 0) throw new InvalidInput(`${file ?? name}: no requests`, [{ path: '', ...(file !== undefined && { file }), message: 'the trace has no request rows' }]);
  const n = rows.length;
  // Traces are almost always in time order already: sort (stable, by index) only when not.
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = rows[i]!.tMs >= rows[i - 1]!.tMs;
  const order = sorted ? undefined : rows.map((_, i) => i).sort((a, b) => rows[a]!.tMs - rows[b]!.tMs || a - b);
  const startMs = rows[order ? order[0]! : 0]!.tMs;
  const w: ServingWorkload = { name, startMs, arrivalS: new Float64Array(n), contextTokens: new Int32Array(n), generatedTokens: new Int32Array(n), adapter: new Int32Array(n) };
  for (let k = 0; k < n; k++) {
    const r = rows[order ? order[k]! : k]!;
    w.arrivalS[k] = (r.tMs - startMs) / 1000;
    w.contextTokens[k] = r.contextTokens;
    w.generatedTokens[k] = r.generatedTokens;
    w.adapter[k] = r.adapter ?? -1;
  }
  return w;
}

/** Arrivals per interval of `intervalS`, from 0 to the last arrival. */
export function arrivalsPerInterval(w: ServingWorkload, intervalS: number): Float64Array {
  const n = w.arrivalS.length;
  const slots = n === 0 ? 0 : Math.floor(w.arrivalS[n - 1]! / intervalS) + 1;
  const out = new Float64Array(slots);
  for (let i = 0; i < n; i++) out[Math.floor(w.arrivalS[i]! / intervalS)]!++;
  return out;
}

export interface WorkloadSummary {
  requests: number;
  durationS: number;
  meanRatePerS: number;
  contextTokens: { mean: number; p50: number; p99: number; max: number };
  generatedTokens: { mean: number; p50: number; p99: number; max: number };
  adapters: number;
}

export function summarize(w: ServingWorkload): WorkloadSummary {
  const n = w.arrivalS.length;
  const stats = (a: Int32Array) => {
    const s = Int32Array.from(a).sort();
    let total = 0;
    for (let i = 0; i < n; i++) total += a[i]!;
    return { mean: n ? total / n : 0, p50: quantileSorted(s, 0.5), p99: quantileSorted(s, 0.99), max: n ? s[n - 1]! : 0 };
  };
  const adapters = new Set<number>();
  for (let i = 0; i < n; i++) if (w.adapter[i]! >= 0) adapters.add(w.adapter[i]!);
  const durationS = n ? w.arrivalS[n - 1]! : 0;
  return { requests: n, durationS, meanRatePerS: durationS > 0 ? n / durationS : 0, contextTokens: stats(w.contextTokens), generatedTokens: stats(w.generatedTokens), adapters: adapters.size };
}

/** Nearest-rank quantile of sorted values (the value below which a share q of them lie). */
export function quantileSorted(s: ArrayLike<number>, q: number): number {
  const n = s.length;
  if (n === 0) return NaN;
  return s[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
}

/**
 * A seeded synthetic workload for tests and fixtures: Poisson arrivals at `ratePerS` (changing by
 * `rateAt` when given), token counts uniform in their ranges, adapters drawn from a Zipf law.
 */
export function syntheticWorkload(rng: Rng, o: { durationS: number; ratePerS: number | ((tS: number) => number); context: [number, number]; generated: [number, number]; adapters?: number; zipfS?: number; name?: string }): ServingWorkload {
  const times: number[] = [];
  const rate = typeof o.ratePerS === 'number' ? () => o.ratePerS as number : o.ratePerS;
  let maxRate = 0;
  for (let t = 0; t <= o.durationS; t += Math.max(1, o.durationS / 1000)) maxRate = Math.max(maxRate, rate(t));
  // Thinning (Lewis–Shedler): exact for a time-varying rate bounded by maxRate.
  for (let t = 0; ; ) {
    t += -Math.log(1 - rng.next()) / maxRate;
    if (t >= o.durationS) break;
    if (rng.next() * maxRate < rate(t)) times.push(t);
  }
  const n = times.length;
  const zipf = o.adapters ? zipfSampler(o.adapters, o.zipfS ?? 1.1) : undefined;
  const w: ServingWorkload = { name: o.name ?? 'synthetic', startMs: 0, arrivalS: Float64Array.from(times), contextTokens: new Int32Array(n), generatedTokens: new Int32Array(n), adapter: new Int32Array(n).fill(-1) };
  for (let i = 0; i < n; i++) {
    w.contextTokens[i] = o.context[0] + rng.int(o.context[1] - o.context[0] + 1);
    w.generatedTokens[i] = o.generated[0] + rng.int(o.generated[1] - o.generated[0] + 1);
    if (zipf) w.adapter[i] = zipf(rng.next());
  }
  return w;
}

/** Zipf(s) over 0..n-1 by inverse CDF: rank 0 is the most popular. */
export function zipfSampler(n: number, s: number): (u: number) => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) cdf[k] = total += 1 / (k + 1) ** s;
  for (let k = 0; k < n; k++) cdf[k]! /= total;
  return (u) => {
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}
