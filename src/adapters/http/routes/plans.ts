/**
 * Plans over HTTP: a plan scenario in the body is solved as a job and recorded as a run. A request
 * may not make the server read files, so the scenario must be self-contained: the built-in
 * catalog and inline demand; any file reference (catalog, demand CSV, forecast, spot trace) is
 * refused before anything is solved.
 */
import { recordPlanRun } from '../../../app/runs.js';
import { InvalidInput } from '../../../core/errors.js';
import { clientGone, runParse } from '../documents.js';
import { relayProgress } from '../../jobs/pool.js';
import { checkYamlShape, MAX_DOCUMENT_BYTES, YAML_TYPES } from '../limits.js';
import { jobSchema, problems, type RegisterRoutes } from './types.js';

export { fileReferences } from '../documents.js';

export const planRoutes: RegisterRoutes = (app, ctx) => {
  app.post('/api/plans', {
    schema: {
      tags: ['plans'],
      summary: 'Solve a plan scenario (docs/planner.md) as a job and record it; built-in catalog and inline demand only',
      body: {
        description: 'a plan scenario as YAML (application/yaml) or JSON',
        content: {
          'application/json': { schema: { type: 'object', description: 'the plan scenario (docs/planner.md)' } },
          ...Object.fromEntries(YAML_TYPES.map((t) => [t, { schema: { type: 'string', description: 'the plan scenario as YAML' } }])),
        },
      },
      response: { 202: jobSchema, ...problems(400, 403, 413, 415, 422, 503) },
    },
    bodyLimit: MAX_DOCUMENT_BYTES,
    // Admitted before the body is read: 503 while too many jobs wait for a thread.
    onRequest: ctx.admission.onRequest,
  }, async (req, reply) => {
    if (req.body === undefined || req.body === null || req.body === '') throw new InvalidInput('the request has no body', [{ path: '', file: 'request body', message: 'no body' }], 'Send a plan scenario as YAML (application/yaml) or JSON.');
    const text = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    // JSON is re-read as YAML (for positions and exact decimals): the same YAML limits apply.
    if (typeof req.body !== 'string') checkYamlShape(text, 'request body');
    // Validate now (422 with lines; on a parse thread when large) so a job is only queued for a
    // self-contained scenario that parses; the job thread parses the same text again and solves;
    // this thread records the run.
    const file = 'request body';
    await runParse(ctx.parsePool, 'plan', { text, file }, Buffer.byteLength(text), { signal: clientGone(reply.raw) });
    const job = ctx.jobs.submit('plan', async (progress, ctl) => {
      const json = (await ctx.pool.run('plan', { text, file }, { signal: ctl.signal, started: ctl.started, progress: relayProgress(progress) })) as { scenario: string; totalUsd: string; savings: unknown; solver: unknown };
      const runId = await recordPlanRun(ctx.store, ctx.clock, json, { api: text });
      return { runId, plan: json };
    }, { queued: true, cancellable: true });
    ctx.admission.queued(req, job.id);
    return reply.code(202).send(job);
  });
};
