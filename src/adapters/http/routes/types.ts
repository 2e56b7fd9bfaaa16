import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../server.js';

/** A feature's routes: one module, one line in routes/index.ts. */
export type RegisterRoutes = (app: FastifyInstance, ctx: RouteContext) => void | Promise<void>;

/** Shared response schemas for the OpenAPI document. */
export const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    hint: { type: 'string' },
    issues: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' }, file: { type: 'string' }, line: { type: 'integer' }, column: { type: 'integer' } },
      },
    },
  },
} as const;

export const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, { ...problemSchema, description: `problem details (${c})` }]));

export const moneyString = { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$', description: 'exact decimal amount' } as const;

const num = { type: 'number' } as const;
const str = { type: 'string' } as const;
const nullable = <T extends object>(s: T) => ({ anyOf: [s, { type: 'null' }] }) as const;

export const costLineSchema = {
  type: 'object',
  required: ['resource', 'category', 'amount'],
  properties: { resource: str, category: str, component: str, amount: moneyString, basis: str },
} as const;

const savingProperties = { id: { type: 'string' }, resource: { type: 'string' }, action: { type: 'string' }, title: { type: 'string' }, saving: moneyString, currency: { type: 'string' }, effort: { type: 'string' }, basis: { type: 'string' }, exclusiveGroup: { type: 'string' }, billedAs: { type: 'array', items: { type: 'string' } } } as const;

/** A scenario's cost report with its savings (`penny cost --json`). */
export const costReportSchema = {
  type: 'object',
  // Required: what every report recorded so far carries and the dashboard reads (older workspaces keep their reports).
  required: ['scenario', 'currency', 'periodHours', 'total', 'byCategory', 'byResource', 'energyKwh', 'idleCost', 'savings'],
  properties: {
    scenario: { type: 'string' },
    currency: { type: 'string' },
    periodHours: { type: 'number' },
    capex: { type: 'string' },
    total: moneyString,
    byCategory: { type: 'object', additionalProperties: moneyString },
    byComponent: { type: 'object', additionalProperties: moneyString },
    byResource: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'kind', 'total', 'byCategory'],
        properties: {
          name: { type: 'string' },
          kind: { type: 'string' },
          count: { type: 'number' },
          total: moneyString,
          byCategory: { type: 'object', additionalProperties: moneyString },
          byComponent: { type: 'object', additionalProperties: moneyString },
          hoursOn: { type: 'string' },
          hoursBusy: { type: 'string' },
          utilisation: { type: 'string', description: 'busy share of the hours on, 0 to 1' },
          utilisationMeasured: { type: 'boolean', description: 'utilisation came from the scenario, not the default of 1' },
          busyCost: moneyString,
          idleCost: moneyString,
          energyKwh: { type: 'string' },
          gpuHours: { type: 'string' },
          costPerUsefulGpuHour: { type: 'string' },
          throughput: { type: 'object', required: ['value', 'unit'], properties: { value: { type: 'string' }, unit: { type: 'string' } } },
          perfCostRatio: { type: 'string' },
          tags: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
    lines: { type: 'array', items: costLineSchema },
    energyKwh: { type: 'string' },
    busyCost: moneyString,
    idleCost: moneyString,
    gpuHours: { type: 'string' },
    savings: {
      type: 'array',
      items: { type: 'object', required: ['id', 'title', 'saving', 'currency', 'effort', 'basis'], properties: { ...savingProperties, alternatives: { type: 'array', items: { type: 'object', properties: savingProperties } } } },
    },
    savingsTotal: { ...moneyString, description: 'the savings added up, each resource-hour once (alternatives not added)' },
  },
} as const;

const numOrNull = { type: ['number', 'null'] } as const;
const strMap = { type: 'object', additionalProperties: str } as const;

/** A plan's result (src/app/plan-json.ts; `penny plan --json`). */
export const planResultSchema = {
  type: 'object',
  description: 'a plan (docs/planner.md), as `penny plan --json` prints it',
  required: ['scenario', 'currency', 'periodHours', 'periods', 'catalogs', 'solver', 'timingsS', 'plan', 'totalUsd', 'costByPriceModel', 'costByProvider', 'costByGpu', 'baselines', 'savings', 'explanations'],
  properties: {
    scenario: str,
    currency: str,
    periodHours: num,
    periods: num,
    catalogs: { type: 'array', items: str },
    solver: { type: 'object', required: ['name', 'status', 'gap'], properties: { name: str, status: str, method: str, objective: numOrNull, bound: numOrNull, gap: numOrNull, nodes: num, maxNodes: num, stoppedBy: str } },
    model: { type: 'object', description: 'the size of the optimisation model' },
    timingsS: { type: 'object', required: ['totalS'], additionalProperties: num, properties: { totalS: num } },
    plan: {
      type: 'array',
      items: {
        type: 'object',
        // instanceHours and costUsd optional: the dashboard never relied on them being in older recorded plans.
        required: ['offering', 'gpu', 'gpuCount', 'priceModel', 'priceUsdPerHour', 'runs'],
        properties: {
          offering: str,
          provider: str,
          region: str,
          instanceType: str,
          gpu: str,
          gpuCount: num,
          priceModel: str,
          priceUsdPerHour: moneyString,
          runs: { type: 'array', items: { type: 'object', required: ['from', 'to', 'count'], properties: { from: num, to: num, count: num } } },
          instanceHours: str,
          costUsd: moneyString,
        },
      },
    },
    totalUsd: moneyString,
    egressUsd: moneyString,
    costByPriceModel: strMap,
    costByProvider: strMap,
    costByGpu: strMap,
    onPremCapexSunkUsd: moneyString,
    baselines: { type: 'array', items: { type: 'object', required: ['name', 'feasible', 'totalUsd', 'note'], properties: { name: str, feasible: { type: 'boolean' }, totalUsd: nullable(moneyString), unmet: {}, note: str } } },
    savings: { type: 'array', items: { type: 'object', required: ['baseline', 'savingUsd', 'share'], properties: { baseline: str, baselineUsd: moneyString, savingUsd: moneyString, share: num } } },
    explanations: { type: 'array', items: { type: 'object', required: ['constraint', 'relaxation', 'savingUsd', 'marginalUsd'], properties: { constraint: str, relaxation: str, savingUsd: nullable(moneyString), marginalUsd: nullable(moneyString) } } },
  },
} as const;

/** A forecast's result as a run records it (src/core/forecast/forecast.ts, with the history). */
export const forecastResultSchema = {
  type: 'object',
  description: 'a forecast (docs/forecasting.md), as `penny forecast --json` prints it, with the history it was fitted on',
  required: ['model', 'interval', 'unit', 'series', 'horizon', 'metrics', 'backtest', 'points', 'historyValues'],
  properties: {
    model: str,
    interval: str,
    unit: str,
    source: str,
    series: str,
    history: { type: 'object', properties: { start: str, end: str, points: num } },
    horizon: num,
    metrics: {
      type: 'object',
      description: 'out-of-sample accuracy of the chosen model; sMAPE in percent (0–200), coverage as a share; null when not measurable',
      required: ['mase', 'smape', 'coverageP10P90', 'nominalCoverage', 'baseline', 'baselineMase', 'origins'],
      properties: { mase: numOrNull, smape: numOrNull, coverageP10P90: numOrNull, rawCoverageP10P90: numOrNull, nominalCoverage: num, baseline: str, baselineMase: numOrNull, skillVsBaseline: numOrNull, origins: num, backtestHorizon: num, scalePeriod: num },
    },
    params: { type: 'object', additionalProperties: numOrNull },
    backtest: { type: 'array', items: { type: 'object', required: ['model'], properties: { model: str, baseline: { type: 'boolean' }, skipped: str, mase: numOrNull, smape: numOrNull, mae: numOrNull, coverageP10P90: numOrNull, rawCoverageP10P90: numOrNull } } },
    preparation: { type: 'object', description: 'what was done to the history before fitting (merges, fills, outliers, notes)' },
    points: { type: 'array', items: { type: 'object', required: ['t', 'p10', 'p50', 'p90'], properties: { t: str, p10: num, p50: num, p90: num } } },
    historyValues: { type: 'array', description: 'the history the model was fitted on, gaps filled (runs record it beside the forecast)', items: { type: 'object', required: ['t', 'value', 'filled'], properties: { t: str, value: num, filled: { type: 'boolean' } } } },
  },
} as const;

const percentiles = { type: 'object', required: ['mean', 'p50', 'p90', 'p99'], properties: { mean: num, p50: num, p90: num, p99: num } } as const;

/** One policy replayed on a trace with arrival times (src/core/sim/metrics.ts simReportToJson). */
const replayPolicySchema = {
  type: 'object',
  required: ['policy', 'summary', 'jobs', 'completionTimeS', 'queueingDelayS', 'gpuHoursAllocated', 'gpuHoursBusy', 'utilisation', 'energyKwh', 'cost'],
  properties: {
    policy: str,
    summary: str,
    currency: str,
    startS: num,
    endS: num,
    events: num,
    jobs: {
      type: 'object',
      required: ['total', 'finished', 'unschedulable', 'preemptions', 'lostGpuHours', 'withDeadline', 'deadlineMisses'],
      properties: { total: num, finished: num, unschedulable: num, runningAtEnd: num, waitingAtEnd: num, preemptions: num, migrationsToSpot: num, lostGpuHours: num, withDeadline: num, deadlineMisses: num },
    },
    completionTimeS: percentiles,
    queueingDelayS: percentiles,
    gpuHoursAllocated: num,
    gpuHoursBusy: num,
    utilisation: num,
    energyKwh: num,
    cost: { type: 'object', required: ['total', 'idle', 'byPricing'], properties: { total: moneyString, compute: moneyString, energy: moneyString, idle: moneyString, byPricing: strMap } },
    pools: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: str, pricing: str, gpuType: str, peakNodes: num, nodeHours: num, gpuHoursAllocated: num, gpuHoursBusy: num, utilisation: num, energyKwh: num, computeCost: moneyString, energyCost: moneyString, idleCost: moneyString, cost: moneyString } } },
    unschedulable: { type: 'array' },
    checks: { type: 'object', description: 'the simulator\'s own conservation checks' },
  },
} as const;

