/**
 * The work a job thread can do: each task takes plain, cloneable input (text as the user sent it,
 * or already-validated plain records) and returns plain JSON. The main thread validated the input
 * before queueing (so bad input is a 422 at once) and records the result as a run; the task only
 * computes, so a worker can be terminated at any point without leaving anything half-written.
 */
import type { Progress, Solver } from '../../app/ports.js';
import { planCapacity } from '../../app/plan.js';
import { runSimulation } from '../../app/simulate.js';
import type { SimJob } from '../../core/sim/model.js';
import { planToJson } from '../../app/plan-json.js';
import { resultToJson } from '../../app/simulate-json.js';
import { stalePriceWarnings } from '../../core/catalog/age.js';
import { planScenarioFromText } from '../importers/plan-scenario.js';
import { parseSimScenario } from '../importers/sim-scenario.js';
import { highsSolver } from '../solver/highs.js';
import { runForecast } from '../../app/forecast.js';
import { forecastRecord } from '../../app/runs.js';
import { resample, type Aggregation, type FillMethod } from '../../core/forecast/series.js';
import { runServing, servingToJson, type ReplicaPrice } from '../../app/serving.js';
import { Decimal } from '../../core/money.js';
import type { SpotTrace } from '../../core/model/spot.js';
import type { ReplicaProfile } from '../../core/serving/replica.js';
import type { BalancerName } from '../../core/serving/simulate.js';
import type { ServingWorkload } from '../../core/serving/workload.js';

export interface PlanTaskInput {
  /** The plan scenario (YAML or JSON text), self-contained (checked by the route). */
  text: string;
  /** How the scenario is named in messages. */
  file: string;
}

export interface SimulationTaskInput {
  scenario: string;
  jobs: SimJob[];
  hasTimes: boolean;
  traceFormat: string;
  policies: string[];
}

export interface ForecastTaskInput {
  /** The history, checked by the route: epoch milliseconds and finite values, point by point (columns clone and move as they are). */
  times: Float64Array;
  values: Float64Array;
  name: string;
  unit: string;
  intervalMs: number;
  intervalMonths?: number;
  agg: Aggregation;
  aggWhy: string;
  kind: 'samples' | 'events';
  fill: FillMethod;
  horizon: number;
  model: string;
  origins: number;
  seasons?: number[];
  quantiles?: number[];
  cap?: number;
}

/** A replica price as it crosses threads: exact decimal strings. */
export interface PlainReplicaPrice {
  onDemandUsdPerHour: string;
  spotUsdPerHour?: string;
  source: string;
}

/** A serving comparison, checked by the route (the trace as typed arrays, which clone as they are). */
export interface ServingTaskInput {
  workload: ServingWorkload;
  profile: ReplicaProfile;
  price: PlainReplicaPrice;
  planCandidates: { profile: ReplicaProfile; price: PlainReplicaPrice }[];
  slo: { ttftS: number; attainment: number };
  intervalS: number;
  balancers?: BalancerName[];
  autoscalers?: string[];
  seed: number;
  spot?: SpotTrace;
  spotZones?: SpotTrace[];
  /** Each zone's spot price of a replica-hour as an exact string (null: the replica's spot price). */
  spotZonePrices?: (string | null)[];
  hedge?: number | 'zones';
  spotOffsetS?: number;
  plan: boolean;
}

const replicaPrice = (p: PlainReplicaPrice): ReplicaPrice => ({ onDemandUsdPerHour: new Decimal(p.onDemandUsdPerHour), ...(p.spotUsdPerHour !== undefined && { spotUsdPerHour: new Decimal(p.spotUsdPerHour) }), source: p.source });

