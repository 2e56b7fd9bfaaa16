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
  points: { t: string | number; value: number }[];
  horizon: string;
  model?: string;
  origins?: number;
  seasons?: string;
  quantiles?: string;
  cap?: number;
}

/** The body as a job's input, every field checked (a 422 naming it, before anything is queued). */
export function forecastInput(body: ForecastBody): ForecastTaskInput {
  const interval = parseInterval(body.interval);
  if (!interval) throw new InvalidInput(`interval "${body.interval}" is not an interval`, [{ path: 'interval', message: 'not a whole number of seconds from 1s to 4w, nor of months', expected: 'e.g. 10s, 1m, 5m, 1h, 1d, 1w, 1mo', found: body.interval }]);
  const observations = body.points.map((p, i) => {
    const t = typeof p.t === 'number' ? p.t : parseTimestamp(p.t);
    if (!Number.isFinite(t)) throw new InvalidInput(`points[${i}].t is not a timestamp`, [{ path: `points[${i}].t`, message: 'expected ISO 8601 or epoch milliseconds', found: String(p.t) }]);
    if (!Number.isFinite(p.value) || Math.abs(p.value) > 1e150) throw new InvalidInput(`points[${i}].value is not a finite number within ±1e150`, [{ path: `points[${i}].value`, message: 'out of range', found: String(p.value) }]);
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

export const forecastRoutes: RegisterRoutes = (app, ctx) => {
  app.post('/api/forecasts', {
    schema: {
      tags: ['forecasts'],
      summary: 'Forecast a history sent inline as a job (backtested model choice, calibrated P10/P50/P90) and record it as a run (docs/forecasting.md)',
      body: {
        type: 'object',
        required: ['interval', 'points', 'horizon'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', maxLength: 200, description: 'what the values are (default value)' },
          unit: { type: 'string', maxLength: 200 },
          interval: { type: 'string', maxLength: 20, description: 'resample to this interval: 10s, 1m, 1h, 1d, 1w, 1mo…' },
          kind: { type: 'string', enum: ['samples', 'events'], description: 'samples: a gauge (an empty interval is a gap, filled and flagged); events: one point per event (an empty interval is zero)' },
          agg: { type: 'string', enum: [...AGGREGATIONS], description: 'how values inside one interval combine (default by the values: whole counts with a count-like name are summed, anything else averaged)' },
          fill: { type: 'string', enum: ['linear', 'ffill', 'zero'] },
          points: { type: 'array', minItems: 2, maxItems: MAX_FORECAST_POINTS, items: { type: 'object', required: ['t', 'value'], additionalProperties: false, properties: { t: { type: ['string', 'number'], description: 'ISO 8601 or epoch milliseconds' }, value: { type: 'number' } } } },
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
    const input = forecastInput(req.body);
    const job = ctx.jobs.submit('forecast', async (progress, ctl) => {
      const rec = (await ctx.pool.run('forecast', input, { signal: ctl.signal, started: ctl.started, progress: relayProgress(progress) })) as { name: string; summary: Record<string, unknown>; result: unknown };
      const runId = await recordRun(ctx.store, ctx.clock, { kind: 'forecast', name: rec.name, inputs: { api: { ...req.body, points: contentDigest(req.body.points, 'points') } }, summary: rec.summary, result: rec.result });
      return { runId, forecast: rec.result };
    }, { queued: true, cancellable: true });
    return reply.code(202).send(job);
  });
};
