import { Option } from 'commander';
import { resultToJson } from '../../../app/simulate-json.js';
import { runSimulation, type SimulateResult } from '../../../app/simulate.js';
import { InvalidInput } from '../../../core/errors.js';
import type { FillReport } from '../../../core/sim/fill.js';
import type { SimReport } from '../../../core/sim/metrics.js';
import { versusReference, type SpotReference } from '../../../core/sim/reference.js';
import { POLICY_NAMES } from '../../../core/sim/policies/index.js';
import { readAlibabaNodes } from '../../importers/alibaba-v2023.js';
import { readJobTrace } from '../../importers/jobs-csv.js';
import { readPlanFile } from '../../importers/plan-file.js';
import type { PlanOutcome } from '../../../app/simulate.js';
import { loadSimScenario } from '../../importers/sim-scenario.js';
import type { RegisterCommand } from '../context.js';
import { printJson } from '../context.js';
import { simulationRun } from '../../../app/runs.js';
import { saveRun } from '../remote.js';
import { resolve } from 'node:path';
import { money, num, pct, table } from '../render.js';

const DEFAULT_REPLAY = ['fifo', 'backfill', 'best-fit', 'least-loaded', 'perf-cost'];
const DEFAULT_SPOT = ['always-spot', 'always-on-demand', 'greedy', 'deadline-aware', 'slack-reserve', 'spot-hazard'];
const DEFAULT_FILL = ['best-fit', 'dot-product', 'gpu-packing', 'random-fit', 'fgd'];

interface Opts {
  trace: string;
  nodes?: string;
  policy?: string;
  compare?: string;
  fill?: boolean;
  shuffle?: boolean;
  seed?: string;
  json?: boolean;
  save?: boolean;
  plan?: string;
}

export const registerSimulate: RegisterCommand = (program, ctx) => {
  program
    .command('simulate')
    .description('replay a GPU job trace on a modelled cluster and cost each scheduling policy')
    .argument('<scenario>', 'simulation scenario (YAML or JSON): node pools, prices, spot, checkpointing; see docs/simulator.md')
    .requiredOption('--trace <file>', 'job trace: a jobs CSV or an Alibaba v2023 pod list (openb_pod_list_*.csv)')
    .option('--plan <file>', 'a plan from `penny plan --json`: its lines, period by period, become the cluster, and the report says whether it holds')
    .option('--nodes <file>', 'node list (Alibaba v2023 openb_node_list_*.csv), priced by the scenario\'s nodeModels')
    .addOption(new Option('--policy <name>', 'one policy').conflicts('compare'))
    .option('--compare <a,b,c>', 'several policies side by side (default: five common ones, or the spot ones when the cluster has spot)')
    .option('--fill', 'fill mode even when the trace has times: pods arrive in order and stay')
    .option('--shuffle', 'fill mode with the pod list in a random order drawn from the seed (as the ATC\'23 paper\'s experiments)')
    .option('--seed <n>', 'random seed (overrides the scenario)')
    .option('--json', 'print exact JSON, one object per policy (money as decimal strings)')
    .option('--save', 'record the comparison in the workspace (the dashboard shows it)')
    .addHelpText(
      'after',
      `\nPolicies: ${POLICY_NAMES.join(', ')}\n\nExamples:\n  penny simulate examples/sim/alibaba.yaml --trace ../shared/data/alibaba-gpu-v2023/openb_pod_list_gpushare40.csv --nodes ../shared/data/alibaba-gpu-v2023/openb_node_list_gpu_node.csv\n  penny simulate examples/sim/spot.yaml --trace examples/sim/spot-jobs.csv --compare always-spot,always-on-demand,deadline-aware\n  penny simulate examples/sim/cloud.yaml --trace examples/sim/jobs.csv --policy backfill --json\n  penny plan examples/sim/plan-small.yaml --json > plan.json && penny simulate examples/sim/plan.yaml --plan plan.json --trace examples/sim/plan-jobs.csv`,
    )
    .action(async (file: string, opts: Opts, cmd) => {
      const scenario = await loadSimScenario(file);
      const trace = await readJobTrace(opts.trace);
      const nodes = opts.nodes ? await readAlibabaNodes(opts.nodes) : undefined;
      const plan = opts.plan ? await readPlanFile(opts.plan) : undefined;
      let seed: number | undefined;
      if (opts.seed !== undefined) {
        seed = Number(opts.seed);
        if (!Number.isInteger(seed) || seed < 0) throw new InvalidInput(`--seed must be a non-negative integer, found ${JSON.stringify(opts.seed)}`, [{ path: 'seed', message: 'not a non-negative integer', found: opts.seed }], 'Give a whole number such as --seed 42.');
      }
      const fillMode = !trace.hasTimes || opts.fill === true || opts.shuffle === true;
      const hasSpot = plan ? plan.lines.some((l) => l.priceModel === 'spot') : scenario.pools.some((p) => p.pricing === 'spot');
      const policies = opts.policy
        ? [opts.policy]
        : opts.compare
          ? opts.compare.split(',').map((s) => s.trim()).filter(Boolean)
          : fillMode
            ? DEFAULT_FILL
            : hasSpot
              ? DEFAULT_SPOT
              : DEFAULT_REPLAY;
      const result = runSimulation({ scenario, jobs: trace.jobs, hasTimes: trace.hasTimes, ...(nodes && { nodes }), ...(plan && { plan }), policies, fill: fillMode, shuffle: opts.shuffle === true, ...(seed !== undefined && { seed }) }, ctx.progress(opts.json === true));
      if (opts.save) {
        const json = resultToJson(result, trace.format) as { scenario: string; mode: string };
        await saveRun(ctx, cmd, simulationRun(json, { inputs: { file: resolve(file), trace: resolve(opts.trace), nodes: opts.nodes ?? null, plan: opts.plan ? resolve(opts.plan) : null, policies, seed: seed ?? null, fill: fillMode, shuffle: opts.shuffle === true }, policies, jobs: trace.jobs.length }));
      }
      if (opts.json) {
        printJson(ctx, resultToJson(result, trace.format));
        return;
      }
      ctx.stdout(result.mode === 'fill' ? renderFill(result.scenario, result.reports, trace.jobs.length) : renderReplay(result.scenario, result.reports, trace.jobs.length, result.reference) + (result.plan ? `\n\n${renderPlanCheck(result.plan)}` : ''));
    });
};

