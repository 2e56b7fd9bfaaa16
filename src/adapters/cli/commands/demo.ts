import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { buildDemo } from '../../../app/demo.js';
import { costReportToJson } from '../../../core/cost/tco.js';
import { recommendationToJson } from '../../../core/finops/scenario-savings.js';
import { parseScenario } from '../../importers/scenario.js';
import { loadSeries } from '../../importers/series-source.js';
import { focusSource } from '../../importers/focus-thread.js';
import { budgetStatusToJson } from '../../../app/billing.js';
import type { Workspace } from '../../../app/workspace.js';
import { planCapacity } from '../../../app/plan.js';
import { recordPlanRun, recordSimulationRun } from '../../../app/runs.js';
import { runSimulation } from '../../../app/simulate.js';
import { dec } from '../../../core/money.js';
import { loadPlanScenario } from '../../importers/plan-scenario.js';
import { readJobTrace } from '../../importers/jobs-csv.js';
import { loadSimScenario } from '../../importers/sim-scenario.js';
import { planToJson } from './plan.js';
import { resultToJson } from './simulate.js';
import type { RegisterCommand } from '../context.js';
import { globalOpts, printJson } from '../context.js';
import { money, table } from '../render.js';
import { renderCostReport, savingHeader } from './cost.js';
import { parsePort, startServer } from './serve.js';
import { Option } from 'commander';
import { telemetryIo } from '../../importers/telemetry-io.js';

export const DEMO_WORKSPACE = '.penny-demo';

/**
 * The demo's plan (examples/demo/plan.yaml, two days, about 3 s of HiGHS) and simulation
 * (examples/sim/cloud.yaml on examples/sim/jobs.csv), recorded as runs for the dashboard.
 */
export async function recordDemoRuns(ws: Pick<Workspace, 'store' | 'clock' | 'solver'>, packageRoot: string): Promise<{ plan: { totalUsd: string; savings: { baseline: string; savingUsd: string; share: number }[] }; simulation: { policies: string[] } }> {
  const planFile = join(packageRoot, 'examples', 'demo', 'plan.yaml');
  const loaded = await loadPlanScenario(planFile);
  const r = await planCapacity(loaded.inputs, ws.solver(), { mipRelGap: 0.005, explain: true });
  const plan = planToJson(r, loaded.catalogs) as { scenario: string; totalUsd: string; savings: { baseline: string; savingUsd: string; share: number }[]; solver: unknown };
  await recordPlanRun(ws.store, ws.clock, plan, { demo: 'examples/demo/plan.yaml', source: await readFile(planFile, 'utf8') });
  const simFile = join(packageRoot, 'examples', 'sim', 'cloud.yaml');
  const trace = await readJobTrace(join(packageRoot, 'examples', 'sim', 'jobs.csv'));
  const policies = ['fifo', 'sjf', 'backfill', 'best-fit', 'least-loaded', 'perf-cost'];
  const sim = runSimulation({ scenario: await loadSimScenario(simFile), jobs: trace.jobs, hasTimes: trace.hasTimes, policies, fill: false });
  const simJson = resultToJson(sim, trace.format) as { scenario: string; mode: string };
  await recordSimulationRun(ws.store, ws.clock, simJson, { inputs: { demo: 'examples/sim/cloud.yaml', policies }, policies, jobs: trace.jobs.length });
  return { plan, simulation: { policies } };
}

