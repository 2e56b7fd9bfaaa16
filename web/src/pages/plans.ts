/** Plans: optimised cost beside its baselines, what to buy where, and what binds. */
import { chart } from '../chart.js';
import { card, h, table } from '../dom.js';
import { money, num, pct } from '../format.js';
import { withRuns } from './runs.js';

interface PlanResult {
  scenario: string;
  currency: string;
  periodHours: number;
  periods: number;
  solver: { name: string; status: string; gap: number | null };
  timingsS: { totalS: number };
  plan: { offering: string; gpu: string; gpuCount: number; priceModel: string; priceUsdPerHour: string; runs: { from: number; to: number; count: number }[]; instanceHours?: number; costUsd?: string }[];
  totalUsd: string;
  costByPriceModel: Record<string, string>;
  costByProvider: Record<string, string>;
  costByGpu: Record<string, string>;
  baselines: { name: string; feasible: boolean; totalUsd: string | null; note: string }[];
  savings: { baseline: string; savingUsd: string; share: number }[];
  explanations: { constraint: string; relaxation: string; savingUsd: string | null; marginalUsd: string | null }[];
}

function compactRuns(runs: PlanResult['plan'][number]['runs'], max = 6): string {
  const text = runs.map((r) => `t${r.from}${r.to > r.from ? `–${r.to}` : ''} ×${r.count}`);
  return text.length > max ? `${text.slice(0, max).join(', ')}, … (${text.length} runs)` : text.join(', ');
}

export function plans(root: HTMLElement): Promise<void> {
  return withRuns<PlanResult>(root, 'plan', 'Plans', 'Record one with: penny plan examples/plan-week.yaml --save (or run penny demo).', (run, into) => {
    const p = run.result;
    const c = p.currency ?? 'USD';
    const best = p.savings[0];
    into.append(
      h(`<div class="cards">
        ${card('Plan cost', money(p.totalUsd, c, 0), `${num(p.periods)} periods × ${num(p.periodHours)} h`)}
        ${p.savings.map((s) => card(`Saves vs ${s.baseline}`, money(s.savingUsd, c, 0), pct(s.share))).join('')}
        ${card('MIP gap proved', p.solver.gap === null ? '—' : pct(p.solver.gap, 2), `${p.solver.name}, ${p.solver.status}, ${num(p.timingsS.totalS, 1)} s`)}
      </div>`),
    );
    const grid = h('<div class="grid2"></div>');
    into.append(grid);
    const bars = [...p.baselines.filter((b) => b.feasible && b.totalUsd !== null).map((b) => ({ name: b.name, value: Number(b.totalUsd) })), { name: 'optimised plan', value: Number(p.totalUsd) }];
    const left = h('<section><h2>Baselines and the plan</h2></section>');
    const right = h('<section><h2>Cost by pricing model</h2></section>');
    grid.append(left, right);
    chart(left, {
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => money(Number(v), c, 0) },
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: bars.map((b) => b.name) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => money(v, c, 0) } },
      series: [{ type: 'bar', data: bars.map((b, i) => ({ value: b.value, itemStyle: { color: i === bars.length - 1 ? '#067647' : '#9aa4b5' } })), label: { show: true, position: 'top', formatter: (x: { value: number }) => money(x.value, c, 0) } }],
    }, { id: 'chart-plan-baselines' });
    chart(right, {
      tooltip: { trigger: 'item', valueFormatter: (v: unknown) => money(Number(v), c, 0) },
      series: [{ type: 'pie', radius: ['40%', '70%'], data: Object.entries(p.costByPriceModel).map(([name, v]) => ({ name, value: Number(v) })).filter((d) => d.value > 0), label: { formatter: '{b}: {d}%' } }],
    }, { id: 'chart-plan-pricing' });
    // Instances held per period, stacked by what is bought: the plan's shape over the horizon.
    const periods = Array.from({ length: p.periods }, (_, t) => t);
    chart(into, {
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: periods.map((t) => `t${t}`), name: 'period' },
      yAxis: { type: 'value', name: 'instances' },
      series: p.plan.map((o) => {
        const counts = new Array<number>(p.periods).fill(0);
        for (const r of o.runs) for (let t = r.from; t <= r.to && t < p.periods; t++) counts[t] = r.count;
        return { name: `${o.offering} (${o.priceModel})`, type: 'line', stack: 'plan', areaStyle: {}, showSymbol: false, step: 'end', data: counts };
      }),
    }, { id: 'chart-plan-timeline', height: 340 });
    into.append(h('<h2>What to buy</h2>'));
    into.append(
      table(
        [{ label: 'Offering' }, { label: 'GPU' }, { label: 'Buy as' }, { label: 'USD/h', num: true }, { label: 'Instances per period (run-length)' }, { label: `Cost (${c})`, num: true }],
        p.plan.map((o) => [o.offering, `${o.gpuCount}×${o.gpu}`, o.priceModel, money(o.priceUsdPerHour, 'USD'), compactRuns(o.runs), o.costUsd !== undefined ? money(o.costUsd, c) : '']),
        { id: 'plan-table' },
      ),
    );
    if (p.explanations.length) {
      into.append(h('<h2>What binds, and what relaxing it would save</h2>'));
      into.append(table([{ label: 'Constraint' }, { label: 'Relaxed to' }, { label: `Would save (${c})`, num: true }, { label: 'Marginal', num: true }], p.explanations.map((e) => [e.constraint, e.relaxation, e.savingUsd === null ? 'nothing' : money(e.savingUsd, c), e.marginalUsd === null ? '' : money(e.marginalUsd, c)])));
    }
    if (best) into.append(h(`<p class="note">Baselines are computed in the same run: ${p.baselines.map((b) => `${b.name}: ${b.note}`).join('; ')}.</p>`));
  });
}
