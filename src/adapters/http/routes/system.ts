/** Health, version, and the job endpoints every long operation shares. */
import { Conflict, NotFound } from '../../../core/errors.js';
import { VERSION } from '../../../app/version.js';
import { isFinished, type Job } from '../../../app/jobs.js';
import { idParams, jobSchema, problems, type RegisterRoutes } from './types.js';

export const systemRoutes: RegisterRoutes = (app, ctx) => {
  app.get('/api/health', {
    schema: {
      tags: ['system'],
      summary: 'Liveness, version and mode',
      response: { 200: { type: 'object', required: ['status', 'version'], properties: { status: { type: 'string' }, version: { type: 'string' }, readOnly: { type: 'boolean' }, store: { type: 'string' }, schemaVersion: { type: 'integer' } } } },
    },
  }, async () => ({ status: 'ok', version: VERSION, readOnly: ctx.readOnly, store: ctx.store.driver, schemaVersion: await ctx.store.schemaVersion() }));

  app.get('/api/jobs', {
    schema: { tags: ['jobs'], summary: 'Recent jobs, newest first', response: { 200: { type: 'array', items: jobSchema } } },
  }, async () => ctx.jobs.list());

  const getJob = (id: string): Job => {
    const job = ctx.jobs.get(id);
    if (!job) throw new NotFound(`no job ${id}`, 'Jobs live as long as the server process; list them at /api/jobs.');
    return job;
  };

  app.get<{ Params: { id: string } }>('/api/jobs/:id', {
    schema: { tags: ['jobs'], summary: 'A job: status, progress, result or error', params: idParams, response: { 200: jobSchema, ...problems(404) } },
  }, async (req) => getJob(req.params.id));

  app.delete<{ Params: { id: string } }>('/api/jobs/:id', {
    schema: {
      tags: ['jobs'],
      summary: 'Cancel a job that has not finished (a plan or simulation thread is stopped); the job, now cancelled',
      params: idParams,
      response: { 200: jobSchema, ...problems(403, 404, 409) },
    },
  }, async (req) => {
    const job = getJob(req.params.id);
    const outcome = ctx.jobs.cancel(job.id);
    if (outcome === 'finished') throw new Conflict(`job ${job.id} has already finished (${job.status})`, 'Only a queued or running job can be cancelled.');
    if (outcome === 'not-cancellable') throw new Conflict(`job ${job.id} (${job.kind}) cannot be cancelled`, 'Plans and simulations can be cancelled; an ingest runs to its end (it commits whole or not at all).');
    return job;
  });

  app.get<{ Params: { id: string } }>('/api/jobs/:id/events', {
    schema: {
      tags: ['jobs'],
      summary: 'Follow a job as Server-Sent Events (progress, then done)',
      params: idParams,
      response: { 200: { description: 'text/event-stream of `progress` and `done` events, each data a Job', type: 'string' }, ...problems(404) },
    },
  }, async (req, reply) => {
    const job = getJob(req.params.id);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const send = (type: string, j: Job) => res.write(`event: ${type}\ndata: ${JSON.stringify(j)}\n\n`);
    const finished = isFinished(job.status);
    send(finished ? 'done' : 'progress', job);
    if (finished) {
      res.end();
      return;
    }
    const off = ctx.jobs.follow(job.id, (e) => {
      send(e.type, e.job);
      if (e.type === 'done') {
        off();
        res.end();
      }
    });
    req.raw.on('close', off);
  });
};