/** Seconds as people read them: 45 s, 12.5 min, 3.2 h, 4.1 d. */
export function duration(s: number): string {
  if (!Number.isFinite(s)) return '∞';
  if (s < 60) return `${num(s, s < 10 ? 1 : 0)} s`;
  if (s < 3600) return `${num(s / 60, 1)} min`;
  if (s < 86400 * 2) return `${num(s / 3600, 1)} h`;
  return `${num(s / 86400, 1)} d`;
}

/** Whether any job ever started: one that did has finished, is running or was preempted. */
const anyStarted = (r: SimReport) => r.jobs.finished + r.jobs.runningAtEnd + r.jobs.preemptions > 0;

export function renderReplay(scenario: string, reports: SimReport[], jobs: number, reference?: SpotReference): string {
  const c = reports[0]?.currency ?? 'USD';
  const r0 = reports[0];
  const out: string[] = [];
  if (r0) out.push(`${scenario} · ${num(jobs)} jobs · ${duration(r0.endS - r0.startS)} simulated · ${c}`, '');
  out.push(
    table(
      [
        { header: 'Policy' },
        { header: `Total (${c})`, align: 'right' },
        { header: 'Energy', align: 'right' },
        { header: 'Idle cost', align: 'right' },
        { header: 'GPU util', align: 'right' },
        { header: 'Finished', align: 'right' },
        { header: 'JCT p50', align: 'right' },
        { header: 'p90', align: 'right' },
        { header: 'p99', align: 'right' },
        { header: 'Wait mean', align: 'right' },
        { header: 'Preempt', align: 'right' },
        { header: 'Lost GPU-h', align: 'right' },
        { header: 'Missed', align: 'right' },
        { header: 'Unsched', align: 'right' },
      ],
      reports.map((r) => [
        r.policy,
        money(r.cost.total, c),
        money(r.cost.energy, c),
        money(r.cost.idle, c),
        pct(r.utilisation),
        num(r.jobs.finished),
        // Times of no job are unknown, not 0 s: a cluster that ran nothing showed JCT and wait 0.0 s.
        r.jobs.finished > 0 ? duration(r.completionTimeS.p50) : '—',
        r.jobs.finished > 0 ? duration(r.completionTimeS.p90) : '—',
        r.jobs.finished > 0 ? duration(r.completionTimeS.p99) : '—',
        anyStarted(r) ? duration(r.queueingDelayS.mean) : '—',
        num(r.jobs.preemptions),
        num(r.jobs.lostGpuHours, 1),
        r.jobs.withDeadline > 0 ? `${num(r.jobs.deadlineMisses)}/${num(r.jobs.withDeadline)}` : '',
        num(r.jobs.unschedulable),
      ]),
    ),
  );
  const byPricing = reports.filter((r) => Object.values(r.cost.byPricing).filter((x) => x.gt(0)).length > 1);
  if (byPricing.length) {
    out.push('', 'Cost by pricing model:');
    out.push(
      table(
        [{ header: 'Policy' }, { header: 'On-prem', align: 'right' }, { header: 'On-demand', align: 'right' }, { header: 'Spot', align: 'right' }],
        reports.map((r) => [r.policy, money(r.cost.byPricing['on-prem'], c), money(r.cost.byPricing['on-demand'], c), money(r.cost.byPricing.spot, c)]),
        { indent: '  ' },
      ),
    );
  }
  const base = reports.find((r) => r.policy === 'always-on-demand');
  if (reference) {
    out.push('', `Perfect-foresight reference (the cheapest schedule knowing the trace, per job; a lower bound): ${money(reference.cost, c)} for ${num(reference.jobs)} jobs`);
    out.push(
      table(
        [{ header: 'Policy' }, { header: '× reference', align: 'right' }, ...(base ? [{ header: 'Saving vs on-demand', align: 'right' as const }, { header: 'Of the possible saving', align: 'right' as const }] : [])],
        reports.map((r) => {
          const row = [r.policy, `${num(r.cost.total.div(reference.cost).toNumber(), 2)}×`];
          if (base) {
            const v = versusReference(r.cost.total, base.cost.total, reference);
            // A policy that misses deadlines buys its saving with them: its share is not comparable.
            row.push(pct(base.cost.total.gt(0) ? base.cost.total.minus(r.cost.total).div(base.cost.total).toNumber() : 0), r.jobs.deadlineMisses > 0 ? `— (${num(r.jobs.deadlineMisses)} missed)` : pct(v.capturedShare));
          }
          return row;
        }),
        { indent: '  ' },
      ),
    );
    if (base) out.push(`  (possible saving: always-on-demand ${money(base.cost.total, c)} − reference ${money(reference.cost, c)})`);
  }
  for (const r of reports) if (r.jobs.migrationsToSpot > 0) out.push(`${r.policy}: ${num(r.jobs.migrationsToSpot)} planned move${r.jobs.migrationsToSpot > 1 ? 's' : ''} from on-demand back to spot (state saved first, no work lost)`);
  for (const r of reports) if (r.jobs.safetySwitches > 0) out.push(`${r.policy}: ${num(r.jobs.safetySwitches)} move${r.jobs.safetySwitches > 1 ? 's' : ''} from spot to on-demand at the job's last safe moment`);
  const left = reports.filter((r) => r.jobs.runningAtEnd + r.jobs.waitingAtEnd > 0);
  for (const r of left) out.push(`${r.policy}: ${num(r.jobs.runningAtEnd)} still running and ${num(r.jobs.waitingAtEnd)} waiting at the end`);
  const reasons = reports[0]?.unschedulable ?? [];
  if (reasons.length) {
    out.push('', `Unschedulable (${reports[0]!.policy}):`);
    for (const x of reasons.slice(0, 5)) out.push(`  ${num(x.jobs)} × ${x.reason}`);
  }
  // A cluster far bigger than its trace gives every policy the same free nodes: the table then
  // ranks nothing, and a reader should be told so rather than left to read tie-breaks as results.
  const busiest = Math.max(0, ...reports.map((r) => r.utilisation));
  if (reports.length > 1 && busiest < 0.05 && reports.every((r) => r.queueingDelayS.mean === 0 && anyStarted(r) && r.jobs.waitingAtEnd === 0 && r.jobs.unschedulable === 0)) {
    out.push('', `Note: the cluster is at most ${pct(busiest)} used and no job waited, so every policy found free nodes: this comparison does not rank the policies. Use a smaller cluster (or a busier trace), or fill mode (--fill) for placement quality.`);
  }
  const broken = reports.filter((r) => !r.checks.jobsConserved || !r.checks.gpuSecondsBalance || !r.checks.noEarlyStart);
  out.push('', broken.length ? `Conservation checks FAILED for ${broken.map((r) => r.policy).join(', ')}` : 'Checks: every job accounted for; GPU-hours of jobs = GPU-hours of nodes.');
  return out.join('\n');
}

