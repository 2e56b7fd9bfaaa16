/**
 * Simulations over HTTP: a simulation scenario and a jobs CSV in one JSON body, run as a job and
 * recorded. As with plans, the request may not make the server read files: spot pools take a
 * preemption rate or availability here, not a trace file path.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { recordSimulationRun } from '../../../app/runs.js';
import { InvalidInput } from '../../../core/errors.js';
import { POLICY_NAMES } from '../../../core/sim/policies/index.js';
import { relayProgress } from '../../jobs/pool.js';
import { readJobTrace } from '../../importers/jobs-csv.js';
import { clientGone, runParse } from '../documents.js';
import { checkYamlShape } from '../limits.js';
import { confine } from '../security.js';
import { jobSchema, problems, type RegisterRoutes } from './types.js';

const DEFAULT_POLICIES = ['fifo', 'sjf', 'backfill', 'best-fit', 'least-loaded'];

export const simulationRoutes: RegisterRoutes = (app, ctx) => {
  app.post('/api/simulations', {
    schema: {
      tags: ['simulations'],
      summary: 'Replay a jobs CSV on a simulated cluster under several policies, as a job; recorded as a run',
      body: {
        type: 'object',
        required: ['scenario', 'jobs'],
        additionalProperties: false,
        properties: {
          scenario: { type: 'string', minLength: 1, description: 'simulation scenario YAML (docs/simulator.md); spot pools without trace files' },
          jobs: { type: 'string', minLength: 1, description: 'jobs CSV text (docs/simulator.md: arrival, gpus, duration, …)' },
          policies: { type: 'array', minItems: 1, maxItems: POLICY_NAMES.length, uniqueItems: true, items: { type: 'string', enum: [...POLICY_NAMES] } },
        },
      },
      response: { 202: jobSchema, ...problems(400, 403, 413, 415, 422, 503) },
    },
    // Admitted before the body is read: 503 while too many jobs wait for a thread.
    onRequest: ctx.admission.onRequest,
  }, async (req, reply) => {
    const body = req.body as { scenario?: unknown; jobs?: unknown; policies?: unknown } | undefined;
    if (!body || typeof body.scenario !== 'string' || typeof body.jobs !== 'string') {
      throw new InvalidInput('request body: expected {"scenario": YAML text, "jobs": CSV text, "policies": [...]}', [{ path: typeof body?.scenario !== 'string' ? 'scenario' : 'jobs', message: 'required text is missing' }]);
    }
    const policies = body.policies === undefined ? DEFAULT_POLICIES : body.policies;
    if (!Array.isArray(policies) || policies.length === 0 || policies.some((p) => !POLICY_NAMES.includes(p as never))) {
      throw new InvalidInput(`policies must be a list of ${POLICY_NAMES.join(', ')}`, [{ path: 'policies', message: 'unknown policy', found: JSON.stringify(policies) }]);
    }
    checkYamlShape(body.scenario, 'scenario');
    // Self-contained (no trace files) and valid, checked on a parse thread when large.
    await runParse(ctx.parsePool, 'simulation', { text: body.scenario, file: 'scenario' }, Buffer.byteLength(body.scenario), { signal: clientGone(reply.raw) });
    const dir = confine(ctx.workspaceDir, 'uploads');
    await mkdir(dir, { recursive: true });
    const path = confine(dir, `jobs-${randomUUID()}.csv`);
    await writeFile(path, body.jobs);
    let trace;
    try {
      trace = await readJobTrace(path);
    } catch (e) {
      if (e instanceof InvalidInput) for (const i of e.issues) if (i.file === path) i.file = 'jobs';
      throw e;
    } finally {
      await rm(path, { force: true });
    }
    const job = ctx.jobs.submit('simulation', async (progress, ctl) => {
      const input = { scenario: body.scenario as string, jobs: trace.jobs, hasTimes: trace.hasTimes, traceFormat: trace.format, policies: policies as string[] };
      const json = (await ctx.pool.run('simulation', input, { signal: ctl.signal, started: ctl.started, progress: relayProgress(progress) })) as { scenario: string; mode: string };
      const runId = await recordSimulationRun(ctx.store, ctx.clock, json, { inputs: { api: body.scenario, jobs: body.jobs, policies }, policies, jobs: trace.jobs.length });
      return { runId, simulation: json };
    }, { queued: true, cancellable: true });
    ctx.admission.queued(req, job.id);
    return reply.code(202).send(job);
  });
};
