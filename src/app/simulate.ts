/**
 * Use case: simulate a trace on a scenario's cluster under one or more policies. Traces with times
 * are replayed event by event; pod lists with resources only fill the cluster (fill mode).
 */
import { InvalidInput } from '../core/errors.js';
import { fill, type FillReport } from '../core/sim/fill.js';
import type { NodePool, SimInput, SimJob } from '../core/sim/model.js';
import { makePolicy } from '../core/sim/policies/index.js';
import { poolsFromNodes, type ListedNode, type SimScenario } from '../core/sim/scenario.js';
import { compare } from '../core/sim/simulate.js';
import type { SimReport } from '../core/sim/metrics.js';
import { spotReference, type SpotReference } from '../core/sim/reference.js';
import type { Progress } from './ports.js';
import type { Decimal } from '../core/money.js';
import { checkPlan, poolsFromPlan, type PlanCheck, type PlanPoolOptions, type PlanPools, type PlanSpec } from '../core/sim/plan-pools.js';
import { silentProgress } from './ports.js';

export interface SimulateRequest {
  scenario: SimScenario;
  jobs: SimJob[];
  /** False for pod lists without times: fill mode. */
  hasTimes: boolean;
  /** A node list (Alibaba v2023), priced with the scenario's nodeModels. */
  nodes?: ListedNode[];
  policies: string[];
  /** Force fill mode even when the trace has times. */
  fill?: boolean;
  /** Fill mode: shuffle the pod list with the seed (overrides the scenario's fill.order). */
  shuffle?: boolean;
  seed?: number;
  /** A plan from `penny plan`: its lines become the cluster (the scenario's pools are not used). */
  plan?: PlanSpec;
}

/** How the plan held, beside the policies' reports. */
export interface PlanOutcome {
  scenario: string;
  horizonS: number;
  fixedCostUsd: Decimal;
  notes: string[];
  checks: PlanCheck[];
}

export type SimulateResult =
  | { mode: 'replay'; scenario: string; currency: string; pools: NodePool[]; reports: SimReport[]; reference?: SpotReference; plan?: PlanOutcome }
  | { mode: 'fill'; scenario: string; currency: string; pools: NodePool[]; reports: FillReport[] };

export function clusterPools(scenario: SimScenario, nodes?: ListedNode[]): NodePool[] {
  const pools = [...scenario.pools];
  if (nodes) {
    const fromList = poolsFromNodes(nodes, scenario.nodeModels);
    if (fromList.unpriced.length) {
      throw new InvalidInput(
        `the node list has GPU models the scenario does not price: ${fromList.unpriced.map((m) => m || '(none)').join(', ')}`,
        fromList.unpriced.map((m) => ({ path: `nodeModels.${m || '""'}`, message: 'no price for this GPU model', expected: 'an entry in nodeModels, or a "*" entry for every other model' })),
        'Add the models to nodeModels in the scenario (or a "*" entry).',
      );
    }
    pools.push(...fromList.pools);
  }
  if (pools.length === 0) throw new InvalidInput('the cluster has no nodes', [{ path: 'pools', message: 'no pools and no node list' }], 'Give pools in the scenario or a node list with --nodes.');
  return pools;
}

/** Jobs without their own checkpoint settings take the scenario's. */
export function withDefaults(jobs: SimJob[], s: SimScenario): SimJob[] {
  const onNotice = s.checkpointOnNoticeWriteS;
  return jobs.map((j) =>
    j.checkpointIntervalS >= 0 && j.restartOverheadS >= 0 && (onNotice === undefined || j.checkpointOnNoticeWriteS !== undefined)
      ? j
      : {
          ...j,
          checkpointIntervalS: j.checkpointIntervalS >= 0 ? j.checkpointIntervalS : s.checkpointIntervalS,
          restartOverheadS: j.restartOverheadS >= 0 ? j.restartOverheadS : s.restartOverheadS,
          ...(onNotice !== undefined && j.checkpointOnNoticeWriteS === undefined && { checkpointOnNoticeWriteS: onNotice }),
        },
  );
}

