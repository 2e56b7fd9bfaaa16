/**
 * The JSON contracts of Penny's results: what `penny plan|simulate|forecast|cost --json` print, what
 * the API returns and records, and what the dashboard's types are generated from (through the
 * OpenAPI document). One schema each, versioned: every result carries `schemaVersion`, and a
 * change that removes or retypes a field raises the version (adding an optional field does not).
 * Results recorded before versioning have no `schemaVersion`; they are version 1.
 */

/** The version each result kind is at now. */
export const SCHEMA_VERSIONS = { plan: 1, simulation: 1, forecast: 1, serving: 1 } as const;

const version = (kind: keyof typeof SCHEMA_VERSIONS) => ({ type: 'integer', enum: [SCHEMA_VERSIONS[kind]], description: `version of this contract (${kind} v${SCHEMA_VERSIONS[kind]}); absent in results recorded before versioning` }) as const;

export const moneyString = { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$', description: 'exact decimal amount' } as const;

export const num = { type: 'number' } as const;
export const str = { type: 'string' } as const;
export const nullable = <T extends object>(s: T) => ({ anyOf: [s, { type: 'null' }] }) as const;

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
    schemaVersion: version('plan'),
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
          savingsPlan: { type: 'object', description: "a savings plan's commitment line (committedUsdPerHour) or usage it pays for (cost 0 here, drawn at usageRateUsdPerHour)", properties: { name: str, role: str, committedUsdPerHour: moneyString, usageRateUsdPerHour: moneyString } },
          commitment: { type: 'object', description: 'the commitment a reserved line buys; priceUsdPerHour is then its amortised rate', properties: { name: str, termYears: numOrNull, payment: str, upfrontUsd: moneyString, usdPerHour: moneyString } },
          runs: { type: 'array', items: { type: 'object', required: ['from', 'to', 'count'], properties: { from: num, to: num, count: num } } },
          instanceHours: str,
          costUsd: moneyString,
        },
      },
    },
    totalUsd: moneyString,
    perMonthUsd: { ...moneyString, description: 'the plan\'s cost per 730 h' },
    inCurrency: {
      type: 'object',
      description: "the plan's cost in the scenario's currency, at its exchange rate from USD (absent for USD)",
      required: ['currency', 'perUsd', 'total'],
      properties: { currency: str, perUsd: str, total: moneyString, perMonth: moneyString, costByPriceModel: strMap },
    },
    egressUsd: moneyString,
    costByPriceModel: strMap,
    costByProvider: strMap,
    costByGpu: strMap,
    onPremCapexSunkUsd: moneyString,
    baselines: { type: 'array', items: { type: 'object', required: ['name', 'feasible', 'totalUsd', 'note'], properties: { name: str, feasible: { type: 'boolean' }, totalUsd: nullable(moneyString), unmet: {}, note: str } } },
    savings: { type: 'array', items: { type: 'object', required: ['baseline', 'savingUsd', 'share'], properties: { baseline: str, baselineUsd: moneyString, savingUsd: moneyString, share: num } } },
    explanations: {
      type: 'array',
      description: 'binding constraints, each relaxed alone and re-solved: savingUsd on the integer plan (pricedOn "integer plan", with the range the proved bounds allow) or on the LP relaxation',
      items: {
        type: 'object',
        // pricedOn, savingRangeUsd, lpSavingUsd: added 2026-12-02 (optional: results recorded before were all on the LP relaxation)
        required: ['constraint', 'relaxation', 'savingUsd', 'marginalUsd'],
        properties: {
          constraint: str,
          relaxation: str,
          savingUsd: nullable(moneyString),
          pricedOn: { type: 'string', enum: ['integer plan', 'LP relaxation'] },
          savingRangeUsd: { anyOf: [{ type: 'null' }, { type: 'object', required: ['low', 'high'], properties: { low: moneyString, high: moneyString } }] },
          lpSavingUsd: moneyString,
          marginalUsd: nullable(moneyString),
        },
      },
    },
    commitments: {
      type: 'array',
      description: 'every commitment offer of the scenario: amortised hourly cost, break-even utilisation against on-demand, instances the plan takes',
      items: {
        type: 'object',
        required: ['offering', 'name', 'payment', 'amortisedUsdPerHour', 'instances'],
        properties: { offering: str, name: str, termYears: numOrNull, payment: str, upfrontUsd: moneyString, usdPerHour: moneyString, amortisedUsdPerHour: moneyString, onDemandUsdPerHour: nullable(moneyString), breakEvenUtilisation: numOrNull, instances: num, termCostUsd: nullable(moneyString) },
      },
    },
    savingsPlans: {
      type: 'array',
      description: 'every savings plan of the scenario: the commitment chosen, break-even (1 − discount), the share of it used, upfront',
      items: { type: 'object', required: ['name', 'committedUsdPerHour', 'breakEvenUtilisation', 'usedShare'], properties: { name: str, provider: str, termYears: num, payment: str, discount: num, committedUsdPerHour: moneyString, breakEvenUtilisation: num, usedShare: num, upfrontUsd: moneyString } },
    },
    warnings: { type: 'array', items: str, description: 'e.g. prices older than 90 days' },
    savingSplit: {
      type: 'object',
      description: 'where the saving against all on-demand at list price (nothing owned) comes from: owning, placement, committing, spot (docs/planner.md)',
      required: ['fromUsd', 'planUsd', 'parts'],
      properties: { fromUsd: moneyString, planUsd: moneyString, parts: { type: 'array', items: { type: 'object', required: ['part', 'usd', 'rungUsd'], properties: { part: str, usd: moneyString, rungUsd: moneyString } } } },
    },
  },
} as const;

