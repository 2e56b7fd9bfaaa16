/** GPU fleet: utilisation per GPU over time, energy, idle time and cost, waste findings. */
import type { FastifyRequest } from 'fastify';
import { gpuUsageReport, gpuWasteReport, ownedGpuPrices } from '../../../app/telemetry.js';
import { usageReportToJson, wasteReportToJson } from '../../../app/telemetry-json.js';
import { InvalidInput } from '../../../core/errors.js';
import { SqlTelemetryStore } from '../../store/sql-telemetry-store.js';
import type { SqlStore } from '../../store/sql-store.js';
import type { RouteContext } from '../server.js';
import { problems, type RegisterRoutes } from './types.js';

const telemetryOf = (ctx: RouteContext) => new SqlTelemetryStore((ctx.store as SqlStore).session);

function intervalMs(v: string | undefined): number {
  const m = /^(\d+)(s|m|h)$/.exec(v ?? '15m');
  if (!m) throw new InvalidInput(`interval "${v}" is not a duration such as 30s, 15m or 1h`, [{ path: 'interval', message: 'not a duration', found: v }]);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
}

export const gpuRoutes: RegisterRoutes = (app, ctx) => {
  app.get('/api/gpus/usage', {
    schema: {
      tags: ['gpus'],
      summary: 'Per GPU and interval: busy share, mean utilisation, energy kWh, idle time and cost (empty when no telemetry)',
      querystring: { type: 'object', properties: { interval: { type: 'string', default: '15m' } } },
      response: { 200: { type: 'object', required: ['gpus', 'periods'], properties: { options: { type: 'object' }, gpus: { type: 'array' }, periods: { type: 'array' } } }, ...problems(422) },
    },
  }, async (req: FastifyRequest<{ Querystring: { interval?: string } }>) => {
    const store = telemetryOf(ctx);
    const ms = intervalMs(req.query.interval);
    if ((await store.listGpus()).length === 0) return { gpus: [], periods: [] };
    return usageReportToJson(await gpuUsageReport(store, { intervalMs: ms, owned: await ownedGpuPrices(ctx.store) }));
  });

  app.get('/api/gpus/waste', {
    schema: {
      tags: ['gpus'],
      summary: 'Idle and under-used GPUs with recommendations and their monthly saving (empty when no telemetry)',
      response: { 200: { type: 'object', required: ['gpus', 'recommendations', 'savingTotal'], properties: { options: { type: 'object' }, gpus: { type: 'array' }, recommendations: { type: 'array' }, savingTotal: { type: 'string', description: 'monthly saving in the report currency, the best of each set of alternatives only (never adds MIG sharing, a smaller GPU and spot for the same hours)' }, savingTotals: { type: 'array', items: { type: 'object', properties: { currency: { type: 'string' }, saving: { type: 'string' } } } } } } },
    },
  }, async () => {
    const store = telemetryOf(ctx);
    if ((await store.listGpus()).length === 0) return { gpus: [], recommendations: [], savingTotal: '0', savingTotals: [] };
    return wasteReportToJson(await gpuWasteReport(store, { owned: await ownedGpuPrices(ctx.store) }));
  });
};
