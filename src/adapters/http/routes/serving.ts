/**
 * Inference serving over HTTP: a request trace in the body (the generic CSV's fields as JSON) is
 * read and checked on a parse thread, off the event loop (serving-body.ts; a 4xx at once), then every balancer × autoscaler is simulated against the SLO with
 * the fixed-for-peak baseline, and the replica plan solved and simulated, as a job on a job thread
 * (CPU minutes on a long trace), recorded as a run. A request may not make the server read files,
 * so trace and profile files stay with the CLI: the profile table comes in the body.
 */
import { recordServingRun } from '../../../app/runs.js';
import type { ServingJson } from '../../../app/serving.js';
import { relayProgress } from '../../jobs/pool.js';
import { clientGone, runParse } from '../documents.js';
import { HttpProblem } from '../problem.js';
import { readRawBody } from '../raw-body.js';
import { MAX_BODY_PARSE_MS } from '../limits.js';
import { MAX_SERVING_BODY_BYTES, MAX_SERVING_REQUESTS, servingBodySchema } from '../serving-body.js';
import { jobSchema, problems, type RegisterRoutes } from './types.js';

export { readRawBody } from '../raw-body.js';
export { MAX_SERVING_REQUESTS, profilesFromBody, servingInput, type ProfileBody, type ServingBody } from '../serving-body.js';

export const servingRoutes: RegisterRoutes = (app, ctx) => {
  // In this route's scope only: JSON bodies are kept as bytes, for the parse thread to read.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', (req, payload, done) => {
    readRawBody(payload, req.headers['content-length'], MAX_SERVING_BODY_BYTES, `Send at most ${MAX_SERVING_REQUESTS.toLocaleString('en-US')} requests in one call; longer traces go through the CLI (penny serving).`).then((b) => done(null, b), (e: Error) => done(e, undefined));
  });
  app.post('/api/serving', {
    schema: {
      tags: ['serving'],
      summary: 'Inference serving at least cost, as a job recorded as a run: every load balancer × autoscaler on a request trace against a TTFT SLO, the fixed-for-peak baseline and the replica plan (docs/serving.md)',
      // Checked on the parse thread with the raw body (serving-body.ts), not on the event loop.
      body: { ...servingBodySchema, 'x-read-off-loop': true },
      response: { 202: jobSchema, ...problems(400, 413, 415, 422, 503) },
    },
    bodyLimit: MAX_SERVING_BODY_BYTES,
    // Admitted before the body is read: 503 while too many jobs wait for a thread.
    onRequest: ctx.admission.onRequest,
  }, async (req, reply) => {
    // The bytes as they came; a parse thread reads them unless they are small (documents.ts).
    // No body at all is checked as null (the schema's 422), as Fastify would.
    const raw = req.body instanceof Uint8Array ? req.body : new TextEncoder().encode('null');
    // The bytes move to the parse thread (no copy on this loop); the route does not read them again.
    const read = await runParse(ctx.parsePool, 'serving', { body: raw, file: 'request body' }, raw.byteLength, { signal: clientGone(reply.raw), maxMs: MAX_BODY_PARSE_MS, transfer: [raw.buffer as ArrayBuffer] });
    if ('unreadable' in read) throw new HttpProblem(400, 'bad-request', 'Bad request', read.unreadable);
    const { input, inputs } = read;
    const job = ctx.jobs.submit('serving', async (progress, ctl) => {
      // The trace's columns move to the job thread rather than being copied on this loop.
      const w = input.workload;
      const transfer = [w.arrivalS.buffer, w.contextTokens.buffer, w.generatedTokens.buffer, w.adapter.buffer] as ArrayBuffer[];
      const json = (await ctx.pool.run('serving', input, { signal: ctl.signal, started: ctl.started, progress: relayProgress(progress), transfer: [...new Set(transfer)] })) as ServingJson;
      const runId = await recordServingRun(ctx.store, ctx.clock, json, { api: inputs });
      return { runId, serving: json };
    }, { queued: true, cancellable: true });
    ctx.admission.queued(req, job.id);
    return reply.code(202).send(job);
  });
};
