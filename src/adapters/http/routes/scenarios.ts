/** Scenarios: validate, cost, save, list; the overview built from the latest cost report. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { costAndRecord, costResultToJson, costScenario } from '../../../app/cost.js';
import { InvalidInput, NotFound } from '../../../core/errors.js';
import { scenarioSchema, type Scenario } from '../../../core/model/scenario.js';
import { clientGone, scenarioOffLoop, type ParsePool } from '../documents.js';
import { costReportSchema, idParams, moneyString, problems, type RegisterRoutes } from './types.js';
import { MAX_DOCUMENT_BYTES, YAML_TYPES } from '../limits.js';


const scenarioBody = {
  description: 'A scenario (docs/scenario.md) as YAML (application/yaml) or JSON. In JSON, give money as strings to keep more than 15 significant digits.',
  content: {
    'application/json': { schema: z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) },
    ...Object.fromEntries(YAML_TYPES.map((t) => [t, { schema: { type: 'string', description: 'the scenario as YAML' } }])),
  },
};


export async function scenarioFromRequest(req: FastifyRequest, reply: FastifyReply, parsePool: ParsePool): Promise<{ scenario: Scenario; source: string }> {
  const body = req.body;
  const file = 'request body';
  const signal = clientGone(reply.raw);
  if (typeof body === 'string') {
    if (!body.trim()) throw new InvalidInput('the request body is empty', [{ path: '', message: 'empty body' }], 'Send a scenario as YAML or JSON.');
    return { scenario: await scenarioOffLoop(parsePool, { text: body, file }, Buffer.byteLength(body), { signal }), source: body };
  }
  if (body === undefined || body === null) throw new InvalidInput('the request has no body', [{ path: '', message: 'no body' }], 'Send a scenario as YAML or JSON.');
  // A JSON body is already parsed (natively, fast); validating a large one is the slow part.
  const source = JSON.stringify(body);
  return { scenario: await scenarioOffLoop(parsePool, { value: body, file }, source.length, { signal }), source };
}

const capexQuery = { type: 'object', properties: { capex: { type: 'string', enum: ['amortise', 'expense'] } } } as const;

function capexOf(req: FastifyRequest) {
  const q = (req.query as { capex?: string }).capex;
  if (q === undefined) return {};
  if (q !== 'amortise' && q !== 'expense') throw new InvalidInput(`capex must be amortise or expense, found ${JSON.stringify(q)}`, [{ path: 'capex', message: 'expected amortise or expense' }]);
  return { capex: q } as const;
}

export const scenarioRoutes: RegisterRoutes = (app, ctx) => {
  app.post('/api/scenarios/validate', {
    schema: {
      tags: ['scenarios'],
      summary: 'Check a scenario; 422 with every problem (field path, line) when it is not valid',
      body: scenarioBody,
      response: { 200: { type: 'object', required: ['valid'], properties: { valid: { type: 'boolean' }, name: { type: 'string' }, currency: { type: 'string' }, resources: { type: 'integer' } } }, ...problems(400, 413, 415, 422, 503) },
    },
    bodyLimit: MAX_DOCUMENT_BYTES,
  }, async (req, reply) => {
    const { scenario } = await scenarioFromRequest(req, reply, ctx.parsePool);
    return { valid: true, name: scenario.name, currency: scenario.currency, resources: scenario.resources.length };
  });

  app.post('/api/scenarios/cost', {
    schema: { tags: ['scenarios'], summary: 'Total cost of ownership of a scenario (not recorded)', body: scenarioBody, querystring: capexQuery, response: { 200: costReportSchema, ...problems(400, 413, 415, 422, 503) } },
    bodyLimit: MAX_DOCUMENT_BYTES,
  }, async (req, reply) => {
    const { scenario } = await scenarioFromRequest(req, reply, ctx.parsePool);
    return costResultToJson(costScenario(scenario, capexOf(req)));
  });

  app.post('/api/scenarios', {
    schema: {
      tags: ['scenarios'],
      summary: 'Record a scenario and its cost report in the workspace',
      body: scenarioBody,
      querystring: capexQuery,
      response: { 201: { type: 'object', required: ['scenarioId', 'reportId', 'report'], properties: { scenarioId: { type: 'string' }, reportId: { type: 'string' }, report: costReportSchema } }, ...problems(400, 403, 413, 415, 422, 503) },
    },
    bodyLimit: MAX_DOCUMENT_BYTES,
  }, async (req, reply) => {
    const { scenario, source } = await scenarioFromRequest(req, reply, ctx.parsePool);
    const r = await costAndRecord(ctx.store, ctx.clock, scenario, source, capexOf(req));
    return reply.code(201).send({ scenarioId: r.scenarioId, reportId: r.reportId, report: costResultToJson(r) });
  });

  app.get('/api/scenarios', {
    schema: { tags: ['scenarios'], summary: 'Scenarios recorded in the workspace', response: { 200: { type: 'array', items: { type: 'object', required: ['id', 'name', 'createdAt'], properties: { id: { type: 'string' }, name: { type: 'string' }, createdAt: { type: 'string' } } } } } },
  }, async () => (await ctx.store.listScenarios()).map((s) => ({ id: s.id, name: s.name, createdAt: s.createdAt })));

  app.get<{ Params: { id: string } }>('/api/scenarios/:id', {
    schema: { tags: ['scenarios'], summary: 'A recorded scenario (by id or name)', params: idParams, response: { 200: { type: 'object', required: ['id', 'name', 'source'], properties: { id: { type: 'string' }, name: { type: 'string' }, source: { type: 'string' }, createdAt: { type: 'string' }, scenario: { type: 'object', description: 'the scenario as parsed (docs/scenario.md)' } } }, ...problems(404) } },
  }, async (req) => {
    const s = await ctx.store.getScenario(req.params.id);
    if (!s) throw new NotFound(`no scenario ${req.params.id}`, 'List them at /api/scenarios.');
    return s;
  });

  app.get<{ Querystring: { scenario?: string } }>('/api/reports/latest', {
    schema: {
      tags: ['scenarios'],
      summary: 'The latest recorded cost report (optionally of one scenario)',
      querystring: { type: 'object', properties: { scenario: { type: 'string', maxLength: 200 } } },
      response: { 200: { type: 'object', required: ['id', 'scenarioName', 'createdAt', 'report'], properties: { id: { type: 'string' }, scenarioId: { type: 'string' }, scenarioName: { type: 'string' }, currency: { type: 'string' }, total: moneyString, createdAt: { type: 'string' }, report: costReportSchema } }, ...problems(404) },
    },
  }, async (req) => {
    const r = await ctx.store.latestCostReport(req.query.scenario);
    if (!r) throw new NotFound('no cost report is recorded in this workspace', 'Run `penny demo` or `penny cost FILE --save`, or POST a scenario to /api/scenarios.');
    return r;
  });
};