export const tasks = {
  async plan(input: PlanTaskInput, progress: Progress): Promise<unknown> {
    const loaded = await planScenarioFromText(input.text, input.file);
    let solves = 0;
    progress.start(0, 'solving');
    // Each HiGHS solve (relaxation, MIP, the re-solves that price binding constraints) is one
    // step; inside a MIP the label carries HiGHS's own gap and node count as it reports them.
    // A thread cannot be handed main.ts's solver (functions do not cross threads): it builds its own.
    const highs = highsSolver((p) => {
      const gap = p.gap !== undefined && Number.isFinite(p.gap) ? `gap ${(p.gap * 100).toFixed(2)}%` : 'no incumbent yet';
      progress.note?.(`solve ${solves + 1}: ${gap}, ${p.nodes ?? 0} nodes, ${(p.runningTimeS ?? 0).toFixed(1)} s`);
      progress.tick(solves);
    });
    const counted: Solver = {
      name: highs.name,
      async solve(model, opts) {
        const r = await highs.solve(model, opts);
        solves++;
        progress.note?.(`solved ${solves} model${solves > 1 ? 's' : ''}`);
        progress.tick(solves);
        return r;
      },
    };
    const r = await planCapacity(loaded.inputs, counted, { explain: true });
    // The thread has no clock handed in: the price age is a warning, not a result, and reads today.
    const warnings = stalePriceWarnings(loaded.catalogDates, new Date());
    return { ...planToJson(r, loaded.catalogs, loaded.currency), ...(warnings.length && { warnings }) };
  },

  async simulation(input: SimulationTaskInput, progress: Progress): Promise<unknown> {
    const scenario = await parseSimScenario(input.scenario, 'scenario');
    const result = runSimulation({ scenario, jobs: input.jobs, hasTimes: input.hasTimes, policies: input.policies, fill: false }, progress);
    return resultToJson(result, input.traceFormat);
  },

  /** A forecast of a series sent inline: backtests every model (CPU seconds on long histories). */
  async forecast(input: ForecastTaskInput, progress: Progress): Promise<ReturnType<typeof forecastRecord>> {
    const observations = Array.from(input.times, (t, i) => ({ t, value: input.values[i]! }));
    const series = resample(observations, { name: input.name, unit: input.unit, intervalMs: input.intervalMs, ...(input.intervalMonths && { intervalMonths: input.intervalMonths }), agg: input.agg, aggWhy: input.aggWhy, kind: input.kind, fill: input.fill });
    const outcome = runForecast(series, { horizon: input.horizon, model: input.model, origins: input.origins, source: 'request body', ...(input.seasons && { seasons: input.seasons }), ...(input.quantiles && { quantiles: input.quantiles }), ...(input.cap !== undefined && { cap: input.cap }) }, progress);
    return forecastRecord(outcome);
  },

  /** Every balancer × autoscaler on a request trace, and the replica plan (CPU seconds to minutes on a long trace). */
  async serving(input: ServingTaskInput, progress: Progress): Promise<ReturnType<typeof servingToJson>> {
    const outcome = await runServing({
      workload: input.workload,
      profile: input.profile,
      price: replicaPrice(input.price),
      planCandidates: input.planCandidates.map((c) => ({ profile: c.profile, price: replicaPrice(c.price) })),
      slo: input.slo,
      intervalS: input.intervalS,
      ...(input.balancers && { balancers: input.balancers }),
      ...(input.autoscalers && { autoscalers: input.autoscalers }),
      seed: input.seed,
      ...(input.spot && { spot: input.spot }),
      ...(input.spotZones && { spotZones: input.spotZones }),
      ...(input.spotZonePrices && { spotZonePrices: input.spotZonePrices.map((x) => (x === null ? undefined : new Decimal(x))) }),
      ...(input.spotOffsetS !== undefined && { spotOffsetS: input.spotOffsetS }),
      ...(input.hedge !== undefined && { hedge: input.hedge }),
      ...(input.plan && { solver: highsSolver() }),
      progress,
    });
    return servingToJson(outcome);
  },
} satisfies Record<string, (input: never, progress: Progress) => Promise<unknown>>;

export type TaskName = keyof typeof tasks;
export type TaskInput<T extends TaskName> = Parameters<(typeof tasks)[T]>[0];
