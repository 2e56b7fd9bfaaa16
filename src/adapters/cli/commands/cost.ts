import { Option } from 'commander';
import { costAndRecord, costScenario } from '../../../app/cost.js';
import { costReportToJson, CATEGORIES, type CostReport } from '../../../core/cost/tco.js';
import { recommendationToJson, type Recommendation } from '../../../core/finops/scenario-savings.js';
import { roundPartsToTotal, minorUnits } from '../../../core/money.js';
import { loadScenario } from '../../importers/scenario.js';
import { readFile } from 'node:fs/promises';
import type { CliContext, RegisterCommand } from '../context.js';
import { globalOpts, printJson, withWorkspace } from '../context.js';
import { serverFor } from '../remote.js';
import { bar, money, num, pct, table } from '../render.js';

export const registerCost: RegisterCommand = (program, ctx) => {
  program
    .command('cost')
    .description('total cost of ownership of a scenario, by category or by resource')
    .argument('<scenario>', 'scenario file (YAML or JSON); see docs/scenario.md')
    .option('--json', 'print exact JSON (every money value a decimal string)')
    .addOption(new Option('--by <view>', 'break the total down by').choices(['category', 'resource']).default('category'))
    .addOption(new Option('--capex <mode>', 'override the scenario: amortise capex over its lifetime, or expense it in full').choices(['amortise', 'expense']))
    .option('--save', 'record the scenario and its report in the workspace')
    .addHelpText('after', '\nExamples:\n  penny cost examples/lp-example.yaml\n  penny cost examples/energy-example.yaml --capex expense --json\n  penny cost examples/demo/scenario.yaml --by resource')
    .action(async (file: string, opts: { json?: boolean; by: 'category' | 'resource'; capex?: 'amortise' | 'expense'; save?: boolean }, cmd) => {
      const scenario = await loadScenario(file);
      const tcoOpts = opts.capex ? { capex: opts.capex } : {};
      let result = costScenario(scenario, tcoOpts);
      if (opts.save) {
        const source = await readFile(file, 'utf8');
        const server = await serverFor(ctx, ctx.workspaceDir(globalOpts(cmd).workspace));
        // Beside a running server it records the scenario (parsed again there, from the same text);
        // the report printed here is the one it computed from the same scenario.
        if (server) await server.postText('/api/scenarios', source, /\.json$/i.test(file) ? 'application/json' : 'application/yaml', { capex: opts.capex });
        else result = await withWorkspace(ctx, cmd, (ws) => costAndRecord(ws.store, ws.clock, scenario, source, tcoOpts));
      }
      if (opts.json) {
        printJson(ctx, { ...costReportToJson(result.report), savings: result.savings.map(recommendationToJson) });
        return;
      }
      ctx.stdout(renderCostReport(result.report, opts.by, result.savings));
    });
};

export function renderCostReport(r: CostReport, by: 'category' | 'resource', savings: Recommendation[] = []): string {
  const c = r.currency;
  const out: string[] = [];
  out.push(`${r.scenario} · ${num(r.periodHours)} h (${periodDays(r.periodHours)}) · capex ${r.capex === 'expense' ? 'expensed' : 'amortised'} · ${c}`);
  out.push('');
  const decimals = minorUnits(c);
  if (by === 'category') {
    const parts = CATEGORIES.map((k) => r.byCategory[k]);
    const shown = roundPartsToTotal(parts, decimals);
    const rows = CATEGORIES.map((k, i) => {
      const share = r.total.gt(0) ? parts[i]!.div(r.total).toNumber() : 0;
      return [capital(k), money(shown[i]!, c), pct(share), bar(share, 20)];
    });
    rows.push(['Total', money(r.total, c), r.total.gt(0) ? '100.0%' : '', '']);
    out.push(table([{ header: 'Category' }, { header: `Amount (${c})`, align: 'right' }, { header: 'Share', align: 'right' }, { header: '' }], rows));
    const ops = (['energy', 'network', 'maintenance'] as const).filter((k) => r.byComponent[k].gt(0));
    if (ops.length) {
      out.push('');
      out.push(`Operations: ${ops.map((k) => `${k} ${money(r.byComponent[k], c)}`).join(' · ')}`);
    }
  } else {
    const rows = r.byResource.map((x) => [
      x.name,
      x.kind,
      num(x.count),
      money(x.total, c),
      x.utilisation !== undefined ? pct(x.utilisation) + (x.utilisationMeasured ? '' : '*') : '',
      x.idleCost !== undefined ? money(x.idleCost, c) : '',
      x.costPerUsefulGpuHour ? money(x.costPerUsefulGpuHour, c) : '',
      x.perfCostRatio ? `${num(x.perfCostRatio, 4)} ${x.throughput!.unit}/${c}` : '',
    ]);
    rows.push(['Total', '', '', money(r.total, c), '', money(r.idleCost, c), '', '']);
    out.push(
      table(
        [
          { header: 'Resource' },
          { header: 'Kind' },
          { header: 'Count', align: 'right' },
          { header: `Cost (${c})`, align: 'right' },
          { header: 'Utilisation', align: 'right' },
          { header: 'Idle cost', align: 'right' },
          { header: 'Per useful GPU-h', align: 'right' },
          { header: 'Perf/cost R' },
        ],
        rows,
      ),
    );
    if (r.byResource.some((x) => x.utilisation !== undefined && !x.utilisationMeasured)) out.push('* utilisation not given in the scenario; taken as 100%');
  }
  if (r.energyKwh.gt(0)) out.push(`Energy: ${num(r.energyKwh, 1)} kWh (PUE included)`);
  if (r.idleCost.gt(0) && by === 'category') out.push(`Idle capacity: ${money(r.idleCost, c)} of the total pays for resources while idle`);
  if (savings.length) {
    out.push('');
    out.push('Savings found:');
    out.push(
      table(
        [{ header: 'Action' }, { header: savingHeader(r), align: 'right' }, { header: 'Effort' }],
        savings.map((s) => [s.title, money(s.saving, c), s.effort]),
        { indent: '  ' },
      ),
    );
  }
  return out.join('\n');
}

function capital(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}

/** "365 days", "1 day", "1.5 days": the scenario's period, as the report's first line states it. */
function periodDays(hours: number): string {
  const days = hours / 24;
  return `${num(days, days % 1 ? 1 : 0)} ${days === 1 ? 'day' : 'days'}`;
}

/**
 * A scenario saving is over the scenario's period, where budget and GPU savings are per month:
 * its column says which ("Saving over 365 days (USD)"), so the two are never read as one unit.
 */
export function savingHeader(r: Pick<CostReport, 'periodHours' | 'currency'>): string {
  return `Saving over ${periodDays(r.periodHours)} (${r.currency})`;
}
