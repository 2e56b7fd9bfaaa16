/**
 * The body of POST /api/forecasts, read and checked off the event loop: a history near the cap
 * (525,600 points, some 20 MiB of JSON) takes seconds to parse, validate against the schema, read
 * point by point and digest, which on the event loop stalled every other request (health checks
 * included) for all of it. The route keeps the raw bytes and a parse thread (documents.ts) runs
 * readForecastBody: the JSON, the schema (the one the OpenAPI document shows, with the server's
 * body options), every point, and the digests the run records. What comes back is each series'
 * job input (its points as typed arrays, which move to the job thread without a copy) or the 4xx
 * a check on the event loop would have given: the same problem, the same field paths.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import { contentDigest } from '../../app/runs.js';
import { InvalidInput } from '../../core/errors.js';
import { deliveredLevels } from '../../core/forecast/backtest.js';
import { AGGREGATIONS, type Aggregation, type FillMethod } from '../../core/forecast/series.js';
import { horizonSteps, quantileLevels, seasonSteps } from '../importers/forecast-options.js';
import { defaultAggregation } from '../importers/series-csv.js';
import { parseInterval, parseTimestamp } from '../importers/timestamp.js';
import type { ForecastTaskInput } from '../jobs/tasks.js';
import { BODY_AJV_OPTIONS } from './limits.js';
import { readJsonBody, type UnreadableBody } from './json-body.js';

/** The largest body: a year of minutes with long ISO times, with room to spare. */
export const MAX_FORECAST_BODY_BYTES = 64 * 1024 * 1024;

/** Points one request may send: a year of minutes. */
export const MAX_FORECAST_POINTS = 525_600;

export interface ForecastBody {
  name?: string;
  unit?: string;
  interval: string;
  kind?: 'samples' | 'events';
  agg?: Aggregation;
  fill?: FillMethod;
  points?: { t: string | number; value: number }[];
  /** several series, one forecast each (instead of points) */
  series?: { key: string; name?: string; unit?: string; points: { t: string | number; value: number }[] }[];
  horizon: string;
  model?: string;
  origins?: number;
  seasons?: string;
  quantiles?: string;
  cap?: number;
}

/** Series one request may send (each is a full backtest on a job thread). */
export const MAX_FORECAST_SERIES = 50;

/**
 * Values one request's forecasts may hold: horizon steps × quantile levels (0.1, 0.5 and 0.9 with
 * those asked for), summed over its series. The results stay in the job and its runs and go out as
 * one response, about 10 bytes of JSON a value: a year of hours at three levels for 50 series is
 * 1.3 million; 12 series × 100,000 steps × 54 levels (65 million) once held the server at over
 * 2 GB for minutes, and each finished series stalled it for seconds (3 series: a 168 MB job).
 */
export const MAX_FORECAST_VALUES = 3_000_000;

/**
 * The body as one job input per series (`points`: one, keyed by its name; `series`: one per
 * entry), every field checked (a 422 naming it, before anything is queued).
 */
export function forecastInputs(body: ForecastBody): { key: string; input: ForecastTaskInput }[] {
  const inputs = seriesInputs(body);
  // What the forecasts will hold: every step of the horizon at every level, in every series.
  const { horizon, quantiles } = inputs[0]!.input;
  const values = horizon * deliveredLevels(quantiles).length * inputs.length;
  if (values > MAX_FORECAST_VALUES) {
    throw new InvalidInput(`the forecast would hold ${values.toLocaleString('en-US')} values (${horizon.toLocaleString('en-US')} steps × ${deliveredLevels(quantiles).length} quantile levels × ${inputs.length} series), more than ${MAX_FORECAST_VALUES.toLocaleString('en-US')}`, [{ path: 'horizon', message: 'too many forecast values', expected: `horizon × quantile levels × series at most ${MAX_FORECAST_VALUES}`, found: String(values) }], 'Ask for a shorter horizon or a longer interval, fewer quantiles, or fewer series per request.');
  }
  return inputs;
}

