/**
 * Inference serving over HTTP: a request trace in the body (the generic CSV's fields as JSON),
 * every balancer × autoscaler simulated against the SLO with the fixed-for-peak baseline, and the
 * replica plan. A request may not make the server read files, so trace files stay with the CLI.
 * The trace is capped so one call holds the event loop for a bounded amount of work.
 */
import { replicaPrice, runServing, servingToJson, type ReplicaPrice } from '../../../app/serving.js';
import { builtinCatalog } from '../../../core/catalog/builtin.js';
import { InvalidInput } from '../../../core/errors.js';
import { Decimal } from '../../../core/money.js';
import { AUTOSCALER_NAMES } from '../../../core/serving/autoscale.js';
import { defaultProfiles, deriveProfile } from '../../../core/serving/replica.js';
import { BALANCER_NAMES, type BalancerName } from '../../../core/serving/simulate.js';
import { workloadFromRows } from '../../../core/serving/workload.js';
import { parseTimestamp } from '../../importers/timestamp.js';
import { moneyString, problems, type RegisterRoutes } from './types.js';

export const MAX_SERVING_REQUESTS = 20_000;
const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const int = { type: 'integer' } as const;
const open = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: true, required, properties }) as const;
const pcts = open({ mean: { type: ['number', 'null'] }, p50: { type: ['number', 'null'] }, p90: { type: ['number', 'null'] }, p99: { type: ['number', 'null'] }, max: { type: ['number', 'null'] } }, ['mean', 'p50', 'p90', 'p99', 'max']);
const resultSchema = open(
  {
    balancer: str,
    autoscaler: str,
    requests: int,
    served: int,
    dropped: open({ total: int, timeout: int, tooLong: int, retries: int }, ['total', 'timeout', 'tooLong', 'retries']),
    retries: int,
    preemptions: int,
    launches: open({ onDemand: int, spot: int }),
    peakReplicas: int,
    tokens: open({ asked: int, served: int, dropped: int }),
    ttftS: pcts,
    tpotS: pcts,
    e2eS: pcts,
    sloAttainment: num,
    sloMet: { type: 'boolean' },
    replicaHours: open({ onDemand: num, spot: num }, ['onDemand', 'spot']),
    costUsd: open({ onDemand: moneyString, spot: moneyString, total: moneyString, perThousandRequests: moneyString }, ['total']),
    savingVsBaseline: { type: ['number', 'null'] },
    adapterHitRate: { type: ['number', 'null'] },
    checks: open({ requestsConserved: { type: 'boolean' }, tokensConserved: { type: 'boolean' } }),
    endS: num,
    events: int,
  },
  ['balancer', 'autoscaler', 'requests', 'served', 'dropped', 'tokens', 'ttftS', 'tpotS', 'sloAttainment', 'sloMet', 'replicaHours', 'costUsd', 'preemptions', 'retries'],
);
const priceSchema = open({ onDemandUsdPerHour: moneyString, spotUsdPerHour: { anyOf: [moneyString, { type: 'null' }] }, source: str });
const servingSchema = open(
  {
    workload: open({ name: str, requests: int, durationS: num, meanRatePerS: num }, ['name', 'requests', 'durationS', 'meanRatePerS']),
    profile: open({ model: str, gpu: str, gpusPerReplica: int }, ['model', 'gpu', 'gpusPerReplica']),
    price: priceSchema,
    slo: open({ ttftS: num, attainment: num }),
    intervalS: num,
    capacityPerReplicaPerS: num,
    capacityAtSloPerS: num,
    fixedPeakReplicas: int,
    floors: { type: 'object', additionalProperties: int },
    forecast: open({ model: str, note: str }),
    baseline: open({ balancer: str, autoscaler: str }, ['balancer', 'autoscaler']),
    results: { type: 'array', items: resultSchema },
    plan: { anyOf: [open({ profile: open({ model: str, gpu: str, gpusPerReplica: int }, ['model', 'gpu', 'gpusPerReplica']), price: priceSchema, targetUtilisation: num, perInterval: { type: 'array', items: open({ onDemand: int, spot: int }, ['onDemand', 'spot']) }, rounds: { type: 'array', items: open({}) }, result: resultSchema }, ['profile', 'price', 'targetUtilisation', 'perInterval', 'rounds', 'result']), { type: 'null' }] },
    notes: { type: 'array', items: str },
  },
  ['workload', 'profile', 'price', 'slo', 'intervalS', 'fixedPeakReplicas', 'results', 'baseline', 'plan', 'notes'],
);

interface Body {
  model?: string;
  gpu?: string;
  gpus?: number;
  provider?: string;
  onDemandUsdPerHour?: string;
  spotUsdPerHour?: string;
  sloTtftS?: number;
  sloAttainment?: number;
  intervalS?: number;
  balancers?: BalancerName[];
  autoscalers?: string[];
  plan?: boolean;
  seed?: number;
  spot?: { gapS: number; available: number[]; offsetS?: number };
  requests: { time: string | number; contextTokens: number; generatedTokens: number; adapter?: string }[];
}

