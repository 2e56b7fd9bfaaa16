/** GPU fleet: utilisation per GPU over time, energy, idle time and cost, waste findings. */
import type { FastifyRequest } from 'fastify';
import { gpuUsageReport, gpuWasteReport, ownedGpuPrices } from '../../../app/telemetry.js';
import { usageReportToJson, wasteReportToJson } from '../../../app/telemetry-json.js';
import { InvalidInput } from '../../../core/errors.js';
import { MAX_USAGE_INTERVAL_MS, MAX_USAGE_POINTS, MIN_USAGE_INTERVAL_MS } from '../limits.js';
import type { RouteContext } from '../server.js';
import { gpuInfoSchema, gpuPriceSchema, moneyString, problems, recommendationSchema, type RegisterRoutes } from './types.js';

/** The options a telemetry report used (interval, idle threshold, PUE, currency). */
const telemetryOptions = {
  type: 'object',
  description: 'the options the report used (interval, idle threshold, PUE, currency)',
  required: ['maxGapS', 'idleUtilPct', 'minIdleS', 'pue', 'currency'],
  properties: { from: { type: 'string' }, to: { type: 'string' }, intervalMs: { type: 'number' }, maxGapS: { type: 'number' }, idleUtilPct: { type: 'number' }, minIdleS: { type: 'number' }, pricePerKwh: moneyString, pue: { type: 'string' }, currency: { type: 'string' } },
} as const;

const usagePeriod = {
  type: 'object',
  required: ['gpuId', 'start', 'end', 'busyFraction', 'energyKwh', 'idleS', 'idleCost'],
  properties: {
    gpuId: { type: 'string' },
    start: { type: 'string' },
    end: { type: 'string' },
    startMs: { type: 'number' },
    endMs: { type: 'number' },
    samples: { type: 'integer' },
    observedS: { type: 'number' },
    busyS: { type: 'number' },
    busyFraction: { type: 'number' },
    meanUtilPct: { type: ['number', 'null'] },
    peakMemUsedMiB: { type: ['number', 'null'] },
    energyKwh: { type: 'number' },
    idleS: { type: 'number' },
    idleEnergyKwh: { type: ['number', 'null'] },
    idleCost: { type: ['string', 'null'] },
    gapS: { type: 'number' },
  },
} as const;

const usageGpu = { ...gpuInfoSchema, properties: { ...gpuInfoSchema.properties, price: { anyOf: [gpuPriceSchema, { type: 'null' }] } } } as const;

const wasteGpu = {
  type: 'object',
  required: ['gpu', 'price', 'observedS', 'idleS', 'busyS', 'meanUtilBusyPct', 'peakMemUsedMiB', 'underUsed', 'idlePeriods', 'lowUseSpells'],
  properties: { gpu: gpuInfoSchema, price: { anyOf: [gpuPriceSchema, { type: 'null' }] }, observedS: { type: 'number' }, idleS: { type: 'number' }, busyS: { type: 'number' }, meanUtilBusyPct: { type: ['number', 'null'] }, peakMemUsedMiB: { type: ['number', 'null'] }, underUsed: { type: 'boolean' }, idlePeriods: { type: 'array' }, lowUseSpells: { type: 'array' } },
} as const;


const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function intervalMs(v: string): number {
  const m = /^(\d{1,9})(s|m|h|d)$/.exec(v);
  if (!m) throw new InvalidInput(`interval "${v}" is not a duration such as 15m, 1h or 1d`, [{ path: 'interval', message: 'not a duration', found: v }]);
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  if (ms < MIN_USAGE_INTERVAL_MS || ms > MAX_USAGE_INTERVAL_MS) {
    throw new InvalidInput(`interval "${v}" is outside 1m to 366d`, [{ path: 'interval', message: `must be from 1m to 366d`, found: v }], 'Telemetry is summarised per interval; ask for 1m or longer.');
  }
  return ms;
}

/** Points (GPU × interval) a usage report would hold, from each GPU's first and last sample. */
async function usagePoints(ctx: RouteContext, ms: number): Promise<number> {
  const spans = await ctx.telemetry.sampleSpans();
  return spans.reduce((n, r) => n + Math.floor((r.lastMs - r.firstMs) / ms) + 1, 0);
}

export const gpuRoutes: RegisterRoutes = (app, ctx) => {
  app.get('/api/gpus/usage', {
    schema: {
      tags: ['gpus'],
      summary: 'Per GPU and interval: busy share, mean utilisation, energy kWh, idle time and cost (empty when no telemetry)',
      querystring: { type: 'object', properties: { interval: { type: 'string', default: '15m', pattern: '^\\d{1,9}(s|m|h|d)$', description: `length of each period, 1m to 366d (e.g. 15m, 1h, 1d); at most ${MAX_USAGE_POINTS} GPU × period points` } } },
      response: { 200: { type: 'object', required: ['options', 'gpus', 'periods'], properties: { options: telemetryOptions, gpus: { type: 'array', items: usageGpu }, periods: { type: 'array', items: usagePeriod } } }, ...problems(422) },
    },
  }, async (req: FastifyRequest<{ Querystring: { interval?: string } }>) => {
    const store = ctx.telemetry;
    const ms = intervalMs(req.query.interval ?? '15m');
    if ((await store.listGpus()).length === 0) return { gpus: [], periods: [] };
    const points = await usagePoints(ctx, ms);
    if (points > MAX_USAGE_POINTS) {
      throw new InvalidInput(`interval "${req.query.interval}" would give ${points} GPU × period points, over the limit of ${MAX_USAGE_POINTS}`, [{ path: 'interval', message: `over ${MAX_USAGE_POINTS} points`, found: req.query.interval }], 'Ask for a longer interval.');
    }
    return usageReportToJson(await gpuUsageReport(store, { intervalMs: ms, owned: await ownedGpuPrices(ctx.store) }));
  });

  app.get('/api/gpus/waste', {
    schema: {
      tags: ['gpus'],
      summary: 'Idle and under-used GPUs with recommendations and their monthly saving (empty when no telemetry)',
      response: { 200: { type: 'object', required: ['options', 'gpus', 'recommendations', 'savingTotal', 'savingTotals'], properties: { options: { ...telemetryOptions, description: 'the thresholds the findings used', properties: { ...telemetryOptions.properties, lowUtilPct: { type: 'number' }, lowMemPct: { type: 'number' }, autostopAfterS: { type: 'number' }, hoursPerMonth: { type: 'number' } } }, gpus: { type: 'array', items: wasteGpu }, recommendations: { type: 'array', items: recommendationSchema }, savingTotal: { type: 'string', description: 'monthly saving in the report currency, the best of each set of alternatives only (never adds MIG sharing, a smaller GPU and spot for the same hours)' }, savingTotals: { type: 'array', items: { type: 'object', required: ['currency', 'saving'], properties: { currency: { type: 'string' }, saving: { type: 'string' } } } }, notes: { type: 'array', items: { type: 'string' }, description: 'what the findings do not cover (time compacted into roll-ups)' } } } },
    },
  }, async () => {
    const store = ctx.telemetry;
    if ((await store.listGpus()).length === 0) return { gpus: [], recommendations: [], savingTotal: '0', savingTotals: [] };
    return wasteReportToJson(await gpuWasteReport(store, { owned: await ownedGpuPrices(ctx.store) }));
  });
};