function seriesInputs(body: ForecastBody): { key: string; input: ForecastTaskInput }[] {
  if ((body.points === undefined) === (body.series === undefined)) throw new InvalidInput('give either points (one series) or series (several)', [{ path: body.points ? 'series' : 'points', message: body.points ? 'points and series both given' : 'neither points nor series given' }], 'Send {"points": [...]} for one history, or {"series": [{"key": "ml", "points": [...]}, ...]} for several.');
  if (body.points) return [{ key: body.name ?? 'value', input: forecastInput(body, body.points, '') }];
  const list = body.series!;
  const total = list.reduce((a, x) => a + x.points.length, 0);
  if (total > MAX_FORECAST_POINTS) throw new InvalidInput(`${total} points in all, more than ${MAX_FORECAST_POINTS}`, [{ path: 'series', message: 'too many points', expected: `at most ${MAX_FORECAST_POINTS} in all`, found: String(total) }], 'Send fewer series per request, or a longer interval.');
  const seen = new Set<string>();
  return list.map((x, k) => {
    if (seen.has(x.key)) throw new InvalidInput(`series[${k}].key "${x.key}" is given twice`, [{ path: `series[${k}].key`, message: 'duplicate key', found: x.key }], 'Give each series its own key.');
    seen.add(x.key);
    return { key: x.key, input: forecastInput({ ...body, name: x.name ?? body.name ?? x.key, ...((x.unit ?? body.unit) !== undefined && { unit: x.unit ?? body.unit! }) }, x.points, `series[${k}].`) };
  });
}

function forecastInput(body: ForecastBody, points: { t: string | number; value: number }[], at: string): ForecastTaskInput {
  const interval = parseInterval(body.interval);
  if (!interval) throw new InvalidInput(`interval "${body.interval}" is not an interval`, [{ path: 'interval', message: 'not a whole number of seconds from 1s to 4w, nor of months', expected: 'e.g. 10s, 1m, 5m, 1h, 1d, 1w, 1mo', found: body.interval }]);
  // Columns, not objects: they move to the job thread without a copy.
  const times = new Float64Array(points.length);
  const values = new Float64Array(points.length);
  points.forEach((p, i) => {
    const t = typeof p.t === 'number' ? p.t : parseTimestamp(p.t);
    if (!Number.isFinite(t)) throw new InvalidInput(`${at}points[${i}].t is not a timestamp`, [{ path: `${at}points[${i}].t`, message: 'expected ISO 8601 or epoch milliseconds', found: String(p.t) }]);
    if (!Number.isFinite(p.value) || Math.abs(p.value) > 1e150) throw new InvalidInput(`${at}points[${i}].value is not a finite number within ±1e150`, [{ path: `${at}points[${i}].value`, message: 'out of range', found: String(p.value) }]);
    times[i] = t;
    values[i] = p.value;
  });
  const name = body.name ?? 'value';
  const agg = body.agg ? { agg: body.agg, why: `agg: ${body.agg}` } : defaultAggregation(name, Array.from(values));
  const cap = body.cap;
  if (cap !== undefined && !(cap > 0 && Number.isFinite(cap))) throw new InvalidInput('cap must be a positive number', [{ path: 'cap', message: 'not a positive number', found: String(cap) }]);
  return {
    times,
    values,
    name,
    unit: body.unit ?? name,
    intervalMs: interval.intervalMs,
    ...(interval.intervalMonths && { intervalMonths: interval.intervalMonths }),
    agg: agg.agg,
    aggWhy: agg.why,
    kind: body.kind ?? 'samples',
    fill: body.fill ?? (body.kind === 'events' ? 'zero' : 'linear'),
    horizon: horizonSteps(body.horizon, interval.intervalMs),
    model: body.model ?? 'auto',
    origins: body.origins ?? 8,
    ...(body.seasons !== undefined && { seasons: seasonSteps(body.seasons, interval.intervalMs) }),
    ...(body.quantiles !== undefined && { quantiles: quantileLevels(body.quantiles) }),
    ...(cap !== undefined && { cap }),
  };
}

const pointsSchema = { type: 'array', minItems: 2, maxItems: MAX_FORECAST_POINTS, items: { type: 'object', required: ['t', 'value'], additionalProperties: false, properties: { t: { type: ['string', 'number'], description: 'ISO 8601 or epoch milliseconds' }, value: { type: 'number' } } } } as const;