/** A forecast's result as a run records it (src/core/forecast/forecast.ts, with the history). */
export const forecastResultSchema = {
  type: 'object',
  description: 'a forecast (docs/forecasting.md), as `penny forecast --json` prints it, with the history it was fitted on',
  required: ['model', 'interval', 'unit', 'series', 'horizon', 'metrics', 'backtest', 'points', 'historyValues'],
  properties: {
    schemaVersion: version('forecast'),
    model: str,
    members: { type: 'array', description: 'the models whose median the ensemble is, when it was chosen', items: str },
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
      properties: {
        mase: numOrNull, smape: numOrNull, coverageP10P90: numOrNull, rawCoverageP10P90: numOrNull, nominalCoverage: num, baseline: str, baselineMase: numOrNull, skillVsBaseline: numOrNull, origins: num, backtestHorizon: num, scalePeriod: num, scale: numOrNull,
        seasons: { type: 'array', items: num },
        band: { type: 'object', description: 'the outermost quantiles delivered and their out-of-sample coverage', properties: { from: str, to: str, coverage: numOrNull, nominal: numOrNull } },
        pinball: numOrNull,
        quantiles: { type: 'array', items: num },
      },
    },
    params: { type: 'object', additionalProperties: numOrNull },
    backtest: { type: 'array', items: { type: 'object', required: ['model'], properties: { model: str, baseline: { type: 'boolean' }, members: { type: 'array', items: str }, skipped: str, mase: numOrNull, smape: numOrNull, mae: numOrNull, coverageP10P90: numOrNull, rawCoverageP10P90: numOrNull, pinball: numOrNull } } },
    preparation: { type: 'object', description: 'what was done to the history before fitting (merges, fills, outliers, notes)' },
    points: { type: 'array', items: { type: 'object', required: ['t', 'p10', 'p50', 'p90'], description: 'further quantiles asked for (--quantiles) as p1, p99, p2.5…', properties: { t: str, p10: num, p50: num, p90: num }, patternProperties: { '^p\\d+(\\.\\d+)?$': { type: ['number', 'string'], description: 'a number; typed wider only so that generated types admit t (a string) beside the index' } } } },
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
      properties: { total: num, finished: num, unschedulable: num, runningAtEnd: num, waitingAtEnd: num, preemptions: num, waited: num, migrationsToSpot: num, safetySwitches: num, lostGpuHours: num, withDeadline: num, deadlineMisses: num },
    },
    completionTimeS: percentiles,
    queueingDelayS: percentiles,
    vsReference: { type: 'object', description: 'spot comparisons: cost over the perfect-foresight reference, and the share of the possible saving captured', properties: { ratio: num, capturedShare: num } },
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
    neverFitPods: num,
    neverFitGpus: num,
    clusterCostPerHour: moneyString,
    strandedCostPerHour: moneyString,
    curve: { type: 'array', items: { type: 'object', required: ['arrivedShare', 'unplacedShare', 'allocatedShare'], properties: { arrivedShare: num, unplacedShare: num, allocatedShare: num } } },
  },
} as const;

