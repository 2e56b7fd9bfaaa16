/** Billing: spend grouped by any FOCUS column or tag over time, commitments, budgets. */
import { dateOption } from '../../importers/timestamp.js';
import type { FastifyRequest } from 'fastify';
import { billingReport, budgetInput, budgetReport, budgetStatusToJson, budgetToJson, invalidBudgetToJson, dimensionLabel, parseDimension, removeBillingFile, setBudget } from '../../../app/billing.js';
import type { Dimension } from '../../../app/billing-ports.js';
import { InvalidInput, NotFound } from '../../../core/errors.js';
import type { RouteContext } from '../server.js';
import { moneyString, problems, type RegisterRoutes } from './types.js';

/** A budget listed with why it cannot be measured (invalidBudgetToJson). */
const invalidBudgetSchema = {
  type: 'object',
  required: ['name', 'scope', 'currency', 'amount', 'problem'],
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    scope: { type: 'string' },
    currency: { type: 'string' },
    amount: { type: 'string' },
    problem: { type: 'object', required: ['title'], properties: { title: { type: 'string' }, hint: { type: 'string' } } },
  },
} as const;

const budgetSchema = {
  type: 'object',
  required: ['name', 'amount', 'currency', 'period', 'scope', 'thresholds', 'createdAt'],
  properties: {
    name: { type: 'string' },
    amount: moneyString,
    currency: { type: 'string' },
    period: { type: 'string', enum: ['month'] },
    scope: { type: 'string', description: 'all spend, COLUMN=VALUE or tag:KEY=VALUE' },
    thresholds: { type: 'array', items: { type: 'number' } },
    createdAt: { type: 'string' },
  },
} as const;

/** Columns or tags to group by, at most: each one is a GROUP BY term. */
const MAX_DIMENSIONS = 8;
/** Rows one report may return; the dashboard shows at most 500 groups. */
export const MAX_REPORT_ROWS = 100_000;

const dateParam = (description: string) => ({ type: 'string', maxLength: 40, description }) as const;

/** Row filters, all of them must hold: `where=ServiceCategory=Storage&where=tag:team=research`. */
const whereParam = { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 500, pattern: '^[^=]+=' }, description: 'keep rows whose column or tag:KEY equals the value (COLUMN=VALUE; repeat for more, all must hold)' } as const;

function parseWhere(list: string[] | undefined): { dim: Dimension; value: string }[] | undefined {
  if (!list?.length) return undefined;
  return list.map((w) => {
    const at = w.indexOf('=');
    return { dim: parseDimension(w.slice(0, at).trim()), value: w.slice(at + 1) };
  });
}

const reportQuery = {
  type: 'object',
  properties: {
    by: { type: 'string', maxLength: 500, description: `comma-separated FOCUS columns or tag:KEY (at most ${MAX_DIMENSIONS})`, default: 'ServiceName' },
    from: dateParam('charges starting on or after (YYYY-MM-DD or ISO 8601)'),
    to: dateParam('charges starting before'),
    granularity: { type: 'string', enum: ['day', 'month'] },
    top: { type: 'integer', minimum: 1, maximum: 10_000, description: 'keep the largest N groups of each currency; fold the rest of that currency into "(other)"' },
    where: whereParam,
  },
} as const;

const reportRow = {
  type: 'object',
  required: ['keys', 'currency', 'billedCost', 'effectiveCost', 'listCost', 'rows'],
  properties: {
    keys: { type: 'object', additionalProperties: { type: ['string', 'null'] } },
    period: { type: 'string' },
    currency: { type: 'string' },
    billedCost: moneyString,
    effectiveCost: moneyString,
    listCost: { anyOf: [moneyString, { type: 'null' }] },
    rows: { type: 'integer' },
  },
} as const;