/** The body's JSON Schema: the OpenAPI document shows it, and readForecastBody checks it on the parse thread. */
export const forecastBodySchema = {
  type: 'object',
  required: ['interval', 'horizon'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', maxLength: 200, description: 'what the values are (default value)' },
    unit: { type: 'string', maxLength: 200 },
    interval: { type: 'string', maxLength: 20, description: 'resample to this interval: 10s, 1m, 1h, 1d, 1w, 1mo…' },
    kind: { type: 'string', enum: ['samples', 'events'], description: 'samples: a gauge (an empty interval is a gap, filled and flagged); events: one point per event (an empty interval is zero)' },
    agg: { type: 'string', enum: [...AGGREGATIONS], description: 'how values inside one interval combine (default by the values: whole counts with a count-like name are summed, anything else averaged)' },
    fill: { type: 'string', enum: ['linear', 'ffill', 'zero'] },
    points: { ...pointsSchema, description: 'the history (one series); or send series' },
    series: { type: 'array', minItems: 1, maxItems: MAX_FORECAST_SERIES, description: 'several histories, one forecast each, keyed (instead of points); at most 525,600 points in all', items: { type: 'object', required: ['key', 'points'], additionalProperties: false, properties: { key: { type: 'string', minLength: 1, maxLength: 200, description: 'what tells this series apart (a team, a service)' }, name: { type: 'string', maxLength: 200 }, unit: { type: 'string', maxLength: 200 }, points: pointsSchema } } },
    horizon: { type: 'string', maxLength: 20, description: 'how far ahead: 30m, 24h, 7d, or a number of intervals' },
    model: { type: 'string', maxLength: 200, description: 'auto (default), a family or models, comma-separated' },
    origins: { type: 'integer', minimum: 1, maximum: 50 },
    seasons: { type: 'string', maxLength: 100, description: 'seasonal periods: 6, 24, 1d,1w' },
    quantiles: { type: 'string', maxLength: 200, description: 'levels besides 0.1, 0.5, 0.9: 0.05,0.99' },
    cap: { type: 'number', description: 'the most the series can reach: quantiles are clipped at it' },
  },
} as const;

/** Compiled once per parse thread, with the server's body options (limits.ts). */
let validate: ReturnType<InstanceType<typeof Ajv2020.default>['compile']> | undefined;
function validator() {
  if (!validate) {
    const Ajv = Ajv2020 as unknown as typeof Ajv2020.default;
    validate = new Ajv(BODY_AJV_OPTIONS).compile(forecastBodySchema);
  }
  return validate;
}

/** What a parse thread gives the route: one job input per series, and the body as the runs record it. */
export interface ReadForecastBody {
  inputs: { key: string; input: ForecastTaskInput }[];
  /** Several series (`series`) rather than one (`points`): the job answers with a list. */
  several: boolean;
  /** The body with each history standing in by its size and content hash. */
  api: Record<string, unknown>;
}

export type { UnreadableBody } from './json-body.js';

/**
 * The raw body (UTF-8 bytes or text) read as the route once read it on the event loop: JSON (at
 * most MAX_NESTING deep), the schema, then every series and point (forecastInputs). Bad JSON comes
 * back as UnreadableBody (a 400); a body the schema refuses throws the InvalidInput with the field
 * paths the server's schema check gives.
 */
export function readForecastBody(raw: Uint8Array | string): ReadForecastBody | UnreadableBody {
  const read = readJsonBody(raw, validator());
  if ('unreadable' in read) return read;
  const body = read.value as ForecastBody;
  const inputs = forecastInputs(body);
  // Long inputs stand in the run's inputs by size and content hash: two histories of the same
  // length are two runs, never one replacing the other.
  const api = { ...body, ...(body.points && { points: contentDigest(body.points, 'points') }), ...(body.series && { series: body.series.map((x) => ({ ...x, points: contentDigest(x.points, 'points') })) }) };
  return { inputs, several: body.series !== undefined, api };
}
