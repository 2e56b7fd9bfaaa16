/** Recorded runs (plans, forecasts, simulations): the decisions Penny made, to show and compare. */
import { NotFound } from '../../../core/errors.js';
import { forecastResultSchema, idParams, planResultSchema, problems, simulationResultSchema, type RegisterRoutes } from './types.js';

const runSummary = {
  type: 'object',
  required: ['id', 'kind', 'name', 'createdAt', 'summary'],
  properties: { id: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' }, inputHash: { type: 'string' }, createdAt: { type: 'string' }, summary: { type: 'object', description: 'by kind: plan {totalUsd, savings, solver}; forecast {model, unit, interval, horizon, mase, …}; simulation {policies, mode, jobs}' } },
} as const;

export const runRoutes: RegisterRoutes = (app, ctx) => {
  app.get<{ Querystring: { kind?: string } }>('/api/runs', {
    schema: {
      tags: ['runs'],
      summary: 'Recorded plans, forecasts and simulations, newest first',
      querystring: { type: 'object', properties: { kind: { type: 'string', enum: ['plan', 'forecast', 'simulation'] } } },
      response: { 200: { type: 'array', items: runSummary } },
    },
  }, async (req) => ctx.store.listRuns(req.query.kind));

  app.get<{ Params: { id: string } }>('/api/runs/:id', {
    schema: {
      tags: ['runs'],
      summary: 'One recorded run with its full result',
      params: idParams,
      response: { 200: { ...runSummary, required: [...runSummary.required, 'result'], properties: { ...runSummary.properties, result: { description: 'the full result, as `penny plan|forecast|simulate --json` prints it (by kind)', anyOf: [planResultSchema, forecastResultSchema, simulationResultSchema] } } }, ...problems(404) },
    },
  }, async (req) => {
    const run = await ctx.store.getRun(req.params.id);
    if (!run) throw new NotFound(`no run ${req.params.id}`, 'List them at /api/runs.');
    return run;
  });
};