/** Does the plan hold once preemptions and queueing are played out? One row per policy. */
export function renderPlanCheck(p: PlanOutcome): string {
  const out: string[] = [`Plan "${p.scenario}" (${duration(p.horizonS)}) played out on the trace:`];
  out.push(
    table(
      [
        { header: 'Policy' },
        { header: 'Plan (USD)', align: 'right' },
        { header: 'Simulated', align: 'right' },
        { header: 'Finished', align: 'right' },
        { header: 'Unfinished', align: 'right' },
        { header: 'Late', align: 'right' },
        { header: 'Wait mean', align: 'right' },
        { header: 'p99', align: 'right' },
        { header: 'Preempt', align: 'right' },
        { header: 'Holds', align: 'right' },
      ],
      p.checks.map((c) => [
        c.policy,
        money(c.planUsd, 'USD'),
        money(c.simulatedUsd, 'USD'),
        `${num(c.finished)}/${num(c.jobs)}`,
        num(c.unfinished + c.unschedulable),
        c.withDeadline > 0 ? `${num(c.late)}/${num(c.withDeadline)}` : '',
        duration(c.waitMeanS),
        duration(c.waitP99S),
        num(c.preemptions),
        c.holds ? 'yes' : 'NO',
      ]),
      { indent: '  ' },
    ),
  );
  const after = p.checks[0]?.afterPlan ?? 0;
  if (after > 0) out.push(`  ${num(after)} job${after > 1 ? 's' : ''} arrive after the plan's last period: nothing was bought for them (not simulated, the plan does not hold).`);
  if (p.fixedCostUsd.gt(0)) out.push(`  Simulated includes ${money(p.fixedCostUsd, 'USD')} of savings plan commitments, paid whatever runs.`);
  out.push('  Unfinished: jobs still running or waiting when the plan ends, or that fit no node the plan buys. Wait: from arrival to first start (provisioning included).');
  for (const n of p.notes) out.push(`  Note: ${n}.`);
  return out.join('\n');
}

