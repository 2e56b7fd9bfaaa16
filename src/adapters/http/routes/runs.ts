/** Recorded runs (plans, forecasts, simulations, serving comparisons): the decisions Penny made, to show and compare. */
import { recordHashedRun } from '../../../app/runs.js';
import { NotFound } from '../../../core/errors.js';
import { clientGone, runParse } from '../documents.js';
import { HttpProblem } from '../problem.js';
import { readRawBody } from '../raw-body.js';
import { MAX_BODY_PARSE_MS } from '../limits.js';
import { MAX_RUN_BODY_BYTES, runBodySchema } from '../run-body.js';
import { idParams, problems, runRecordSchema, runSummarySchema, type RegisterRoutes } from './types.js';

export const runRoutes: RegisterRoutes = (app, ctx) => {
  app.get<{ Querystring: { kind?: string } }>('/api/runs', {
    schema: {
      tags: ['runs'],
      summary: 'Recorded plans, forecasts, simulations and serving comparisons, newest first',
      querystring: { type: 'object', properties: { kind: { type: 'string', enum: ['plan', 'forecast', 'simulation', 'serving'] } } },
      response: { 200: { type: 'array', items: runSummarySchema } },
    },
  }, async (req) => ctx.store.listRuns(req.query.kind));

  // In this route's scope only: JSON bodies are kept as bytes, for the parse thread to read.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', (req, payload, done) => {
    readRawBody(payload, req.headers['content-length'], MAX_RUN_BODY_BYTES).then((b) => done(null, b), (e: Error) => done(e, undefined));
  });
  app.post('/api/runs', {
    schema: {
      tags: ['runs'],
      summary: 'Record a plan, simulation, forecast or serving comparison computed elsewhere (`penny plan --save` beside this server); the same inputs again replace the earlier record',
      // Checked on the parse thread with the raw body (run-body.ts), not on the event loop.
      body: { ...runBodySchema, 'x-read-off-loop': true },
      response: { 201: { type: 'object', required: ['runId'], properties: { runId: { type: 'string' } } }, ...problems(400, 403, 413, 422, 503) },
    },
    bodyLimit: MAX_RUN_BODY_BYTES,
  }, async (req, reply) => {
    // The bytes as they came, read on a parse thread unless they are small (documents.ts); no
    // body at all is checked as null (the schema's 422), as Fastify would.
    const raw = req.body instanceof Uint8Array ? req.body : new TextEncoder().encode('null');
    const run = await runParse(ctx.parsePool, 'run', { body: raw, file: 'request body' }, raw.byteLength, { signal: clientGone(reply.raw), maxMs: MAX_BODY_PARSE_MS, transfer: [raw.buffer as ArrayBuffer] });
    if ('unreadable' in run) throw new HttpProblem(400, 'bad-request', 'Bad request', run.unreadable);
    const runId = await recordHashedRun(ctx.store, ctx.clock, run);
    return reply.code(201).send({ runId });
  });

  app.get<{ Params: { id: string } }>('/api/runs/:id', {
    schema: {
      tags: ['runs'],
      summary: 'One recorded run with its full result',
      params: idParams,
      response: { 200: runRecordSchema, ...problems(404) },
    },
  }, async (req) => {
    const run = await ctx.store.getRun(req.params.id);
    if (!run) throw new NotFound(`no run ${req.params.id}`, 'List them at /api/runs.');
    return run;
  });
};