/** One policy filling the cluster from a pod list (src/core/sim/fill.ts fillReportToJson). */
const fillPolicySchema = {
  type: 'object',
  required: ['policy', 'summary', 'order', 'seed', 'clusterGpus', 'pods', 'placed', 'failed', 'arrivedGpus', 'unplacedGpus', 'unplacedShare', 'allocatedGpus', 'firstFailureAtShare', 'strandedGpus', 'clusterCostPerHour', 'strandedCostPerHour', 'curve'],
  properties: {
    policy: str,
    summary: str,
    currency: str,
    order: { type: 'string', enum: ['list', 'shuffled'] },
    seed: num,
    clusterGpus: num,
    pods: num,
    placed: num,
    failed: num,
    arrivedGpus: num,
    unplacedGpus: num,
    unplacedShare: num,
    allocatedGpus: num,
    firstFailureAtShare: numOrNull,
    strandedGpus: num,
    clusterCostPerHour: moneyString,
    strandedCostPerHour: moneyString,
    curve: { type: 'array', items: { type: 'object', required: ['arrivedShare', 'unplacedShare', 'allocatedShare'], properties: { arrivedShare: num, unplacedShare: num, allocatedShare: num } } },
  },
} as const;

const simulationCommon = {
  scenario: str,
  traceFormat: str,
  currency: str,
  pools: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: str, pricing: str, gpuType: str, gpusPerNode: num, nodes: {}, maxNodes: {}, pricePerNodeHour: moneyString } } },
} as const;

