/** Plans: optimised cost beside its baselines, what to buy where, and what binds. */
import { api, type Job, type RunResult } from '../api.js';
import { chart } from '../chart.js';
import { card, h, table, html } from '../dom.js';
import { money, num, pct, moneyAxis } from '../format.js';
import { withRuns, type RunStarter } from './runs.js';

/** A plan run's result: the member of the run results that has a solver. */
type PlanResult = Extract<RunResult, { solver: unknown }>;

function compactRuns(runs: PlanResult['plan'][number]['runs'], max = 6): string {
  const text = runs.map((r) => `t${r.from}${r.to > r.from ? `–${r.to}` : ''} ×${r.count}`);
  return text.length > max ? `${text.slice(0, max).join(', ')}, … (${text.length} runs)` : text.join(', ');
}

/**
 * A self-contained plan to start from (the API reads no files: built-in catalog, inline demand):
 * one day, hourly, two classes. docs/planner.md has every field.
 */
export const EXAMPLE_PLAN = `name: plan-day
currency: USD
periodHours: 1
periods: 24
catalogs: [builtin]
classes:
  - name: training
    demand: [40, 40, 40, 40, 40, 40, 48, 56, 64, 64, 64, 64, 64, 64, 64, 64, 56, 48, 40, 40, 40, 40, 40, 40]
    gpus: { H100: 2.2, A100: 1.0 }
    spotShare: 0.25
  - name: inference
    demand: [8, 6, 6, 6, 8, 12, 20, 28, 32, 32, 32, 32, 32, 32, 32, 32, 28, 24, 20, 16, 12, 10, 8, 8]
    gpus: { H100: 1.9, L4: 0.3, A10G: 0.38 }
spot:
  availability: 0.85
`;

function planStarter(): RunStarter {
  const form = h(html`<form id="plan-form" class="run-form">
      <label for="plan-scenario">Plan scenario (YAML or JSON; built-in catalog and demand as numbers per period; see docs/planner.md)</label>
      <textarea id="plan-scenario" name="scenario" rows="16" spellcheck="false" required>${EXAMPLE_PLAN}</textarea>
      <div><button type="submit">Solve and record</button></div>
    </form>`) as HTMLFormElement;
  return {
    title: 'Solve a new plan',
    form,
    submit: (f) => api<Job>('/api/plans', { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: (f.elements.namedItem('scenario') as HTMLTextAreaElement).value }),
  };
}

export function plans(root: HTMLElement): Promise<void> {
  return withRuns<PlanResult>(root, 'plan', 'Plans', 'Record one with: penny plan examples/plan-week.yaml --save (or run penny demo).', (run, into) => {
    const p = run.result;
    const c = p.currency ?? 'USD';
    const best = p.savings[0];
    into.append(
      h(html`<div class="cards">
        ${card('Plan cost', money(p.totalUsd, c, 0), `${num(p.periods)} periods × ${num(p.periodHours)} h`)}
        ${p.savings.map((s) => card(`Saves vs ${s.baseline}`, money(s.savingUsd, c, 0), pct(s.share)))}
        ${card('MIP gap proved', p.solver.gap === null ? '—' : pct(p.solver.gap, 2), `${p.solver.name}, ${p.solver.status}, ${num(p.timingsS.totalS, 1)} s`)}
      </div>`),
    );
    const grid = h(html`<div class="grid2"></div>`);
    into.append(grid);
    const bars = [...p.baselines.filter((b) => b.feasible && b.totalUsd !== null).map((b) => ({ name: b.name, value: Number(b.totalUsd) })), { name: 'optimised plan', value: Number(p.totalUsd) }];
    const left = h(html`<section><h2>Baselines and the plan</h2></section>`);
    const right = h(html`<section><h2>Cost by pricing model</h2></section>`);
    grid.append(left, right);
    chart(left, {
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => money(Number(v), c, 0) },
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: bars.map((b) => b.name) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => moneyAxis(v, c) } },
      series: [{ type: 'bar', data: bars.map((b, i) => ({ value: b.value, itemStyle: { color: i === bars.length - 1 ? '#067647' : '#9aa4b5' } })), label: { show: true, position: 'top', formatter: (x: { value: number }) => money(x.value, c, 0) } }],
    }, { id: 'chart-plan-baselines', label: `Total cost of each baseline beside the optimised plan: ${bars.map((b) => `${b.name} ${money(b.value, c, 0)}`).join(', ')}.` });
    chart(right, {
      tooltip: { trigger: 'item', valueFormatter: (v: unknown) => money(Number(v), c, 0) },
      series: [{ type: 'pie', radius: ['35%', '58%'], data: Object.entries(p.costByPriceModel).map(([name, v]) => ({ name, value: Number(v) })).filter((d) => d.value > 0), label: { formatter: '{b}: {d}%' } }],
    }, { id: 'chart-plan-pricing', label: `Plan cost by pricing model: ${Object.entries(p.costByPriceModel).filter(([, v]) => Number(v) > 0).map(([k, v]) => `${k} ${money(v, c, 0)}`).join(', ')}.` });
    // Instances held per period, stacked by what is bought: the plan's shape over the horizon.
    const periods = Array.from({ length: p.periods }, (_, t) => t);
    chart(into, {
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', top: 0 },
      // Room below the legend for the y axis's name, and the x axis's name under its labels (at the
      // end of the axis it was clipped at the chart's right edge).
      grid: { left: 8, right: 24, top: 56, bottom: 28, containLabel: true },
      xAxis: { type: 'category', data: periods.map((t) => `t${t}`), name: 'period', nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'value', name: 'instances' },
      series: p.plan.map((o) => {
        const counts = new Array<number>(p.periods).fill(0);
        for (const r of o.runs) for (let t = r.from; t <= r.to && t < p.periods; t++) counts[t] = r.count;
        return { name: `${o.offering} (${o.priceModel})`, type: 'line', stack: 'plan', areaStyle: {}, showSymbol: false, step: 'end', data: counts };
      }),
    }, { id: 'chart-plan-timeline', height: 340, label: `Instances held in each of ${p.periods} periods, stacked by offering and pricing model; the What to buy table lists them with their run-lengths.` });
    into.append(h(html`<h2>What to buy</h2>`));
    into.append(
      table(
        [{ label: 'Offering' }, { label: 'GPU' }, { label: 'Buy as' }, { label: 'USD/h', num: true }, { label: 'Instances per period (run-length)' }, { label: `Cost (${c})`, num: true }],
        p.plan.map((o) => [o.offering, `${o.gpuCount}×${o.gpu}`, o.priceModel, money(o.priceUsdPerHour, 'USD'), compactRuns(o.runs), o.costUsd !== undefined ? money(o.costUsd, c) : '']),
        { id: 'plan-table' },
      ),
    );
    if (p.explanations.length) {
      into.append(h(html`<h2>What binds, and what relaxing it would save</h2>`));
      into.append(table([{ label: 'Constraint' }, { label: 'Relaxed to' }, { label: `Would save (${c})`, num: true }, { label: 'Priced on' }, { label: 'Marginal', num: true }], p.explanations.map((e) => [e.constraint, e.relaxation, e.savingUsd === null ? 'nothing' : money(e.savingUsd, c), e.pricedOn ?? 'LP relaxation', e.marginalUsd === null ? '' : money(e.marginalUsd, c)])));
    }
    if (best) into.append(h(html`<p class="note">Baselines are computed in the same run: ${p.baselines.map((b) => `${b.name}: ${b.note}`).join('; ')}.</p>`));
  }, planStarter());
}
