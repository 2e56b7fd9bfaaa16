/**
 * Generic history CSV → Series: a timestamp column (any common form, see timestamp.ts), a value
 * column, optional feature columns. Empty, NaN, NULL and NA values are missing (filled and
 * flagged later); any other non-number is refused with its line.
 * Rows with feature values but no value after the last value are future feature values.
 */
import { InvalidInput, type Issue } from '../../core/errors.js';
import { resample, type Aggregation, type FillMethod, type Observation, type Series } from '../../core/forecast/series.js';
import { readCsv, readCsvHeader } from './csv.js';
import { parseTimestamp } from './timestamp.js';

export interface CsvSeriesOptions {
  intervalMs?: number;
  /** calendar months per slot (`--interval 1mo`) */
  intervalMonths?: number;
  timeColumn?: string;
  valueColumn?: string;
  features?: string[];
  agg?: Aggregation;
  fill?: FillMethod;
  unit?: string;
  onBytes?: (read: number, total: number) => void;
}

const TIME_NAMES = /^(timestamp|time|date|datetime|ts|t|period|hour|day|time_?stamp|start(_time)?)$/i;
const MISSING = /^(|nan|null|na|n\/a|none|-)$/i;

/**
 * A number, NaN for a missing value, undefined for anything else. `unit` (from a header such as
 * `power.draw [W]`) may follow the number, as nvidia-smi writes it: `120.24 W`, `35 %`.
 */
export function parseNumberCell(raw: string, unit?: string): number | undefined {
  let s = raw.trim();
  if (unit && s.endsWith(unit)) s = s.slice(0, -unit.length).trim();
  if (MISSING.test(s)) return NaN;
  const v = Number(s);
  return Number.isFinite(v) && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? v : undefined;
}

/** Column names that hold counts per row (summed when rows share an interval), not levels. */
const COUNT_NAMES = /(^|[^a-z])(counts?|n|num|number|requests?|reqs?|events?|calls|hits|jobs|arrivals|errors|tokens|bytes|orders|sessions|total)([^a-z]|$)/i;

/**
 * A first line that is data, not names: its first cell a timestamp and every other cell a number
 * or empty. (A header cell never parses as a timestamp: names such as `t` or `time` do not.)
 */
export function looksHeaderless(first: string[]): boolean {
  if (first.length < 2 || !Number.isFinite(parseTimestamp(first[0] ?? ''))) return false;
  return first.slice(1).every((c) => parseNumberCell(c) !== undefined) && first.slice(1).some((c) => Number.isFinite(parseNumberCell(c)!));
}

/** How values in one interval combine when --agg is not given: counts add up, levels average. */
export function defaultAggregation(column: string, values: ArrayLike<number>): { agg: Aggregation; why: string } {
  let whole = true;
  for (let i = 0; i < values.length && whole; i++) {
    const v = values[i]!;
    if (Number.isFinite(v) && !(v >= 0 && Number.isInteger(v))) whole = false;
  }
  if (whole && COUNT_NAMES.test(column)) return { agg: 'sum', why: `"${column}" holds whole counts, so they are summed; --agg mean to average them` };
  return { agg: 'mean', why: `"${column}" is read as a level, so values are averaged; --agg sum if it counts events, --agg max for peaks` };
}

export async function readCsvSeries(path: string, o: CsvSeriesOptions = {}): Promise<Series> {
  return (await readCsvSeriesMany(path, o))[0]!.series;
}

export interface CsvManyOptions extends CsvSeriesOptions {
  /** one series per column named (`--value a,b`) */
  valueColumns?: string[];
  /** one series per numeric column (every column but the time, the features and the group) */
  eachColumn?: boolean;
  /** one series per distinct value of this column (long format: time, team, value) */
  groupColumn?: string;
  /** refuse more series than this (each is a full backtest) */
  maxSeries?: number;
}

export interface KeyedCsvSeries {
  /** the group value, the column name, or `group · column` when both vary */
  key: string;
  column: string;
  group?: string;
  series: Series;
}

