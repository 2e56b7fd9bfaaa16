/** Recorded runs (plans, forecasts, simulations, serving comparisons): the decisions Penny made, to show and compare. */
import { recordRun, type RunInput } from '../../../app/runs.js';
import { NotFound } from '../../../core/errors.js';
import { forecastResultSchema, idParams, planResultSchema, problems, runRecordSchema, runSummarySchema, servingResultSchema, simulationResultSchema, type RegisterRoutes } from './types.js';

/** A run computed elsewhere (the CLI beside this server, `--save`): its result must be of its kind's contract. */
const runOf = (kind: string, result: object) => ({
  type: 'object',
  required: ['kind', 'name', 'inputs', 'summary', 'result'],
  properties: { kind: { const: kind }, name: { type: 'string', minLength: 1, maxLength: 500 }, inputs: { type: 'object' }, summary: { type: 'object' }, result },
}) as const;

export const runRoutes: RegisterRoutes = (app, ctx) => {
  app.get<{ Querystring: { kind?: string } }>('/api/runs', {
    schema: {
      tags: ['runs'],
      summary: 'Recorded plans, forecasts, simulations and serving comparisons, newest first',
      querystring: { type: 'object', properties: { kind: { type: 'string', enum: ['plan', 'forecast', 'simulation', 'serving'] } } },
      response: { 200: { type: 'array', items: runSummarySchema } },
    },
  }, async (req) => ctx.store.listRuns(req.query.kind));

  app.post<{ Body: RunInput }>('/api/runs', {
    schema: {
      tags: ['runs'],
      summary: 'Record a plan, simulation, forecast or serving comparison computed elsewhere (`penny plan --save` beside this server); the same inputs again replace the earlier record',
      body: { oneOf: [runOf('plan', planResultSchema), runOf('simulation', simulationResultSchema), runOf('forecast', forecastResultSchema), runOf('serving', servingResultSchema)] },
      response: { 201: { type: 'object', required: ['runId'], properties: { runId: { type: 'string' } } }, ...problems(403, 413, 422) },
    },
    bodyLimit: 64 * 1024 * 1024,
  }, async (req, reply) => {
    const runId = await recordRun(ctx.store, ctx.clock, req.body);
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