export const registerDemo: RegisterCommand = (program, ctx) => {
  program
    .command('demo')
    .description('build the demo workspace from bundled example data and print a one-screen summary')
    .option('--json', 'print the summary as JSON')
    .option('--serve', 'then serve the dashboard on the demo workspace')
    .addOption(new Option('--port <port>', 'port for --serve (0 picks a free one)').default(8000).argParser(parsePort))
    .addHelpText('after', `\nThe demo workspace is ./${DEMO_WORKSPACE} unless --workspace or PENNY_WORKSPACE names another.\n\nExample:\n  penny demo\n  penny --workspace /tmp/penny-demo demo --json`)
    .action(async (opts: { json?: boolean; serve?: boolean; port: number }, cmd) => {
      const dir = ctx.workspaceDir(globalOpts(cmd).workspace ?? process.env.PENNY_WORKSPACE ?? DEMO_WORKSPACE);
      const scenarioFile = join(ctx.packageRoot, 'examples', 'demo', 'scenario.yaml');
      const source = await readFile(scenarioFile, 'utf8');
      const scenario = parseScenario(source, 'examples/demo/scenario.yaml');
      const demandFile = join(ctx.packageRoot, 'examples', 'demo', 'gpu-demand.csv');
      const { series } = await loadSeries(demandFile);
      const billFile = join(ctx.packageRoot, 'examples', 'demo', 'billing-focus.csv');
      const ws = await ctx.openWorkspace(dir);
      let demo;
      let runs;
      try {
        demo = await buildDemo(ws.store, ws.clock, {
          scenario,
          scenarioSource: source,
          demand: { series, source: 'examples/demo/gpu-demand.csv' },
          billing: { store: ws.billing, path: billFile, source: await focusSource(billFile), budgetUsd: '150000' },
          telemetry: { store: ws.telemetry, io: telemetryIo, file: join(ctx.packageRoot, 'examples', 'demo', 'gpu-telemetry.csv') },
        });
        runs = await recordDemoRuns(ws, ctx.packageRoot);
      } finally {
        await ws.close();
      }
      const r = demo.report;
      if (opts.json) {
        printJson(ctx, { workspace: dir, report: costReportToJson(r), topSavings: demo.topSavings.map(recommendationToJson), ...(demo.forecast && { forecast: { model: demo.forecast.model, unit: demo.forecast.unit, metrics: demo.forecast.metrics } }), budgets: (demo.budgets ?? []).map(budgetStatusToJson) });
        return;
      }
      const lines = [`Penny demo · workspace ${dir}`, '', renderCostReport(r, 'category')];
      if (demo.topSavings.length) {
        lines.push('', 'Three largest savings:');
        lines.push(
          table(
            [{ header: '#' }, { header: 'Action' }, { header: savingHeader(r), align: 'right' }, { header: 'Why' }],
            demo.topSavings.map((s, i) => [String(i + 1), s.title, money(s.saving, r.currency), s.basis]),
            { indent: '  ' },
          ),
        );
      }
      if (demo.forecast) {
        const f = demo.forecast;
        const m = f.metrics as { mase: number; baselineMase: number; baseline: string; coverageP10P90: number };
        const peak = Math.max(...f.points.map((p) => p.p90));
        lines.push('', `GPU demand next week (${f.model}, MASE ${m.mase.toFixed(2)} vs ${m.baseline} ${m.baselineMase.toFixed(2)}, P10–P90 coverage ${(m.coverageP10P90 * 100).toFixed(0)}% in backtest): P90 peak ${peak.toFixed(0)} ${f.unit}`);
      }
      for (const b of demo.budgets ?? []) {
        lines.push('', `Budget ${b.name} (${b.period.start.slice(0, 7)}): spent ${money(b.spent, b.currency)} of ${money(b.amount, b.currency)} by ${b.period.asOf.slice(0, 10)}; forecast ${money(b.forecast, b.currency)}${b.overrun.gt(0) ? `, over by ${money(b.overrun, b.currency)}: ${b.actions.length} action${b.actions.length === 1 ? '' : 's'} ${b.closesGap ? 'close it' : 'found'} (penny budget status)` : ' (on track)'}`);
      }
      if (demo.telemetry) lines.push('', `GPU telemetry: examples/demo/gpu-telemetry.csv in the workspace (${demo.telemetry.created ? 'ingested now' : 'already there'}) · try: penny --workspace ${dir} gpu waste`);
      if (runs) {
        const best = runs.plan.savings[0];
        lines.push('', `Capacity plan (examples/demo/plan.yaml, 48 h): ${money(dec(runs.plan.totalUsd), 'USD')}${best ? `, ${money(dec(best.savingUsd), 'USD')} (${(best.share * 100).toFixed(1)}%) below ${best.baseline}` : ''}; simulation of ${runs.simulation.policies.length} scheduling policies recorded (see the dashboard)`);
      }
      lines.push('', 'Next: penny cost examples/demo/scenario.yaml --by resource · penny --help');
      ctx.stdout(lines.join('\n'));
      if (opts.serve) {
        ctx.stdout('');
        await startServer(ctx, dir, { host: '127.0.0.1', port: opts.port });
      }
    });
};
