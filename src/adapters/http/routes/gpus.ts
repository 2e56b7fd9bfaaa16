/** GPU fleet: utilisation per GPU over time, energy, idle time and cost, waste findings. */
import type { FastifyRequest } from 'fastify';
import { gpuUsageReport, gpuWasteReport, ownedGpuPrices, type TelemetryReportOptions } from '../../../app/telemetry.js';
import { gpuBusySlots } from '../../../app/spend-series.js';
import { usageReportToJson, wasteReportToJson } from '../../../app/telemetry-json.js';
import { InvalidInput } from '../../../core/errors.js';
import { timeOptionMs } from '../../importers/timestamp.js';
import { dec, isCurrencyCode } from '../../../core/money.js';
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

const usageGpu = { ...gpuInfoSchema, properties: { ...gpuInfoSchema.properties, price: { anyOf: [gpuPriceSchema, { type: 'null' }] }, utilisation: { type: 'array', items: { type: ['number', 'null'] }, description: 'mean utilisation.gpu (%) in 40 equal cells over the GPU\'s whole range, null where no sample (a sparkline)' } } } as const;

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

/**
 * The thresholds and prices a report takes, as `penny gpu usage|waste` flags do (in seconds and
 * percent, the names the report's `options` carry back): the CLI beside a running server sends
 * them, so its output matches a local run.
 */
const reportQueryProperties = {
  from: { type: 'string', description: 'start (ISO 8601)' },
  to: { type: 'string', description: 'end (ISO 8601)' },
  maxGapS: { type: 'number', exclusiveMinimum: 0, description: 'longer sample intervals are gaps, not bridged (default 60)' },
  idleUtilPct: { type: 'number', minimum: 0, maximum: 100, description: 'a sample is idle at or below this utilisation.gpu (default 0)' },
  minIdleS: { type: 'number', exclusiveMinimum: 0, description: 'an idle period lasts at least this long (default 600)' },
  pricePerKwh: { type: 'string', pattern: '^\\d{1,12}(\\.\\d{1,12})?$', description: 'electricity price per kWh (facility meter)' },
  pue: { type: 'string', pattern: '^\\d(\\.\\d{1,6})?$', description: 'power usage effectiveness, 1 to 5' },
  currency: { type: 'string', pattern: '^[A-Za-z]{3}$', description: 'ISO 4217 currency of the prices given (default USD)' },
  gpuPricePerHour: { type: 'string', pattern: '^\\d{1,12}(\\.\\d{1,12})?$', description: 'hourly price of one GPU (default: a dated public price per model, or the workspace\'s cost model for owned GPUs)' },
} as const;

type ReportQuery = { from?: string; to?: string; maxGapS?: number; idleUtilPct?: number; minIdleS?: number; pricePerKwh?: string; pue?: string; currency?: string; gpuPricePerHour?: string };

