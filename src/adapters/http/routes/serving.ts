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
import { HttpProblem, PayloadTooLarge } from '../problem.js';
import { MAX_SERVING_BODY_BYTES, MAX_SERVING_REQUESTS, servingBodySchema } from '../serving-body.js';
import { jobSchema, problems, type RegisterRoutes } from './types.js';

export { MAX_SERVING_REQUESTS, profilesFromBody, servingInput, type ProfileBody, type ServingBody } from '../serving-body.js';

/** The most a declared Content-Length reserves before its bytes arrive. */
const PREALLOCATE_BYTES = 8 * 1024 * 1024;

/** A million requests take a few seconds to read on a loaded machine; this bounds a pathological body. */
const SERVING_PARSE_MS = 60_000;

/**
 * The body's bytes in one ArrayBuffer of its own, filled chunk by chunk as they arrive (one small
 * copy each, spread over the upload), so the whole can be moved to a parse thread at no cost:
 * Fastify's own reader would concatenate tens of MiB at the end, and posting them would copy them
 * again, both on this loop. Bodies without a length (chunked) grow by doubling.
 */
export function readRawBody(payload: NodeJS.ReadableStream, contentLength: string | undefined, limit: number): Promise<Uint8Array> {
  const tooLarge = () => new PayloadTooLarge(`request body: over the limit of ${limit} bytes`, `Send at most ${MAX_SERVING_REQUESTS.toLocaleString('en-US')} requests in one call; longer traces go through the CLI (penny serving).`);
  const declared = contentLength === undefined ? NaN : Number(contentLength);
  if (declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    // A declared length is believed only up to PREALLOCATE_BYTES: a client that declares 128 MiB
    // and sends nothing holds no more than that; past it the buffer doubles as bytes arrive.
    const most = Number.isFinite(declared) ? declared : limit;
    let buf = new Uint8Array(new ArrayBuffer(Number.isFinite(declared) ? Math.min(declared, PREALLOCATE_BYTES) : 64 * 1024));
    let n = 0;
    const fail = (e: Error) => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      payload.removeListener('error', fail);
      reject(e);
    };
    const onData = (chunk: Buffer | string) => {
      const c = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (n + c.length > limit) return fail(tooLarge());
      if (n + c.length > most) return fail(Object.assign(new Error('request body: longer than its Content-Length'), { statusCode: 400 }));
      if (n + c.length > buf.length) {
        const grown = new Uint8Array(new ArrayBuffer(Math.min(most, Math.max(buf.length * 2, n + c.length))));
        grown.set(buf.subarray(0, n));
        buf = grown;
      }
      buf.set(c, n);
      n += c.length;
    };
    const onEnd = () => {
      payload.removeListener('data', onData);
      payload.removeListener('error', fail);
      if (Number.isFinite(declared) && n !== declared) return reject(Object.assign(new Error('request body: shorter than its Content-Length'), { statusCode: 400 }));
      // A copy only when the buffer is larger than the body (a chunked body's last doubling).
      resolve(n === buf.length ? buf : buf.slice(0, n));
    };
    payload.on('data', onData);
    payload.once('end', onEnd);
    payload.once('error', fail);
    payload.resume();
  });
}

export const servingRoutes: RegisterRoutes = (app, ctx) => {
  // In this route's scope only: JSON bodies are kept as bytes, for the parse thread to read.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', (req, payload, done) => {
    readRawBody(payload, req.headers['content-length'], MAX_SERVING_BODY_BYTES).then((b) => done(null, b), (e: Error) => done(e, undefined));
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
  }, async (req, reply) => {
    // The bytes as they came; a parse thread reads them unless they are small (documents.ts).
    // No body at all is checked as null (the schema's 422), as Fastify would.
    const raw = req.body instanceof Uint8Array ? req.body : new TextEncoder().encode('null');
    // The bytes move to the parse thread (no copy on this loop); the route does not read them again.
    const read = await runParse(ctx.parsePool, 'serving', { body: raw, file: 'request body' }, raw.byteLength, { signal: clientGone(reply.raw), maxMs: SERVING_PARSE_MS, transfer: [raw.buffer as ArrayBuffer] });
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
    return reply.code(202).send(job);
  });
};