/** Series per column and/or per group of one CSV, read in one pass. */
export async function readCsvSeriesMany(path: string, o: CsvManyOptions = {}): Promise<KeyedCsvSeries[]> {
  const firstLine = await readCsvHeader(path);
  const headerless = looksHeaderless(firstLine);
  // Without a header line the first row is data: name the columns so that it is kept.
  const header = headerless ? firstLine.map((_, i) => (i === 0 ? 'time' : i === 1 ? 'value' : `value${i}`)) : firstLine;
  const columns = headerless ? { columns: header } : {};
  const hint = 'A history CSV has a timestamp column and a value column; name them with --time and --value.';
  const timeCol = o.timeColumn ?? header.find((h) => TIME_NAMES.test(h)) ?? header[0];
  if (!timeCol || !header.includes(timeCol)) {
    throw new InvalidInput(`${path}: no column "${o.timeColumn}"`, [{ path: 'time', file: path, line: 1, message: 'no such column', expected: header.join(', '), found: o.timeColumn ?? '' }], hint);
  }
  const features = o.features ?? [];
  const named = o.valueColumns ?? (o.valueColumn !== undefined ? [o.valueColumn] : []);
  for (const f of [...named, ...features, ...(o.groupColumn !== undefined ? [o.groupColumn] : [])]) {
    if (!header.includes(f)) throw new InvalidInput(`${path}: no column "${f}"`, [{ path: f, file: path, line: 1, message: 'no such column', expected: header.join(', '), found: f }], hint);
  }
  const group = o.groupColumn;
  if (group !== undefined && (group === timeCol || named.includes(group) || features.includes(group))) {
    throw new InvalidInput(`${path}: the column "${group}" cannot both group the rows and be ${group === timeCol ? 'the time' : 'a value or a feature'}`, [{ path: 'by', file: path, line: 1, message: 'column used twice', found: group }], 'Give --by a column that names the series of each row (a team, a service).');
  }
  const maxSeries = o.maxSeries ?? 100;
  const issues: Issue[] = [];
  /** obs per group (the empty key when there is no group), then per value column */
  const obs = new Map<string, Map<string, Observation[]>>();
  let valueCols: string[] | undefined = named.length ? named : undefined;
  let rows = 0;
  for await (const rec of readCsv(path, { ...columns, ...(o.onBytes && { onBytes: o.onBytes }) })) {
    if (!valueCols) {
      const candidates = header.filter((h) => h !== timeCol && h !== group && !features.includes(h));
      if (o.eachColumn) {
        // Each column whose first cell is a number or missing; text columns (a region) are not series.
        valueCols = candidates.filter((h) => parseNumberCell(rec.values[h] ?? '', unitOf(h)) !== undefined);
      } else {
        // The first column after the time whose first cell is a number.
        const first = candidates.find((h) => Number.isFinite(parseNumberCell(rec.values[h] ?? '', unitOf(h)) ?? NaN));
        valueCols = first === undefined ? [] : [first];
      }
      if (!valueCols.length) throw new InvalidInput(`${path}: no numeric value column`, [{ path: 'value', file: path, line: rec.line, message: 'no column holds a number on the first row', expected: 'a column of numbers', found: header.join(', ') }], hint);
    }
    rows++;
    const t = parseTimestamp(rec.values[timeCol] ?? '');
    if (!Number.isFinite(t) && rows === 1 && issues.length === 0 && !o.timeColumn) {
      throw new InvalidInput(`${path}: no timestamp column found`, [{ path: timeCol, file: path, line: rec.line, message: `the column taken for time, "${timeCol}", holds no timestamp`, expected: 'ISO 8601, YYYY-MM-DD HH:MM:SS or epoch seconds/ms', found: JSON.stringify(rec.values[timeCol] ?? '') }], 'Name the timestamp column with --time COLUMN; is this a history file?');
    }
    if (!Number.isFinite(t)) {
      if (issues.length < 20) issues.push({ path: timeCol, file: path, line: rec.line, message: 'not a timestamp', expected: 'ISO 8601, YYYY-MM-DD HH:MM:SS or epoch seconds/ms', found: JSON.stringify(rec.values[timeCol] ?? '') });
      continue;
    }
    const fv: number[] = [];
    let bad = false;
    for (const f of features) {
      const v = parseNumberCell(rec.values[f] ?? '', unitOf(f));
      if (v === undefined) {
        if (issues.length < 20) issues.push({ path: f, file: path, line: rec.line, message: 'not a number', expected: 'a number', found: JSON.stringify(rec.values[f]) });
        bad = true;
        continue;
      }
      fv.push(v);
    }
    // Rows without a group are a group of their own, named like untagged billing charges.
    const key = group === undefined ? '' : (rec.values[group] ?? '').trim() || '(none)';
    let byColumn = obs.get(key);
    if (!byColumn) {
      if (obs.size >= maxSeries || (obs.size + 1) * valueCols.length > maxSeries) {
        throw new InvalidInput(`${path}: more than ${maxSeries} series (${group !== undefined ? `groups of "${group}"` : 'columns'}${valueCols.length > 1 && group !== undefined ? ` × ${valueCols.length} columns` : ''})`, [{ path: group ?? 'value', file: path, line: rec.line, message: `series beyond the first ${maxSeries}`, expected: `at most ${maxSeries}`, found: key }], 'Each series is a full backtest: filter the file to the groups wanted, or raise --max-series.');
      }
      byColumn = new Map(valueCols.map((c) => [c, []]));
      obs.set(key, byColumn);
    }
    for (const c of valueCols) {
      const value = parseNumberCell(rec.values[c] ?? '', unitOf(c));
      if (value === undefined) {
        if (issues.length < 20) issues.push({ path: c, file: path, line: rec.line, message: 'not a number', expected: 'a number (empty, NaN or NULL for missing)', found: JSON.stringify(rec.values[c]) });
        continue;
      }
      if (!bad) byColumn.get(c)!.push({ t, value, line: rec.line, ...(features.length && { features: fv }) });
    }
  }
  if (issues.length) throw new InvalidInput(`${path}: ${issues.length >= 20 ? '20 or more' : issues.length} row${issues.length === 1 ? '' : 's'} cannot be read`, issues, hint);
  if (rows === 0 || !valueCols) throw new InvalidInput(`${path}: no data rows`, [{ path: '', file: path, message: 'the file has a header but no rows' }], hint);
  if (valueCols.length * obs.size > maxSeries) throw new InvalidInput(`${path}: ${valueCols.length * obs.size} series, more than ${maxSeries}`, [{ path: 'value', file: path, message: 'too many series', expected: `at most ${maxSeries}`, found: String(valueCols.length * obs.size) }], 'Each series is a full backtest: name the columns wanted with --value a,b, or raise --max-series.');
  // One interval for every series of the file, so that their forecasts line up.
  const intervalMs = o.intervalMs ?? inferInterval([...obs.values()].flatMap((m) => [...m.values()]).reduce((a, b) => (b.length > a.length ? b : a), [] as Observation[]));
  const out: KeyedCsvSeries[] = [];
  for (const [g, byColumn] of obs) {
    for (const [c, list] of byColumn) {
      const agg = o.agg ? { agg: o.agg, why: `--agg ${o.agg}` } : defaultAggregation(c, list.map((x) => x.value));
      const name = group === undefined ? c : `${c} · ${group}=${g}`;
      const series = resample(list, { name, unit: o.unit ?? unitOf(c) ?? c, intervalMs, ...(o.intervalMonths && { intervalMonths: o.intervalMonths }), agg: agg.agg, aggWhy: agg.why, kind: 'samples', fill: o.fill ?? 'linear', featureNames: features });
      if (headerless) series.report.notes.unshift(`the file has no header line: its first line is data, read as columns ${header.join(', ')}`);
      const key = group === undefined ? c : valueCols.length > 1 ? `${g} · ${c}` : g;
      out.push({ key, column: c, ...(group !== undefined && { group: g }), series });
    }
  }
  return out;
}

/** The unit in a header such as `power.draw [W]`. */
export function unitOf(header: string): string | undefined {
  return /\[([^\]]+)\]\s*$/.exec(header)?.[1]?.trim();
}

/**
 * The smallest standard interval at least the median spacing of the timestamps: 10s, 30s, 1m, 5m,
 * 15m, 1h, 1d. Spacing under 10 s (an event log, one row per request) gives 1m.
 */
export function inferInterval(obs: Observation[]): number {
  const ts = obs.map((x) => x.t).sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let i = 1; i < ts.length; i++) if (ts[i]! > ts[i - 1]!) gaps.push(ts[i]! - ts[i - 1]!);
  gaps.sort((a, b) => a - b);
  const med = gaps[gaps.length >> 1] ?? 3_600_000;
  if (med < 10_000 * 0.99) return 60_000;
  for (const ms of [10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000, 86_400_000]) if (med <= ms * 1.01) return ms;
  return 86_400_000;
}
