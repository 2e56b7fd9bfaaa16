/**
 * Forecasts over HTTP: a history sent inline (the API reads no files) is forecast as a job on a
 * job thread (a backtest of every model takes CPU seconds on a long history) and recorded as a
 * run, which the dashboard's Runs page draws.
 */
import type { FastifyRequest } from 'fastify';
import { contentDigest, recordRun } from '../../../app/runs.js';
import { InvalidInput } from '../../../core/errors.js';
import { AGGREGATIONS, type Aggregation, type FillMethod } from '../../../core/forecast/series.js';
import { horizonSteps, quantileLevels, seasonSteps } from '../../importers/forecast-options.js';
import { defaultAggregation } from '../../importers/series-csv.js';
import { parseInterval, parseTimestamp } from '../../importers/timestamp.js';
import { relayProgress } from '../../jobs/pool.js';
import type { ForecastTaskInput } from '../../jobs/tasks.js';
import { jobSchema, problems, type RegisterRoutes } from './types.js';

/** Points one request may send: a year of minutes. */
export const MAX_FORECAST_POINTS = 525_600;

interface ForecastBody {
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
 * The body as one job input per series (`points`: one, keyed by its name; `series`: one per
 * entry), every field checked (a 422 naming it, before anything is queued).
 */
export function forecastInputs(body: ForecastBody): { key: string; input: ForecastTaskInput }[] {
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
  const observations = points.map((p, i) => {
    const t = typeof p.t === 'number' ? p.t : parseTimestamp(p.t);
    if (!Number.isFinite(t)) throw new InvalidInput(`${at}points[${i}].t is not a timestamp`, [{ path: `${at}points[${i}].t`, message: 'expected ISO 8601 or epoch milliseconds', found: String(p.t) }]);
    if (!Number.isFinite(p.value) || Math.abs(p.value) > 1e150) throw new InvalidInput(`${at}points[${i}].value is not a finite number within ±1e150`, [{ path: `${at}points[${i}].value`, message: 'out of range', found: String(p.value) }]);
    return { t, value: p.value };
  });
  const name = body.name ?? 'value';
  const agg = body.agg ? { agg: body.agg, why: `agg: ${body.agg}` } : defaultAggregation(name, observations.map((o) => o.value));
  const cap = body.cap;
  if (cap !== undefined && !(cap > 0 && Number.isFinite(cap))) throw new InvalidInput('cap must be a positive number', [{ path: 'cap', message: 'not a positive number', found: String(cap) }]);
  return {
    observations,
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

export const forecastRoutes: RegisterRoutes = (app, ctx) => {
  app.post('/api/forecasts', {
    schema: {
      tags: ['forecasts'],
      summary: 'Forecast a history sent inline as a job (backtested model choice, calibrated P10/P50/P90) and record it as a run (docs/forecasting.md)',
      body: {
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
      },
      response: { 202: jobSchema, ...problems(400, 413, 415, 422, 503) },
    },
    bodyLimit: 64 * 1024 * 1024,
  }, async (req: FastifyRequest<{ Body: ForecastBody }>, reply) => {
    const inputs = forecastInputs(req.body);
    // Long inputs stand in the run's inputs by size and content hash: two histories of the same
    // length are two runs, never one replacing the other.
    const api = { ...req.body, ...(req.body.points && { points: contentDigest(req.body.points, 'points') }), ...(req.body.series && { series: req.body.series.map((x) => ({ ...x, points: contentDigest(x.points, 'points') })) }) };
    const forecastOne = async (key: string, input: ForecastTaskInput, progress: Parameters<typeof relayProgress>[0], ctl: { signal: AbortSignal; started: () => void }) => {
      const rec = (await ctx.pool.run('forecast', input, { signal: ctl.signal, started: ctl.started, progress: relayProgress(progress) })) as { name: string; summary: Record<string, unknown>; result: unknown };
      const runId = await recordRun(ctx.store, ctx.clock, { kind: 'forecast', name: rec.name, inputs: { api, key }, summary: rec.summary, result: rec.result });
      return { runId, forecast: rec.result };
    };
    const job = ctx.jobs.submit('forecast', async (progress, ctl) => {
      if (!req.body.series) return forecastOne(inputs[0]!.key, inputs[0]!.input, progress, ctl);
      // One after another on the job's thread: each series is a full backtest, and one request
      // must not take every job thread.
      const forecasts: { key: string; runId: string; forecast: unknown }[] = [];
      const skipped: { key: string; reason: string }[] = [];
      for (const { key, input } of inputs) {
        try {
          forecasts.push({ key, ...(await forecastOne(key, input, progress, ctl)) });
        } catch (e) {
          if (!(e instanceof InvalidInput) || inputs.length === 1) throw e;
          skipped.push({ key, reason: e.message });
        }
      }
      if (forecasts.length === 0) throw new InvalidInput('no series could be forecast', skipped.map((x) => ({ path: `series[${x.key}]`, message: x.reason })), 'Check each series has enough points for the horizon.');
      return { forecasts, skipped };
    }, { queued: true, cancellable: true });
    return reply.code(202).send(job);
  });
};
