/**
 * Plans over HTTP: a plan scenario in the body is solved as a job and recorded as a run. A request
 * may not make the server read files, so the scenario must be self-contained: the built-in
 * catalog and inline demand; any file reference (catalog, demand CSV, forecast, spot trace) is
 * refused before anything is solved.
 */
import { recordRun } from '../../../app/runs.js';
import { InvalidInput, type Issue } from '../../../core/errors.js';
import { planScenarioFromText } from '../../importers/plan-scenario.js';
import { parseYaml } from '../../importers/yaml-doc.js';
import { relayProgress } from '../../jobs/pool.js';
import { checkYamlShape, MAX_DOCUMENT_BYTES, YAML_TYPES } from '../limits.js';
import { jobSchema, problems, type RegisterRoutes } from './types.js';

/** Every place a plan scenario may name a file; each must be absent (or `builtin`). */
export function fileReferences(doc: unknown): Issue[] {
  const issues: Issue[] = [];
  if (!doc || typeof doc !== 'object') return issues;
  const d = doc as { catalogs?: unknown; classes?: unknown; spot?: { traces?: unknown } };
  if (Array.isArray(d.catalogs)) d.catalogs.forEach((c, i) => c !== 'builtin' && issues.push({ path: `catalogs[${i}]`, message: 'the API takes only the built-in catalog', found: JSON.stringify(c) }));
  if (Array.isArray(d.classes)) {
    d.classes.forEach((c, i) => {
      const demand = (c as { demand?: unknown })?.demand;
      if (demand && typeof demand === 'object' && !Array.isArray(demand)) issues.push({ path: `classes[${i}].demand`, message: 'the API takes demand inline, as a list of numbers per period', found: JSON.stringify(demand) });
    });
  }
  if (Array.isArray(d.spot?.traces) && d.spot.traces.length) issues.push({ path: 'spot.traces', message: 'the API takes spot availability as spot.availability, not trace files' });
  return issues;
}

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
      response: { 202: jobSchema, ...problems(400, 403, 413, 415, 422) },
    },
    bodyLimit: MAX_DOCUMENT_BYTES,
  }, async (req, reply) => {
    if (req.body === undefined || req.body === null || req.body === '') throw new InvalidInput('the request has no body', [{ path: '', file: 'request body', message: 'no body' }], 'Send a plan scenario as YAML (application/yaml) or JSON.');
    const text = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    // JSON is re-read as YAML (for positions and exact decimals): the same YAML limits apply.
    if (typeof req.body !== 'string') checkYamlShape(text, 'request body');
    const doc = parseYaml(text, 'request body').value;
    const refs = fileReferences(doc);
    if (refs.length) throw new InvalidInput('request body: a plan sent to the API must be self-contained (no request may make the server read files)', refs.map((i) => ({ ...i, file: 'request body' })), 'Use catalogs: [builtin] and demand as a list of numbers, or run `penny plan FILE --save` and see it on the Plans page.');
    // Validate now (fast, 422 with lines) so a job is only queued for a scenario that parses; the
    // job thread parses the same text again (cheap) and solves; this thread records the run.
    const file = 'request body';
    await planScenarioFromText(text, file);
    const job = ctx.jobs.submit('plan', async (progress, ctl) => {
      const json = (await ctx.pool.run('plan', { text, file }, { signal: ctl.signal, started: ctl.started, progress: relayProgress(progress) })) as { scenario: string; totalUsd: string; savings: unknown; solver: unknown };
      const runId = await recordRun(ctx.store, ctx.clock, { kind: 'plan', name: json.scenario, inputs: { api: text }, summary: { totalUsd: json.totalUsd, savings: json.savings, solver: json.solver }, result: json });
      return { runId, plan: json };
    }, { queued: true, cancellable: true });
    return reply.code(202).send(job);
  });
};
