import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { buildDemo } from '../../../app/demo.js';
import { costReportToJson } from '../../../core/cost/tco.js';
import { recommendationToJson } from '../../../core/finops/scenario-savings.js';
import { parseScenario } from '../../importers/scenario.js';
import type { RegisterCommand } from '../context.js';
import { globalOpts, printJson } from '../context.js';
import { money, table } from '../render.js';
import { renderCostReport } from './cost.js';
import { telemetryIo } from '../../importers/telemetry-io.js';
import { SqlTelemetryStore } from '../../store/sql-telemetry-store.js';
import type { SqlSession } from '../../store/session.js';

export const DEMO_WORKSPACE = '.penny-demo';

export const registerDemo: RegisterCommand = (program, ctx) => {
  program
    .command('demo')
    .description('build the demo workspace from bundled example data and print a one-screen summary')
    .option('--json', 'print the summary as JSON')
    .addHelpText('after', `\nThe demo workspace is ./${DEMO_WORKSPACE} unless --workspace or PENNY_WORKSPACE names another.\n\nExample:\n  penny demo\n  penny --workspace /tmp/penny-demo demo --json`)
    .action(async (opts: { json?: boolean }, cmd) => {
      const dir = ctx.workspaceDir(globalOpts(cmd).workspace ?? process.env.PENNY_WORKSPACE ?? DEMO_WORKSPACE);
      const scenarioFile = join(ctx.packageRoot, 'examples', 'demo', 'scenario.yaml');
      const source = await readFile(scenarioFile, 'utf8');
      const scenario = parseScenario(source, 'examples/demo/scenario.yaml');
      const store = await ctx.openStore(dir);
      let demo;
      try {
        const session = (store as { session?: SqlSession }).session;
        const telemetry = session && { store: new SqlTelemetryStore(session), io: telemetryIo, file: join(ctx.packageRoot, 'examples', 'demo', 'gpu-telemetry.csv') };
        demo = await buildDemo(store, ctx.clock, { scenario, scenarioSource: source, ...(telemetry && { telemetry }) });
      } finally {
        await store.close();
      }
      const r = demo.report;
      if (opts.json) {
        printJson(ctx, { workspace: dir, report: costReportToJson(r), topSavings: demo.topSavings.map(recommendationToJson) });
        return;
      }
      const lines = [`Penny demo · workspace ${dir}`, '', renderCostReport(r, 'category')];
      if (demo.topSavings.length) {
        lines.push('', 'Three largest savings:');
        lines.push(
          table(
            [{ header: '#' }, { header: 'Action' }, { header: `Saving (${r.currency})`, align: 'right' }, { header: 'Why' }],
            demo.topSavings.map((s, i) => [String(i + 1), s.title, money(s.saving, r.currency), s.basis]),
            { indent: '  ' },
          ),
        );
      }
      if (demo.telemetry) lines.push('', `GPU telemetry: examples/demo/gpu-telemetry.csv in the workspace (${demo.telemetry.created ? 'ingested now' : 'already there'}) · try: penny --workspace ${dir} gpu waste`);
      lines.push('', 'Next: penny cost examples/demo/scenario.yaml --by resource · penny --help');
      ctx.stdout(lines.join('\n'));
    });
};