export function renderFill(scenario: string, reports: FillReport[], pods: number): string {
  const c = reports[0]?.currency ?? 'USD';
  const r0 = reports[0];
  const out: string[] = [];
  if (r0 && r0.clusterGpus === 0) out.push('Note: the cluster has no GPUs, so no GPU pod can be placed; give the scenario GPU pools (or --nodes) to measure fragmentation.', '');
  if (r0) out.push(`${scenario} · fill mode · ${num(pods)} pods ${r0.order === 'shuffled' ? `shuffled (seed ${r0.seed})` : 'in list order'} · ${num(r0.clusterGpus)} GPUs · ${money(r0.clusterCostPerHour, c)}/h · ${c}`, '');
  out.push(
    table(
      [
        { header: 'Policy' },
        { header: 'Pods', align: 'right' },
        { header: 'Arrived GPUs', align: 'right' },
        { header: 'Unplaced GPUs', align: 'right' },
        { header: 'Unplaced', align: 'right' },
        { header: 'Allocated', align: 'right' },
        { header: 'First refusal', align: 'right' },
        { header: 'Stranded GPUs', align: 'right' },
        { header: `Stranded ${c}/h`, align: 'right' },
      ],
      reports.map((r) => [
        r.policy,
        num(r.pods),
        num(r.arrivedGpus, 1),
        num(r.unplacedGpus, 1),
        pct(r.unplacedShare),
        r.clusterGpus > 0 ? pct(r.allocatedGpus / r.clusterGpus) : '—',
        r.firstFailureAtShare === undefined ? 'none' : `at ${pct(r.firstFailureAtShare)}`,
        num(r.strandedGpus, 1),
        money(r.strandedCostPerHour, c),
      ]),
    ),
  );
  // The paper's curve: unplaced share of GPU demand as arrived demand grows.
  const marks = [0.5, 0.6, 0.7, 0.8, 0.9, 1.0].filter((m) => reports.some((r) => r.curve.some((p) => p.arrivedShare >= m - 1e-9)));
  if (marks.length) {
    out.push('', 'Unplaced GPU demand as the cluster fills (arrived demand as a share of GPU capacity):');
    out.push(
      table(
        [{ header: 'Policy' }, ...marks.map((m) => ({ header: pct(m, 0), align: 'right' as const }))],
        reports.map((r) => [r.policy, ...marks.map((m) => {
          const p = r.curve.find((x) => x.arrivedShare >= m - 1e-9);
          return p ? pct(p.unplacedShare) : '';
        })]),
        { indent: '  ' },
      ),
    );
  }
  out.push('', 'Stranded GPUs: free GPU capacity left when demand was refused — paid for, unusable because of fragmentation.');
  const never = reports[0];
  if (never && never.neverFitPods > 0) {
    out.push(`${num(never.neverFitPods)} pod${never.neverFitPods > 1 ? 's' : ''} (${num(never.neverFitGpus, 1)} GPUs) fit no node even empty (more CPU or memory than any node has, more gang members than the cluster has slots, or a GPU model no pool has): left out of the figures above, which count fragmentation only.`);
  }
  return out.join('\n');
}

/** Kept here too for callers that import it from the command. */
export { resultToJson };