/** A simulation's result (src/app/simulate-json.ts; `penny simulate --json`): replay or fill. */
export const simulationResultSchema = {
  description: 'a simulation (docs/simulator.md), as `penny simulate --json` prints it',
  oneOf: [
    { type: 'object', required: ['scenario', 'mode', 'currency', 'policies'], properties: { ...simulationCommon, mode: { type: 'string', enum: ['replay'] }, policies: { type: 'array', items: replayPolicySchema } } },
    { type: 'object', required: ['scenario', 'mode', 'currency', 'policies'], properties: { ...simulationCommon, mode: { type: 'string', enum: ['fill'] }, policies: { type: 'array', items: fillPolicySchema } } },
  ],
} as const;

/** What each kind of job returns when it succeeds (src/adapters/http/routes/uploads.ts, plans.ts, simulations.ts). */
export const jobResultSchema = {
  description: 'when succeeded; by kind: ingest:focus, ingest:scenario, ingest:nvidia-smi, plan {runId, plan}, simulation {runId, simulation}',
  anyOf: [
    {
      type: 'object',
      description: 'ingest:focus',
      required: ['kind', 'status', 'file', 'notes'],
      properties: {
        kind: { type: 'string', enum: ['focus'] },
        status: { type: 'string', enum: ['ingested', 'already-ingested', 'superseded'] },
        file: { type: 'object', required: ['rows'], properties: { id: str, path: str, rows: num, ingestedAt: str, currency: str } },
        totals: { type: 'array' },
        replaced: { type: 'object' },
        notes: { type: 'array', items: str },
      },
    },
    { type: 'object', description: 'ingest:scenario', required: ['kind', 'scenarioId', 'reportId', 'report'], properties: { kind: { type: 'string', enum: ['scenario'] }, scenarioId: str, reportId: str, report: costReportSchema } },
    { type: 'object', description: 'ingest:nvidia-smi', required: ['kind', 'status', 'telemetry'], properties: { kind: { type: 'string', enum: ['nvidia-smi'] }, status: { type: 'string', enum: ['ingested', 'already-ingested'] }, telemetry: { type: 'object' } } },
    { type: 'object', description: 'plan', required: ['runId', 'plan'], properties: { runId: str, plan: planResultSchema } },
    { type: 'object', description: 'simulation', required: ['runId', 'simulation'], properties: { runId: str, simulation: simulationResultSchema } },
  ],
} as const;