export const billingRoutes: RegisterRoutes = (app, ctx) => {
  const fileSchema = {
    type: 'object',
    required: ['id', 'path', 'rows', 'currency', 'totals', 'countedRows'],
    properties: {
      id: { type: 'string' },
      path: { type: 'string' },
      rows: { type: 'integer' },
      currency: { type: 'string' },
      periodStart: { type: ['string', 'null'] },
      periodEnd: { type: ['string', 'null'] },
      billedTotal: moneyString,
      effectiveTotal: moneyString,
      ingestedAt: { type: 'string' },
      sha256: { type: 'string' },
      contentHash: { type: ['string', 'null'] },
      deliveryId: { type: 'string', description: 'the delivery (export run) the file is a part of; a file on its own is its own delivery (its id)' },
      totals: { type: 'array', items: { type: 'object', required: ['currency', 'rows', 'billed', 'effective'], properties: { currency: { type: 'string' }, rows: { type: 'integer' }, billed: moneyString, effective: moneyString } } },
      countedRows: { type: 'integer' },
      replacedBy: { type: 'array', items: { type: 'string' } },
      columns: { type: 'array', items: { type: 'string' } },
    },
  } as const;
  app.get('/api/billing/files', {
    schema: {
      tags: ['billing'],
      summary: 'Ingested FOCUS files with their rows, period, totals per currency and which restatements replace them',
      response: { 200: { type: 'array', items: fileSchema } },
    },
  }, async () => ctx.billing.listBillingFiles());

  app.get('/api/billing/tags', {
    schema: { tags: ['billing'], summary: 'Every tag key in the ingested charges, sorted (what `by=tag:KEY` accepts)', response: { 200: { type: 'array', items: { type: 'string' } } } },
  }, async () => ctx.billing.tagKeys());

  app.delete('/api/billing/files/:id', {
    schema: {
      tags: ['billing'],
      summary: 'Take an ingested file out in one transaction (id or a unique prefix); what it had replaced counts again',
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
      response: {
        200: { type: 'object', required: ['id', 'path', 'removedRows', 'restoredRows', 'change'], properties: { id: { type: 'string' }, path: { type: 'string' }, removedRows: { type: 'integer' }, restoredRows: { type: 'integer' }, change: { type: 'array', items: { type: 'object', properties: { currency: { type: 'string' }, effective: moneyString } } } } },
        ...problems(400, 404),
      },
    },
  }, async (req: FastifyRequest<{ Params: { id: string } }>) => {
    const r = await removeBillingFile(ctx.billing, req.params.id);
    return { id: r.file.id, path: r.file.path.split(/[\\/]/).pop(), removedRows: r.removedRows, restoredRows: r.restoredRows, change: r.change };
  });

  app.get('/api/billing/report', {
    schema: { tags: ['billing'], summary: 'Spend grouped by columns or tags, optionally per day or month (exact decimal strings)', querystring: reportQuery, response: { 200: { type: 'array', items: reportRow }, ...problems(422) } },
  }, async (req: FastifyRequest<{ Querystring: { by?: string; from?: string; to?: string; granularity?: string; top?: string; where?: string[] } }>) => {
    const q = req.query;
    const names = (q.by ?? 'ServiceName').split(',').filter((s) => s.trim());
    if (names.length > MAX_DIMENSIONS) throw new InvalidInput(`by: ${names.length} columns, at most ${MAX_DIMENSIONS}`, [{ path: 'by', message: `at most ${MAX_DIMENSIONS} columns or tags` }]);
    const by = names.map(parseDimension);
    if (q.granularity !== undefined && q.granularity !== 'day' && q.granularity !== 'month') throw new InvalidInput(`granularity must be day or month, found "${q.granularity}"`, [{ path: 'granularity', message: 'expected day or month' }]);
    const from = dateOption('from', q.from);
    const to = dateOption('to', q.to);
    const top = q.top === undefined ? undefined : Number(q.top);
    if (top !== undefined && !(Number.isInteger(top) && top >= 1)) throw new InvalidInput(`top must be a positive integer, found "${q.top}"`, [{ path: 'top', message: 'not a positive integer', found: q.top }]);
    const where = parseWhere(q.where);
    const rows = await billingReport(ctx.billing, { by, ...(from && { from }), ...(to && { to }), ...(q.granularity && { granularity: q.granularity as 'day' | 'month' }), ...(top !== undefined && { top }), ...(where && { where }) });
    if (rows.length > MAX_REPORT_ROWS) {
      throw new InvalidInput(`the report has ${rows.length} rows, over the limit of ${MAX_REPORT_ROWS}`, [{ path: 'by', message: `over ${MAX_REPORT_ROWS} rows` }], 'Group by fewer columns, give from/to, use granularity=month, or keep the largest groups with top.');
    }
    return rows.map((r) => ({ keys: Object.fromEntries(by.map((d, i) => [dimensionLabel(d), r.keys[i] ?? null])), ...(r.period && { period: r.period }), currency: r.currency, billedCost: r.billed, effectiveCost: r.effective, listCost: r.list, rows: r.rows }));
  });

  app.get('/api/billing/commitments', {
    schema: { tags: ['billing'], summary: 'Commitment discount utilisation (Used vs Unused)', querystring: { type: 'object', properties: { from: reportQuery.properties.from, to: reportQuery.properties.to, where: whereParam } }, response: { 200: { type: 'array', items: { type: 'object', required: ['commitmentId', 'used', 'unused', 'currency'], properties: { commitmentId: { type: 'string' }, used: moneyString, unused: moneyString, currency: { type: 'string' } } } } } },
  }, async (req: FastifyRequest<{ Querystring: { from?: string; to?: string; where?: string[] } }>) => {
    const from = dateOption('from', req.query.from);
    const to = dateOption('to', req.query.to);
    const where = parseWhere(req.query.where);
    return ctx.billing.commitmentUtilisation({ ...(from && { from }), ...(to && { to }), ...(where && { where }) });
  });

  app.get('/api/budgets', {
    schema: { tags: ['billing'], summary: 'The budgets of the workspace', response: { 200: { type: 'array', items: budgetSchema } } },
  }, async () => (await ctx.billing.listBudgets()).map(budgetToJson));

  app.put('/api/budgets/:name', {
    schema: {
      tags: ['billing'],
      summary: 'Set a monthly budget (create or replace), checked as `penny budget set` checks it',
      params: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 100 } } },
      body: {
        type: 'object',
        required: ['amount'],
        additionalProperties: false,
        properties: {
          amount: { type: 'string', maxLength: 60, description: 'a positive decimal, per month' },
          currency: { type: 'string', maxLength: 3, description: 'ISO 4217 (default USD)' },
          scope: { type: 'string', maxLength: 300, description: 'all (default), COLUMN=VALUE or tag:KEY=VALUE' },
          thresholds: { type: 'array', maxItems: 20, items: { type: 'number' }, description: 'alert thresholds in % of the budget (default 50, 80, 100)' },
        },
      },
      response: { 200: budgetSchema, ...problems(400, 422) },
    },
  }, async (req: FastifyRequest<{ Params: { name: string }; Body: { amount: string; currency?: string; scope?: string; thresholds?: number[] } }>) => {
    const input = budgetInput(req.params.name, req.body, { amount: 'amount', currency: 'currency', scope: 'scope', thresholds: 'thresholds' });
    return budgetToJson(await setBudget(ctx.billing, ctx.clock, input));
  });

  app.delete('/api/budgets/:name', {
    schema: {
      tags: ['billing'],
      summary: 'Remove a budget',
      params: { type: 'object', required: ['name'], properties: { name: { type: 'string', maxLength: 100 } } },
      response: { 200: { type: 'object', required: ['deleted'], properties: { deleted: { type: 'string' } } }, ...problems(404) },
    },
  }, async (req: FastifyRequest<{ Params: { name: string } }>) => {
    if (!(await ctx.billing.deleteBudget(req.params.name))) throw new NotFound(`no budget named ${JSON.stringify(req.params.name)}`, 'List them with: penny budget list (GET /api/budgets).');
    return { deleted: req.params.name };
  });

  app.get('/api/budgets/status', {
    schema: {
      tags: ['billing'],
      summary: 'Every budget: burn to date, run-rate forecast, alerts, actions when an overrun is forecast',
      querystring: { type: 'object', properties: { at: dateParam('the date to report at (default: the end of the last charge)') } },
      description: 'A budget that cannot be measured (its scope or currency matches no billing data in its period) is listed after the others with a problem saying why and how to fix it; the other budgets are measured as usual.',
      response: { 200: { type: 'array', items: { anyOf: [invalidBudgetSchema, { type: 'object', required: ['name', 'currency', 'amount', 'period', 'spent', 'spentShare', 'forecast', 'forecastShare', 'overrun', 'alerts', 'actions', 'closesGap'], properties: { name: { type: 'string' }, scope: { type: 'string' }, forecastMethod: { type: 'string' }, notes: { type: 'array', items: { type: 'string' } }, currency: { type: 'string' }, amount: moneyString, spent: moneyString, forecast: moneyString, overrun: moneyString, spentShare: { type: 'number' }, forecastShare: { type: 'number' }, period: { type: 'object', required: ['start', 'end', 'asOf'], properties: { start: { type: 'string' }, end: { type: 'string' }, asOf: { type: 'string' } } }, alerts: { type: 'array', items: { type: 'object', required: ['threshold', 'kind'], properties: { threshold: { type: 'number' }, kind: { type: 'string', enum: ['actual', 'forecast'] }, amount: moneyString } } }, actions: { type: 'array', items: { type: 'object', required: ['id', 'title', 'saving', 'effort', 'basis', 'closesCumulative'], properties: { id: { type: 'string' }, title: { type: 'string' }, saving: moneyString, effort: { type: 'string' }, basis: { type: 'string' }, closesCumulative: { type: 'number', description: 'share of the overrun closed by this action and those before it' }, alternatives: { type: 'array', items: { type: 'object', required: ['id', 'title', 'saving'], properties: { id: { type: 'string' }, title: { type: 'string' }, saving: moneyString } } } } } }, closesGap: { type: 'boolean' } } }] } }, ...problems(422) },
    },
  }, async (req: FastifyRequest<{ Querystring: { at?: string } }>) => {
    const at = dateOption('at', req.query.at);
    const billing = ctx.billing;
    if ((await billing.listBudgets()).length === 0) return [];
    if (!at && !(await billing.lastChargeEnd())) return [];
    const r = await budgetReport(ctx.store, billing, { ...(at && { at }), telemetry: ctx.telemetry });
    return [...r.statuses.map(budgetStatusToJson), ...r.invalid.map(invalidBudgetToJson)];
  });
};