export const servingRoutes: RegisterRoutes = (app, ctx) => {
  app.post('/api/serving', {
    schema: {
      tags: ['serving'],
      summary: 'Inference serving at least cost: every load balancer × autoscaler on a request trace against a TTFT SLO, the fixed-for-peak baseline and the replica plan (docs/serving.md)',
      body: {
        type: 'object',
        required: ['requests'],
        additionalProperties: false,
        properties: {
          model: str,
          gpu: str,
          gpus: { type: 'integer', minimum: 1, maximum: 64 },
          provider: str,
          onDemandUsdPerHour: { type: 'string', pattern: '^\\d+(\\.\\d+)?$' },
          spotUsdPerHour: { type: 'string', pattern: '^\\d+(\\.\\d+)?$' },
          sloTtftS: { type: 'number', exclusiveMinimum: 0 },
          sloAttainment: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
          intervalS: { type: 'number', minimum: 1, maximum: 86_400 },
          balancers: { type: 'array', minItems: 1, items: { type: 'string', enum: [...BALANCER_NAMES] } },
          autoscalers: { type: 'array', minItems: 1, items: { type: 'string', enum: [...AUTOSCALER_NAMES] } },
          plan: { type: 'boolean', description: 'solve and simulate the replica plan (default true)' },
          seed: { type: 'integer', minimum: 0 },
          spot: { type: 'object', required: ['gapS', 'available'], additionalProperties: false, properties: { gapS: { type: 'number', exclusiveMinimum: 0 }, available: { type: 'array', minItems: 1, maxItems: 1_000_000, items: { type: 'integer', minimum: 0 } }, offsetS: { type: 'number', minimum: 0 } } },
          requests: {
            type: 'array',
            minItems: 1,
            maxItems: MAX_SERVING_REQUESTS,
            items: {
              type: 'object',
              required: ['time', 'contextTokens', 'generatedTokens'],
              additionalProperties: false,
              properties: { time: { anyOf: [str, num] }, contextTokens: { type: 'integer', minimum: 0 }, generatedTokens: { type: 'integer', minimum: 1 }, adapter: str },
            },
          },
        },
      },
      response: { 200: servingSchema, ...problems(400, 413, 415, 422) },
    },
  }, async (req) => {
    const b = req.body as Body;
    const adapters = new Map<string, number>();
    const rows = b.requests.map((r, i) => {
      const tMs = typeof r.time === 'number' ? r.time * 1000 : parseTimestamp(r.time);
      if (!Number.isFinite(tMs)) throw new InvalidInput(`requests[${i}].time is not a time`, [{ path: `requests[${i}].time`, message: 'expected ISO 8601 or seconds', found: String(r.time) }], 'Give times as ISO 8601 (2026-01-05T09:00:00Z) or seconds from the start.');
      let adapter: number | undefined;
      if (r.adapter !== undefined) {
        adapter = adapters.get(r.adapter);
        if (adapter === undefined) adapters.set(r.adapter, (adapter = adapters.size));
      }
      return { tMs, contextTokens: r.contextTokens, generatedTokens: r.generatedTokens, ...(adapter !== undefined && { adapter }) };
    });
    const workload = workloadFromRows('requests', rows);
    const model = b.model ?? 'llama-3-8b';
    const profile = deriveProfile(model, b.gpu ?? 'A100', b.gpus);
    const catalog = builtinCatalog();
    const fromCatalog = replicaPrice(catalog, profile, b.provider);
    const od = b.onDemandUsdPerHour ? new Decimal(b.onDemandUsdPerHour) : fromCatalog?.onDemandUsdPerHour;
    if (!od) throw new InvalidInput(`no catalog price for ${profile.gpu}`, [{ path: 'gpu', message: 'no offering of this GPU type in the catalog', found: profile.gpu }], 'Give onDemandUsdPerHour (and spotUsdPerHour), or another gpu or provider.');
    const spot = b.spotUsdPerHour ? new Decimal(b.spotUsdPerHour) : fromCatalog?.spotUsdPerHour;
    const price: ReplicaPrice = { onDemandUsdPerHour: od, ...(spot && { spotUsdPerHour: spot }), source: b.onDemandUsdPerHour ? 'given in the request' : fromCatalog!.source };
    const plan = b.plan !== false;
    const planCandidates = plan && !b.onDemandUsdPerHour ? defaultProfiles().filter((c) => c.model === model).flatMap((c) => { const p = replicaPrice(catalog, c, b.provider); return p ? [{ profile: c, price: p }] : []; }) : [{ profile, price }];
    const outcome = await runServing({
      workload,
      profile,
      price,
      planCandidates,
      slo: { ttftS: b.sloTtftS ?? 2, attainment: b.sloAttainment ?? 0.99 },
      intervalS: b.intervalS ?? 60,
      ...(b.balancers && { balancers: b.balancers }),
      ...(b.autoscalers && { autoscalers: b.autoscalers }),
      seed: b.seed ?? 1,
      ...(b.spot && { spot: { name: 'request', gapS: b.spot.gapS, available: b.spot.available }, spotOffsetS: b.spot.offsetS ?? 0 }),
      ...(plan && { solver: ctx.solver() }),
    });
    return servingToJson(outcome);
  });
};
