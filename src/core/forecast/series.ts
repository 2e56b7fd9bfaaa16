/**
 * Series preparation: raw observations (samples, events or spans) → one regular series on an
 * interval grid, with every repair reported (gaps filled, duplicates merged, outliers, sorting).
 * Nothing here is silent: the report travels with the series into the forecast output.
 */
import { InvalidInput } from '../errors.js';

export const INTERVALS = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
export type IntervalName = keyof typeof INTERVALS;

export function isIntervalName(s: string): s is IntervalName {
  return Object.hasOwn(INTERVALS, s);
}

export function intervalName(ms: number): IntervalName | undefined {
  return (Object.keys(INTERVALS) as IntervalName[]).find((k) => INTERVALS[k] === ms);
}

/** The average Gregorian month: what a monthly slot counts for when a horizon is a duration. */
export const MONTH_MS = 2_629_746_000;

/** A slot length: a fixed duration (seconds to weeks), or whole calendar months. */
export interface Interval {
  intervalMs: number;
  /** calendar months per slot; intervalMs is then N average months (for horizons in durations) */
  intervalMonths?: number;
}

/** `10s`, `1m`, `90s`, `1h`, `1d`, `1w`, `1mo`, `3mo`: the shortest name of a slot length. */
export function intervalLabel(s: Interval): string {
  if (s.intervalMonths) return `${s.intervalMonths}mo`;
  const named = intervalName(s.intervalMs);
  if (named) return named;
  for (const [u, ms] of [['w', 604_800_000], ['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (s.intervalMs % ms === 0) return `${s.intervalMs / ms}${u}`;
  }
  return `${s.intervalMs}ms`;
}

/** The slot a time falls in, as a whole number counted from the epoch (months: from year 0). */
export function slotNumber(s: Interval, t: number): number {
  if (!s.intervalMonths) return Math.floor(t / s.intervalMs);
  const d = new Date(t);
  return Math.floor((d.getUTCFullYear() * 12 + d.getUTCMonth()) / s.intervalMonths);
}

/** The start (epoch ms) of slot number k. */
export function slotStart(s: Interval, k: number): number {
  if (!s.intervalMonths) return k * s.intervalMs;
  const m = k * s.intervalMonths;
  return Date.UTC(Math.floor(m / 12), m % 12);
}

/** One timestamped reading. `value` NaN = missing (it becomes a gap to fill). */
export interface Observation {
  /** epoch milliseconds, UTC */
  t: number;
  value: number;
  /** user features, in the order of `featureNames` */
  features?: number[];
  /** file line, for messages */
  line?: number;
}

/** Something present from `start` to `end` (epoch ms) in `amount` (GPUs, instances…). */
export interface Span {
  start: number;
  end: number;
  amount: number;
}

export type Aggregation = 'sum' | 'mean' | 'max' | 'last' | 'count';
export const AGGREGATIONS: readonly Aggregation[] = ['sum', 'mean', 'max', 'last', 'count'];
export type FillMethod = 'linear' | 'ffill' | 'zero';

export interface Outlier {
  t: number;
  value: number;
  /** robust z-score: deviation from the local median in units of 1.4826·MAD */
  score: number;
}

export interface FilledRun {
  from: number;
  to: number;
  count: number;
}

export interface PrepReport {
  /** raw observations read */
  observations: number;
  /** observations that shared their timestamp with another and were merged by the aggregation */
  duplicatesMerged: number;
  /** observations whose value was missing (empty, NaN, NULL) */
  missingValues: number;
  /** whether the input came out of time order (it was sorted) */
  sorted: boolean;
  /** interval slots with no observation, filled by `fill` */
  gapsFilled: number;
  fill: FillMethod | 'none';
  /** runs of consecutive filled slots (first 20) */
  filledRuns: FilledRun[];
  outliers: Outlier[];
  notes: string[];
}

export interface Feature {
  name: string;
  /** one value per slot; may extend past the history (future values, used by regression) */
  values: Float64Array;
}

/** A regular series: values[i] is the slot starting at startMs + i·intervalMs. */
export interface Series {
  name: string;
  unit: string;
  startMs: number;
  intervalMs: number;
  /** calendar months per slot, for monthly series (slots are then not of one length) */
  intervalMonths?: number;
  values: Float64Array;
  /** 1 where the value was filled, not observed */
  filled: Uint8Array;
  features: Feature[];
  report: PrepReport;
}

export function slotTime(s: Pick<Series, 'startMs' | 'intervalMs' | 'intervalMonths'>, i: number): number {
  if (!s.intervalMonths) return s.startMs + i * s.intervalMs;
  return slotStart(s, slotNumber(s, s.startMs) + i);
}

function emptyReport(n: number): PrepReport {
  return { observations: n, duplicatesMerged: 0, missingValues: 0, sorted: false, gapsFilled: 0, fill: 'none', filledRuns: [], outliers: [], notes: [] };
}

export interface ResampleOptions {
  name: string;
  unit: string;
  intervalMs: number;
  intervalMonths?: number;
  /** how observations inside one slot combine */
  agg: Aggregation;
  /**
   * Samples (a gauge read now and then): an empty slot is a gap, filled and flagged.
   * Events (one observation per request): an empty slot is a true zero.
   */
  kind: 'samples' | 'events';
  fill: FillMethod;
  featureNames?: string[];
  /** why `agg` was chosen (said in a note when slots do combine several values) */
  aggWhy?: string;
}

/**
 * Bin observations into slots aligned to multiples of the interval (UTC). Observations may come
 * in any order and repeat timestamps; both are repaired and reported. Future feature rows
 * (features present, value missing, after the last observed value) extend the feature arrays.
 */
export function resample(obs: Observation[], o: ResampleOptions): Series {
  const report = emptyReport(obs.length);
  report.fill = o.kind === 'samples' ? o.fill : 'none';
  const featureNames = o.featureNames ?? [];
  for (const x of obs) {
    if (!Number.isFinite(x.t)) throw new InvalidInput('an observation has no valid timestamp', [{ path: 'time', ...(x.line !== undefined && { line: x.line }), message: 'not a timestamp', found: String(x.t) }]);
  }
  let sorted = obs;
  for (let i = 1; i < obs.length; i++) {
    if (obs[i]!.t < obs[i - 1]!.t) {
      sorted = obs.slice().sort((a, b) => a.t - b.t);
      report.sorted = true;
      report.notes.push('the input was not in time order; it was sorted by timestamp');
      break;
    }
  }
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.t === sorted[i - 1]!.t) report.duplicatesMerged++;
  const valued = sorted.filter((x) => Number.isFinite(x.value));
  // Rows after the last value are future feature rows, not missing history.
  const lastT = valued.length ? valued[valued.length - 1]!.t : -Infinity;
  report.missingValues = sorted.filter((x) => !Number.isFinite(x.value) && x.t <= lastT).length;
  const future = sorted.length - valued.length - report.missingValues;
  if (future > 0 && valued.length) report.notes.push(`${future} rows after the last value give future feature values`);
  if (valued.length === 0) {
    throw new InvalidInput(`${o.name}: no observation has a value`, [{ path: 'value', message: 'every value is missing or not a number', expected: 'numbers' }], 'Check the value column (--value) names a column of numbers.');
  }
  const I = o.intervalMs;
  const grid: Interval = { intervalMs: I, ...(o.intervalMonths && { intervalMonths: o.intervalMonths }) };
  const k0 = slotNumber(grid, valued[0]!.t);
  const first = slotStart(grid, k0);
  const at = (i: number) => slotStart(grid, k0 + i);
  const slot = (t: number) => slotNumber(grid, t) - k0;
  const n = slot(valued[valued.length - 1]!.t) + 1;
  if (n > 5_000_000) {
    throw new InvalidInput(`${o.name}: ${n} slots of ${intervalLabel(grid)} is too many`, [{ path: 'interval', message: `the data spans ${n} intervals`, expected: 'at most 5,000,000' }], 'Choose a longer --interval.');
  }
  const acc = new Float64Array(n);
  const count = new Uint32Array(n);
  for (const x of valued) {
    const i = slot(x.t);
    if (o.agg === 'count') acc[i]!++;
    else if (count[i] === 0) acc[i] = x.value;
    else if (o.agg === 'sum' || o.agg === 'mean') acc[i]! += x.value;
    else if (o.agg === 'max') acc[i] = Math.max(acc[i]!, x.value);
    else acc[i] = x.value;
    count[i]!++;
  }
  if (o.agg === 'mean') for (let i = 0; i < n; i++) if (count[i]! > 1) acc[i] = acc[i]! / count[i]!;
  let combined = 0;
  for (let i = 0; i < n; i++) if (count[i]! > 1) combined++;
  if (o.aggWhy !== undefined && (combined > 0 || o.agg === 'count')) {
    report.notes.push(`${o.agg === 'count' ? 'rows counted per interval' : `${combined} intervals held several values, combined by ${o.agg}`}${o.aggWhy ? `: ${o.aggWhy}` : ''}`);
  }
  const filled = new Uint8Array(n);
  // A count of rows is an event tally: an interval without a row is a true zero, not a gap.
  if (o.kind === 'samples' && o.agg !== 'count') {
    fillGaps(acc, count, filled, o.fill);
    let run: FilledRun | undefined;
    for (let i = 0; i < n; i++) {
      if (filled[i]) {
        report.gapsFilled++;
        if (run && run.to === at(i - 1)) {
          run.to = at(i);
          run.count++;
        } else {
          run = { from: at(i), to: at(i), count: 1 };
          if (report.filledRuns.length < 20) report.filledRuns.push(run);
          else run = undefined;
        }
      } else run = undefined;
    }
  }
  // Features: mean per slot over every row (future rows included), then forward-filled.
  const features: Feature[] = [];
  if (featureNames.length) {
    const nf = Math.max(n, slot(sorted[sorted.length - 1]!.t) + 1);
    for (let f = 0; f < featureNames.length; f++) {
      const fv = new Float64Array(nf);
      const fc = new Uint32Array(nf);
      for (const x of sorted) {
        const v = x.features?.[f];
        if (v === undefined || !Number.isFinite(v) || x.t < first) continue;
        const i = slot(x.t);
        fv[i]! += v;
        fc[i]!++;
      }
      for (let i = 0; i < nf; i++) if (fc[i]! > 1) fv[i] = fv[i]! / fc[i]!;
      fillGaps(fv, fc, new Uint8Array(nf), 'ffill');
      features.push({ name: featureNames[f]!, values: fv });
    }
  }
  const series: Series = { name: o.name, unit: o.unit, startMs: first, intervalMs: I, ...(o.intervalMonths && { intervalMonths: o.intervalMonths }), values: acc, filled, features, report };
  report.outliers = findOutliers(series);
  return series;
}

function fillGaps(v: Float64Array, count: Uint32Array, filled: Uint8Array, how: FillMethod): void {
  const n = v.length;
  let prev = -1;
  for (let i = 0; i < n; i++) {
    if (count[i]! > 0) {
      if (prev >= 0 && i - prev > 1) {
        for (let k = prev + 1; k < i; k++) {
          filled[k] = 1;
          v[k] = how === 'zero' ? 0 : how === 'ffill' ? v[prev]! : v[prev]! + ((v[i]! - v[prev]!) * (k - prev)) / (i - prev);
        }
      }
      prev = i;
    }
  }
  // Slots before the first or after the last observation (only features have them): nearest value.
  const firstIdx = count.findIndex((c) => c > 0);
  if (firstIdx > 0) for (let k = 0; k < firstIdx; k++) ((v[k] = v[firstIdx]!), (filled[k] = 1));
  if (prev >= 0) for (let k = prev + 1; k < n; k++) ((v[k] = how === 'zero' ? 0 : v[prev]!), (filled[k] = 1));
}

/**
 * Spans → the average amount present in each slot (time-weighted): a GPU held for half an hour
 * counts 0.5 in an hourly slot. Slots run from `startMs` up to `endMs`.
 */
export function occupancy(spans: Span[], o: { name: string; unit: string; startMs: number; endMs: number; intervalMs: number }): Series {
  const I = o.intervalMs;
  // Complete slots only: a slot the trace covers in part would read as a drop in demand.
  const first = Math.ceil(o.startMs / I) * I;
  const n = Math.max(0, Math.floor((o.endMs - first) / I));
  if (n === 0) throw new InvalidInput(`${o.name}: the trace covers no time`, [{ path: '', message: 'no span has a positive duration' }]);
  if (n > 5_000_000) throw new InvalidInput(`${o.name}: ${n} slots is too many`, [{ path: 'interval', message: `the trace spans ${n} intervals`, expected: 'at most 5,000,000' }], 'Choose a longer --interval.');
  // Difference array of amount·time: O(spans + slots).
  const v = new Float64Array(n);
  for (const s of spans) {
    const a = Math.max(s.start, first);
    const b = Math.min(s.end, first + n * I);
    if (!(b > a) || s.amount === 0) continue;
    const i0 = Math.floor((a - first) / I);
    const i1 = Math.min(n - 1, Math.floor((b - first) / I));
    if (i0 === i1) {
      v[i0]! += (s.amount * (b - a)) / I;
      continue;
    }
    v[i0]! += (s.amount * (first + (i0 + 1) * I - a)) / I;
    for (let i = i0 + 1; i < i1; i++) v[i]! += s.amount;
    v[i1]! += (s.amount * (b - (first + i1 * I))) / I;
  }
  const report = emptyReport(spans.length);
  if (first > o.startMs || first + n * I < o.endMs) report.notes.push('partial intervals at the ends of the trace were left out');
  const series: Series = { name: o.name, unit: o.unit, startMs: first, intervalMs: I, values: v, filled: new Uint8Array(n), features: [], report };
  report.outliers = findOutliers(series);
  return series;
}

/** Reported, never removed: a spike may be real demand. Threshold: robust z above 6. */
export function findOutliers(s: Series, threshold = 6, max = 10): Outlier[] {
  const y = s.values;
  const n = y.length;
  if (n < 7) return [];
  const w = Math.min(12, Math.floor((n - 1) / 2));
  const dev = new Float64Array(n);
  const win: number[] = [];
  const steps: number[] = [];
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - w);
    const hi = Math.min(n - 1, i + w);
    win.length = 0;
    for (let k = lo; k <= hi; k++) if (k !== i) win.push(y[k]!);
    // Near an end the window is one-sided: its median is the value at its middle, several slots
    // away, so on a trend the first and last points looked like outliers. There the median is
    // carried to i along the window's median step; a centred window (offset 0) is unchanged.
    let offset = 0;
    let slope = 0;
    if (i - lo !== hi - i) {
      const at: number[] = [];
      for (let k = lo; k <= hi; k++) if (k !== i) at.push(k);
      offset = i - median(at);
      steps.length = 0;
      for (let k = lo; k < hi; k++) if (k !== i && k + 1 !== i) steps.push(y[k + 1]! - y[k]!);
      slope = steps.length ? median(steps) : 0;
    }
    dev[i] = y[i]! - (median(win) + slope * offset);
  }
  const mad = median(Array.from(dev, Math.abs)) * 1.4826;
  if (!(mad > 0)) return [];
  const out: Outlier[] = [];
  for (let i = 0; i < n; i++) {
    const z = dev[i]! / mad;
    if (Math.abs(z) > threshold && !s.filled[i]) out.push({ t: slotTime(s, i), value: y[i]!, score: Math.round(z * 10) / 10 });
  }
  return out.sort((a, b) => Math.abs(b.score) - Math.abs(a.score)).slice(0, max);
}

