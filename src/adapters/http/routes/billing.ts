/** Billing: spend grouped by any FOCUS column or tag over time, commitments, budgets. */
import { dateOption } from '../../importers/timestamp.js';
import type { FastifyRequest } from 'fastify';
import { billingReport, budgetStatusToJson, budgetStatuses, dimensionLabel, parseDimension, removeBillingFile } from '../../../app/billing.js';
import { InvalidInput } from '../../../core/errors.js';
import type { RouteContext } from '../server.js';
import { moneyString, problems, type RegisterRoutes } from './types.js';



/** Columns or tags to group by, at most: each one is a GROUP BY term. */
const MAX_DIMENSIONS = 8;
/** Rows one report may return; the dashboard shows at most 500 groups. */
export const MAX_REPORT_ROWS = 100_000;

const dateParam = (description: string) => ({ type: 'string', maxLength: 40, description }) as const;

const reportQuery = {
  type: 'object',
  properties: {
    by: { type: 'string', maxLength: 500, description: `comma-separated FOCUS columns or tag:KEY (at most ${MAX_DIMENSIONS})`, default: 'ServiceName' },
    from: dateParam('charges starting on or after (YYYY-MM-DD or ISO 8601)'),
    to: dateParam('charges starting before'),
    granularity: { type: 'string', enum: ['day', 'month'] },
    top: { type: 'integer', minimum: 1, maximum: 10_000, description: 'keep the largest N groups; fold the rest into "(other)"' },
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
  }, async (req: FastifyRequest<{ Querystring: { by?: string; from?: string; to?: string; granularity?: string; top?: string } }>) => {
    const q = req.query;
    const names = (q.by ?? 'ServiceName').split(',').filter((s) => s.trim());
    if (names.length > MAX_DIMENSIONS) throw new InvalidInput(`by: ${names.length} columns, at most ${MAX_DIMENSIONS}`, [{ path: 'by', message: `at most ${MAX_DIMENSIONS} columns or tags` }]);
    const by = names.map(parseDimension);
    if (q.granularity !== undefined && q.granularity !== 'day' && q.granularity !== 'month') throw new InvalidInput(`granularity must be day or month, found "${q.granularity}"`, [{ path: 'granularity', message: 'expected day or month' }]);
    const from = dateOption('from', q.from);
    const to = dateOption('to', q.to);
    const top = q.top === undefined ? undefined : Number(q.top);
    if (top !== undefined && !(Number.isInteger(top) && top >= 1)) throw new InvalidInput(`top must be a positive integer, found "${q.top}"`, [{ path: 'top', message: 'not a positive integer', found: q.top }]);
    const rows = await billingReport(ctx.billing, { by, ...(from && { from }), ...(to && { to }), ...(q.granularity && { granularity: q.granularity as 'day' | 'month' }), ...(top !== undefined && { top }) });
    if (rows.length > MAX_REPORT_ROWS) {
      throw new InvalidInput(`the report has ${rows.length} rows, over the limit of ${MAX_REPORT_ROWS}`, [{ path: 'by', message: `over ${MAX_REPORT_ROWS} rows` }], 'Group by fewer columns, give from/to, use granularity=month, or keep the largest groups with top.');
    }
    return rows.map((r) => ({ keys: Object.fromEntries(by.map((d, i) => [dimensionLabel(d), r.keys[i] ?? null])), ...(r.period && { period: r.period }), currency: r.currency, billedCost: r.billed, effectiveCost: r.effective, listCost: r.list, rows: r.rows }));
  });

  app.get('/api/billing/commitments', {
    schema: { tags: ['billing'], summary: 'Commitment discount utilisation (Used vs Unused)', querystring: { type: 'object', properties: { from: reportQuery.properties.from, to: reportQuery.properties.to } }, response: { 200: { type: 'array', items: { type: 'object', required: ['commitmentId', 'used', 'unused', 'currency'], properties: { commitmentId: { type: 'string' }, used: moneyString, unused: moneyString, currency: { type: 'string' } } } } } },
  }, async (req: FastifyRequest<{ Querystring: { from?: string; to?: string } }>) => {
    const from = dateOption('from', req.query.from);
    const to = dateOption('to', req.query.to);
    return ctx.billing.commitmentUtilisation({ ...(from && { from }), ...(to && { to }) });
  });

  app.get('/api/budgets/status', {
    schema: {
      tags: ['billing'],
      summary: 'Every budget: burn to date, run-rate forecast, alerts, actions when an overrun is forecast',
      querystring: { type: 'object', properties: { at: dateParam('the date to report at (default: the end of the last charge)') } },
      response: { 200: { type: 'array', items: { type: 'object', required: ['name', 'currency', 'amount', 'period', 'spent', 'spentShare', 'forecast', 'forecastShare', 'overrun', 'alerts', 'actions', 'closesGap'], properties: { name: { type: 'string' }, scope: { type: 'string' }, forecastMethod: { type: 'string' }, notes: { type: 'array', items: { type: 'string' } }, currency: { type: 'string' }, amount: moneyString, spent: moneyString, forecast: moneyString, overrun: moneyString, spentShare: { type: 'number' }, forecastShare: { type: 'number' }, period: { type: 'object', required: ['start', 'end', 'asOf'], properties: { start: { type: 'string' }, end: { type: 'string' }, asOf: { type: 'string' } } }, alerts: { type: 'array', items: { type: 'object', required: ['threshold', 'kind'], properties: { threshold: { type: 'number' }, kind: { type: 'string', enum: ['actual', 'forecast'] }, amount: moneyString } } }, actions: { type: 'array', items: { type: 'object', required: ['id', 'title', 'saving', 'effort', 'basis', 'closesCumulative'], properties: { id: { type: 'string' }, title: { type: 'string' }, saving: moneyString, effort: { type: 'string' }, basis: { type: 'string' }, closesCumulative: { type: 'number', description: 'share of the overrun closed by this action and those before it' }, alternatives: { type: 'array', items: { type: 'object', required: ['id', 'title', 'saving'], properties: { id: { type: 'string' }, title: { type: 'string' }, saving: moneyString } } } } } }, closesGap: { type: 'boolean' } } } }, ...problems(422) },
    },
  }, async (req: FastifyRequest<{ Querystring: { at?: string } }>) => {
    const at = dateOption('at', req.query.at);
    const billing = ctx.billing;
    if ((await billing.listBudgets()).length === 0) return [];
    if (!at && !(await billing.lastChargeEnd())) return [];
    return (await budgetStatuses(ctx.store, billing, { ...(at && { at }), telemetry: ctx.telemetry })).map(budgetStatusToJson);
  });
};