const simulationCommon = {
  schemaVersion: version('simulation'),
  scenario: str,
  traceFormat: str,
  currency: str,
  pools: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: str, pricing: str, gpuType: str, gpusPerNode: num, nodes: {}, maxNodes: {}, pricePerNodeHour: moneyString } } },
} as const;

/** A simulation's result (src/app/simulate-json.ts; `penny simulate --json`): replay or fill. */
export const simulationResultSchema = {
  description: 'a simulation (docs/simulator.md), as `penny simulate --json` prints it',
  oneOf: [
    {
      type: 'object',
      required: ['scenario', 'mode', 'currency', 'policies'],
      properties: {
        ...simulationCommon,
        mode: { type: 'string', enum: ['replay'] },
        policies: { type: 'array', items: replayPolicySchema },
        reference: {
          type: 'object',
          description: 'spot comparisons: the perfect-foresight lower bound (sum over jobs), and the baseline the possible saving is measured from',
          properties: { cost: moneyString, jobs: num, baseline: str, baselineCost: moneyString },
        },
        plan: {
          type: 'object',
          description: '`--plan`: how the plan held once the trace was played out on its pools, one check per policy',
          required: ['scenario', 'horizonS', 'fixedCostUsd', 'notes', 'checks'],
          properties: {
            scenario: str,
            horizonS: num,
            fixedCostUsd: moneyString,
            notes: { type: 'array', items: str },
            checks: {
              type: 'array',
              items: {
                type: 'object',
                required: ['policy', 'planUsd', 'simulatedUsd', 'jobs', 'finished', 'unfinished', 'unschedulable', 'afterPlan', 'withDeadline', 'late', 'holds'],
                properties: { policy: str, planUsd: moneyString, simulatedUsd: moneyString, jobs: num, finished: num, unfinished: num, unschedulable: num, afterPlan: num, withDeadline: num, late: num, queued: num, waitMeanS: num, waitP99S: num, preemptions: num, holds: { type: 'boolean' } },
              },
            },
          },
        },
      },
    },
    { type: 'object', required: ['scenario', 'mode', 'currency', 'policies'], properties: { ...simulationCommon, mode: { type: 'string', enum: ['fill'] }, policies: { type: 'array', items: fillPolicySchema } } },
  ],
} as const;

