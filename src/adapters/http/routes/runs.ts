/** Recorded runs (plans, forecasts, simulations, serving comparisons): the decisions Penny made, to show and compare. */
import { NotFound } from '../../../core/errors.js';
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