export function median(xs: ArrayLike<number>): number {
  const a = Float64Array.from(xs).sort();
  if (a.length === 0) return NaN;
  const m = a.length >> 1;
  return a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2;
}

/**
 * Seasonal periods in slots for an interval: a day and a week where they are whole numbers of
 * slots (10 s → 8,640 and 60,480; 1 h → 24 and 168; 1 d → the week, 7), a year for monthly
 * slots (12 for 1mo, 4 for 3mo).
 */
export function seasonalPeriods(intervalMs: number, intervalMonths?: number): { day?: number; week?: number } {
  if (intervalMonths) {
    const year = 12 / intervalMonths;
    return Number.isInteger(year) && year >= 2 ? { day: year } : {};
  }
  const day = 86_400_000 / intervalMs;
  const week = 7 * day;
  return {
    ...(Number.isInteger(day) && day >= 2 && { day }),
    ...(Number.isInteger(week) && week >= 2 && { week }),
  };
}

/** What the two season slots are called for messages: `day`/`week`, or the user's own seasons. */
export function seasonNames(intervalMs: number, intervalMonths: number | undefined, custom: number[] | undefined): { day: string; week: string } {
  if (custom?.length) return { day: `${custom[0]}-step season`, week: custom[1] ? `${custom[1]}-step season` : 'second season' };
  if (intervalMonths) return { day: 'year', week: 'second season' };
  const ps = seasonalPeriods(intervalMs);
  return { day: ps.day ? 'day' : 'week', week: 'week' };
}