export const jobSchema = {
  type: 'object',
  required: ['id', 'kind', 'status', 'progress', 'createdAt'],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] },
    progress: { type: 'object', required: ['done', 'total', 'label'], properties: { done: { type: 'number' }, total: { type: 'number' }, label: { type: 'string' } } },
    createdAt: { type: 'string' },
    finishedAt: { type: 'string' },
    result: jobResultSchema,
    error: {
      type: 'object',
      description: 'when failed: the problem (as RFC 9457, without type)',
      required: ['title', 'status', 'detail'],
      properties: { title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, issues: problemSchema.properties.issues },
    },
  },
} as const;


/** A GPU as the telemetry reports name it. */
export const gpuInfoSchema = {
  type: 'object',
  required: ['gpuId', 'host', 'index', 'model', 'memoryTotalMiB'],
  properties: { gpuId: str, host: str, index: str, model: nullable(str), memoryTotalMiB: nullable(num) },
} as const;

export const gpuPriceSchema = { type: 'object', required: ['pricePerHour', 'source'], properties: { pricePerHour: moneyString, source: str } } as const;

/** A saving: what to do, how much a month it saves, and on what basis. */
const recommendationProperties = { id: str, resource: str, action: str, title: str, saving: moneyString, currency: str, effort: str, basis: str, exclusiveGroup: str, billedAs: { type: 'array', items: str } } as const;
export const recommendationSchema = {
  type: 'object',
  required: ['id', 'resource', 'action', 'title', 'saving', 'currency', 'effort', 'basis'],
  properties: { ...recommendationProperties, alternatives: { type: 'array', description: 'exclusive choices for the same resource-hours (only the best counts in totals)', items: { type: 'object', required: ['id', 'title', 'saving'], properties: recommendationProperties } } },
} as const;


/** `{id}` in a path: ids and names are short. */
export const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } as const;