const int = { type: 'integer' } as const;
const open = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: true, required, properties }) as const;
const servingPercentiles = open({ mean: numOrNull, p50: numOrNull, p90: numOrNull, p99: numOrNull, max: numOrNull }, ['mean', 'p50', 'p90', 'p99', 'max']);
/** One balancer × autoscaler simulated on the request trace (src/app/serving.ts resultToJson). */
const servingRowSchema = open(
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
    ttftS: servingPercentiles,
    tpotS: servingPercentiles,
    e2eS: servingPercentiles,
    sloAttainment: num,
    sloMet: { type: 'boolean' },
    replicaHours: open({ onDemand: num, spot: num }, ['onDemand', 'spot']),
    costUsd: open({ onDemand: moneyString, spot: moneyString, total: moneyString, perThousandRequests: moneyString }, ['total']),
    savingVsBaseline: numOrNull,
    adapterHitRate: numOrNull,
    checks: open({ requestsConserved: { type: 'boolean' }, tokensConserved: { type: 'boolean' } }),
    endS: num,
    events: int,
  },
  ['balancer', 'autoscaler', 'requests', 'served', 'dropped', 'tokens', 'ttftS', 'tpotS', 'sloAttainment', 'sloMet', 'replicaHours', 'costUsd', 'preemptions', 'retries'],
);
const replicaPriceSchema = open({ onDemandUsdPerHour: moneyString, spotUsdPerHour: nullable(moneyString), source: str });
const replicaProfileSchema = open({ model: str, gpu: str, gpusPerReplica: int }, ['model', 'gpu', 'gpusPerReplica']);

/** A serving comparison (src/app/serving.ts servingToJson; `penny serving --json`). */
export const servingResultSchema = open(
  {
    schemaVersion: version('serving'),
    format: { type: 'string', description: 'the trace format, when read from a file (CLI)' },
    workload: open({ name: str, requests: int, durationS: num, meanRatePerS: num }, ['name', 'requests', 'durationS', 'meanRatePerS']),
    profile: replicaProfileSchema,
    price: replicaPriceSchema,
    slo: open({ ttftS: num, attainment: num }),
    intervalS: num,
    capacityPerReplicaPerS: num,
    capacityAtSloPerS: num,
    fixedPeakReplicas: int,
    floors: { type: 'object', additionalProperties: int },
    forecast: open({ model: str, note: str }),
    spotZones: { type: 'array', items: str, description: 'the spot traces, one per zone, spot replicas are spread across' },
    spotZonePricesUsdPerHour: { type: 'array', items: { type: ['string', 'null'] }, description: 'each zone\'s spot price of a replica-hour (index as spotZones; null: no spot price)' },
    baseline: open({ balancer: str, autoscaler: str }, ['balancer', 'autoscaler']),
    results: { type: 'array', items: servingRowSchema },
    plan: nullable(open({ profile: replicaProfileSchema, price: replicaPriceSchema, targetUtilisation: num, solverObjectiveUsd: numOrNull, perInterval: { type: 'array', items: open({ onDemand: int, spot: int }, ['onDemand', 'spot']) }, rounds: { type: 'array', items: open({}) }, result: servingRowSchema }, ['profile', 'price', 'targetUtilisation', 'perInterval', 'rounds', 'result'])),
    notes: { type: 'array', items: str },
  },
  ['workload', 'profile', 'price', 'slo', 'intervalS', 'fixedPeakReplicas', 'results', 'baseline', 'plan', 'notes'],
);

/** A recorded run without its result (`GET /api/runs`). */
export const runSummarySchema = {
  type: 'object',
  required: ['id', 'kind', 'name', 'createdAt', 'summary'],
  properties: { id: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' }, inputHash: { type: 'string' }, createdAt: { type: 'string' }, summary: { type: 'object', description: 'by kind: plan {totalUsd, savings, solver}; forecast {model, unit, interval, horizon, mase, …}; simulation {policies, mode, jobs}; serving {requests, fixedPeakReplicas, baselineUsd, cheapestMeetingSlo, planUsd}' } },
} as const;

/** A recorded run with its full result (`GET /api/runs/{id}`). */
export const runRecordSchema = {
  ...runSummarySchema,
  required: [...runSummarySchema.required, 'result'],
  properties: { ...runSummarySchema.properties, result: { description: 'the full result, as `penny plan|forecast|simulate|serving --json` prints it (by kind)', anyOf: [planResultSchema, forecastResultSchema, simulationResultSchema, servingResultSchema] } },
} as const;