function reportOptionsFromQuery(q: ReportQuery): TelemetryReportOptions {
  const o: TelemetryReportOptions = {};
  if (q.from !== undefined) o.fromMs = timeOptionMs(q.from, 'from');
  if (q.to !== undefined) o.toMs = timeOptionMs(q.to, 'to');
  if (o.fromMs !== undefined && o.toMs !== undefined && o.fromMs >= o.toMs) throw new InvalidInput('from must be before to', [{ path: 'from', message: 'not before to', found: q.from }]);
  if (q.maxGapS !== undefined) o.maxGapS = q.maxGapS;
  if (q.idleUtilPct !== undefined) o.idleUtilPct = q.idleUtilPct;
  if (q.minIdleS !== undefined) o.minIdleS = q.minIdleS;
  if (q.pricePerKwh !== undefined) o.pricePerKwh = dec(q.pricePerKwh);
  if (q.pue !== undefined) {
    const pue = dec(q.pue);
    if (pue.lt(1) || pue.gt(5)) throw new InvalidInput(`pue ${q.pue} is outside 1 to 5`, [{ path: 'pue', message: 'expected 1 to 5', found: q.pue }]);
    o.pue = pue;
  }
  if (q.currency !== undefined) {
    const c = q.currency.toUpperCase();
    if (!isCurrencyCode(c)) throw new InvalidInput(`currency "${q.currency}" is not an ISO 4217 code`, [{ path: 'currency', message: 'not an ISO 4217 code', found: q.currency }], 'e.g. USD, EUR, JPY');
    o.currency = c;
  }
  if (q.gpuPricePerHour !== undefined) o.gpuPricePerHour = dec(q.gpuPricePerHour);
  return o;
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
      querystring: { type: 'object', properties: { interval: { type: 'string', default: '15m', pattern: '^(\\d{1,9}(s|m|h|d)|whole)$', description: `length of each period, 1m to 366d (e.g. 15m, 1h, 1d), or \`whole\` for one period over the whole range; at most ${MAX_USAGE_POINTS} GPU × period points` }, ...reportQueryProperties } },
      response: { 200: { type: 'object', required: ['options', 'gpus', 'periods'], properties: { options: telemetryOptions, gpus: { type: 'array', items: usageGpu }, periods: { type: 'array', items: usagePeriod } } }, ...problems(422) },
    },
  }, async (req: FastifyRequest<{ Querystring: ReportQuery & { interval?: string } }>) => {
    const store = ctx.telemetry;
    const interval = req.query.interval ?? '15m';
    const ms = interval === 'whole' ? undefined : intervalMs(interval);
    const o = reportOptionsFromQuery(req.query);
    if (ms !== undefined) {
      const points = await usagePoints(ctx, ms);
      if (points > MAX_USAGE_POINTS) {
        throw new InvalidInput(`interval "${interval}" would give ${points} GPU × period points, over the limit of ${MAX_USAGE_POINTS}`, [{ path: 'interval', message: `over ${MAX_USAGE_POINTS} points`, found: interval }], 'Ask for a longer interval.');
      }
    }
    return usageReportToJson(await gpuUsageReport(store, { ...o, ...(ms !== undefined && { intervalMs: ms }), owned: await ownedGpuPrices(ctx.store) }));
  });

  app.get('/api/gpus/busy', {
    schema: {
      tags: ['gpus'],
      summary: 'GPUs busy per interval (the sum over GPUs of each one\'s mean utilisation): the series `penny forecast gpu` forecasts',
      querystring: { type: 'object', properties: { interval: { type: 'string', default: '1h', pattern: '^\\d{1,9}(s|m|h|d)$', description: 'slot length, 1m to 366d' } } },
      response: { 200: { type: 'object', required: ['intervalMs', 'slots'], properties: { intervalMs: { type: 'number' }, slots: { type: 'array', items: { type: 'object', required: ['t', 'value'], properties: { t: { type: 'number', description: 'slot start, ms since the epoch' }, value: { type: 'number' } } } } } }, ...problems(422) },
    },
  }, async (req: FastifyRequest<{ Querystring: { interval?: string } }>) => {
    const interval = req.query.interval ?? '1h';
    const ms = intervalMs(interval);
    const points = await usagePoints(ctx, ms);
    if (points > MAX_USAGE_POINTS) throw new InvalidInput(`interval "${interval}" would give ${points} GPU × slot points, over the limit of ${MAX_USAGE_POINTS}`, [{ path: 'interval', message: `over ${MAX_USAGE_POINTS} points`, found: interval }], 'Ask for a longer interval.');
    return { intervalMs: ms, slots: await gpuBusySlots(ctx.telemetry, ms) };
  });

  app.get('/api/gpus/waste', {
    schema: {
      tags: ['gpus'],
      summary: 'Idle and under-used GPUs with recommendations and their monthly saving (empty when no telemetry)',
      querystring: {
        type: 'object',
        properties: {
          ...reportQueryProperties,
          lowUtilPct: { type: 'number', minimum: 0, maximum: 100, description: 'under-used below this mean utilisation while busy (default 40)' },
          lowMemPct: { type: 'number', minimum: 0, maximum: 100, description: 'under-used also when peak memory stays below this share of the GPU (default 25)' },
          autostopAfterS: { type: 'number', exclusiveMinimum: 0, description: 'autostop timeout to price (default: minIdleS)' },
        },
      },
      response: { 200: { type: 'object', required: ['options', 'gpus', 'recommendations', 'savingTotal', 'savingTotals'], properties: { options: { ...telemetryOptions, description: 'the thresholds the findings used', properties: { ...telemetryOptions.properties, lowUtilPct: { type: 'number' }, lowMemPct: { type: 'number' }, autostopAfterS: { type: 'number' }, hoursPerMonth: { type: 'number' } } }, gpus: { type: 'array', items: wasteGpu }, recommendations: { type: 'array', items: recommendationSchema }, savingTotal: { type: 'string', description: 'monthly saving in the report currency, the best of each set of alternatives only (never adds MIG sharing, a smaller GPU and spot for the same hours)' }, savingTotals: { type: 'array', items: { type: 'object', required: ['currency', 'saving'], properties: { currency: { type: 'string' }, saving: { type: 'string' } } } }, notes: { type: 'array', items: { type: 'string' }, description: 'what the findings do not cover (time compacted into roll-ups)' } } }, ...problems(422) },
    },
  }, async (req: FastifyRequest<{ Querystring: ReportQuery & { lowUtilPct?: number; lowMemPct?: number; autostopAfterS?: number } }>) => {
    const store = ctx.telemetry;
    const q = req.query;
    const o = reportOptionsFromQuery(q);
    return wasteReportToJson(await gpuWasteReport(store, { ...o, ...(q.lowUtilPct !== undefined && { lowUtilPct: q.lowUtilPct }), ...(q.lowMemPct !== undefined && { lowMemPct: q.lowMemPct }), ...(q.autostopAfterS !== undefined && { autostopAfterS: q.autostopAfterS }), owned: await ownedGpuPrices(ctx.store) }));
  });
};