const PLAN_DEFAULTS: PlanPoolOptions = { provisioningDelayS: 0, idleTimeoutS: 600 };

export function runSimulation(req: SimulateRequest, progress: Progress = silentProgress): SimulateResult {
  const s = req.scenario;
  const fromPlan = req.plan ? planCluster(req, s) : undefined;
  const pools = fromPlan ? fromPlan.pools : clusterPools(s, req.nodes);
  const policies = req.policies.map(makePolicy);
  // A plan buys nothing after its last period: jobs arriving then are counted apart, not run.
  const allJobs = withDefaults(req.jobs, s);
  const jobs = fromPlan ? allJobs.filter((j) => j.arrivalS < fromPlan.horizonS) : allJobs;
  const seed = req.seed ?? s.seed;
  if (!req.hasTimes || req.fill) {
    progress.start(policies.length, 'filling');
    const reports = policies.map((p, i) => {
      const r = fill(pools, jobs, p, { seed, currency: s.currency, targetShare: s.fill.targetShare, stepShare: s.fill.stepShare, order: req.shuffle ? 'shuffled' : s.fill.order });
      progress.tick(i + 1);
      return r;
    });
    progress.finish();
    return { mode: 'fill', scenario: s.name, currency: s.currency, pools, reports };
  }
  const horizonS = fromPlan ? fromPlan.horizonS : s.horizonS;
  const input: SimInput = { pools, jobs, energy: s.energy, currency: s.currency, seed, ...(horizonS !== undefined && { horizonS }) };
  progress.start(jobs.length * policies.length, 'simulating');
  const reports = compare(input, policies, {
    onPolicy: (i) => ({
      onProgress: (done, _total, simTimeS) => {
        progress.note?.(`${req.policies[i]}: simulated ${(simTimeS / 3600).toFixed(1)} h`);
        progress.tick(i * jobs.length + done);
      },
    }),
  });
  progress.finish();
  // Spot comparisons get the perfect-foresight reference beside them (when it has a meaning).
  const reference = policies.some((p) => p.market !== 'any') ? spotReference(input) : undefined;
  const plan =
    fromPlan && req.plan
      ? { scenario: req.plan.scenario, horizonS: fromPlan.horizonS, fixedCostUsd: fromPlan.fixedCostUsd, notes: fromPlan.notes, checks: reports.map((r) => checkPlan(req.plan!, fromPlan.fixedCostUsd, r, allJobs.length - jobs.length)) }
      : undefined;
  return { mode: 'replay', scenario: s.name, currency: s.currency, pools, reports, ...(reference && { reference }), ...(plan && { plan }) };
}

/** The plan's lines as pools, with what a replay against it needs to be meaningful checked first. */
function planCluster(req: SimulateRequest, s: SimScenario): PlanPools {
  const plan = req.plan!;
  const how = 'Simulate a plan with a scenario in USD, a job trace with times, and without --nodes or --fill.';
  if (s.currency !== 'USD') throw new InvalidInput(`the plan is in USD and the scenario in ${s.currency}`, [{ path: 'currency', message: 'a plan is priced in USD', expected: 'USD', found: s.currency }], how);
  if (req.nodes) throw new InvalidInput('--nodes and --plan both give the cluster', [{ path: 'nodes', message: 'the plan is the cluster' }], how);
  if (!req.hasTimes || req.fill) throw new InvalidInput('a plan is checked by replaying a trace with times (fill mode has none)', [{ path: 'trace', message: 'no arrival times' }], how);
  const pp = poolsFromPlan(plan, s.fromPlan ?? PLAN_DEFAULTS);
  if (pp.pools.length === 0) throw new InvalidInput('the plan buys no instances', [{ path: 'plan', message: 'no line with instances' }], 'Give a plan with at least one line that buys instances.');
  return pp;
}
