/**
 * Forecasts over HTTP: a history sent inline (the API reads no files) is read and checked on a
 * parse thread, off the event loop (forecast-body.ts; a 4xx at once), then forecast as a job on a
 * job thread (a backtest of every model takes CPU seconds on a long history) and recorded as a
 * run, which the dashboard's Runs page draws.
 */
import { recordRun } from '../../../app/runs.js';
import { InvalidInput } from '../../../core/errors.js';
import { relayProgress } from '../../jobs/pool.js';
import type { ForecastTaskInput } from '../../jobs/tasks.js';
import { clientGone, runParse } from '../documents.js';
import { forecastBodySchema, MAX_FORECAST_BODY_BYTES } from '../forecast-body.js';
import { HttpProblem } from '../problem.js';
import { readRawBody } from '../raw-body.js';
import { MAX_BODY_PARSE_MS } from '../limits.js';
import { jobSchema, problems, type RegisterRoutes } from './types.js';

export { forecastInputs, MAX_FORECAST_POINTS, MAX_FORECAST_SERIES, type ForecastBody } from '../forecast-body.js';

export const forecastRoutes: RegisterRoutes = (app, ctx) => {
  // In this route's scope only: JSON bodies are kept as bytes, for the parse thread to read.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', (req, payload, done) => {
    readRawBody(payload, req.headers['content-length'], MAX_FORECAST_BODY_BYTES, 'Send fewer points (at most 525,600 in all), or resample to a longer interval first.').then((b) => done(null, b), (e: Error) => done(e, undefined));
  });
  app.post('/api/forecasts', {
    schema: {
      tags: ['forecasts'],
      summary: 'Forecast a history sent inline as a job (backtested model choice, calibrated P10/P50/P90) and record it as a run (docs/forecasting.md)',
      // Checked on the parse thread with the raw body (forecast-body.ts), not on the event loop.
      body: { ...forecastBodySchema, 'x-read-off-loop': true },
      response: { 202: jobSchema, ...problems(400, 413, 415, 422, 503) },
    },
    bodyLimit: MAX_FORECAST_BODY_BYTES,
    // Admitted before the body is read: 503 while too many jobs wait for a thread.
    onRequest: ctx.admission.onRequest,
  }, async (req, reply) => {
    // The bytes as they came, read on a parse thread unless they are small (documents.ts); no
    // body at all is checked as null (the schema's 422), as Fastify would.
    const raw = req.body instanceof Uint8Array ? req.body : new TextEncoder().encode('null');
    const read = await runParse(ctx.parsePool, 'forecast', { body: raw, file: 'request body' }, raw.byteLength, { signal: clientGone(reply.raw), maxMs: MAX_BODY_PARSE_MS, transfer: [raw.buffer as ArrayBuffer] });
    if ('unreadable' in read) throw new HttpProblem(400, 'bad-request', 'Bad request', read.unreadable);
    const { inputs, several, api } = read;
    const forecastOne = async (key: string, input: ForecastTaskInput, progress: Parameters<typeof relayProgress>[0], ctl: { signal: AbortSignal; started: () => void }) => {
      // The history's columns move to the job thread rather than being copied on this loop.
      const transfer = [...new Set([input.times.buffer, input.values.buffer])] as ArrayBuffer[];
      const rec = (await ctx.pool.run('forecast', input, { signal: ctl.signal, started: ctl.started, progress: relayProgress(progress), transfer })) as { name: string; summary: Record<string, unknown>; result: unknown };
      const runId = await recordRun(ctx.store, ctx.clock, { kind: 'forecast', name: rec.name, inputs: { api, key }, summary: rec.summary, result: rec.result });
      return { runId, forecast: rec.result };
    };
    const job = ctx.jobs.submit('forecast', async (progress, ctl) => {
      if (!several) return forecastOne(inputs[0]!.key, inputs[0]!.input, progress, ctl);
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
    ctx.admission.queued(req, job.id);
    return reply.code(202).send(job);
  });
};
