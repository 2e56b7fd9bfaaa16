/** Overview: where the money goes (the latest cost report) and the largest savings. */
import { api, ApiError, type ApiResponse } from '../api.js';
import { chart } from '../chart.js';
import { card, emptyState, h, table, html } from '../dom.js';
import { money, num, pct, moneyAxis } from '../format.js';
import { stackByCurrency } from '../stack.js';

type Report = ApiResponse<'/api/reports/latest'>['report'];

const CATEGORIES = ['hardware', 'software', 'data', 'staff', 'operations'];
/** The budget's vertical line on each budget chart (tests look for this colour). */
const BUDGET_LINE = '#111827';

type BudgetEntry = ApiResponse<'/api/budgets/status'>[number];
type Budget = Extract<BudgetEntry, { period: unknown }>;

type ReportRow = ApiResponse<'/api/billing/report'>[number];

/** Spend over time by service category, and each budget's burn and forecast (when billing is ingested). */
async function billingSection(root: HTMLElement): Promise<boolean> {
  const rows = await api<ReportRow[]>('/api/billing/report?by=ServiceCategory&granularity=day');
  if (rows.length === 0) return false;
  // A budget whose scope or currency matches no data is refused (422): say why, keep the page.
  let budgetProblem: string | undefined;
  const entries = await api<BudgetEntry[]>('/api/budgets/status').catch((e: unknown) => {
    if (!(e instanceof ApiError)) throw e;
    budgetProblem = e.message;
    return [];
  });
  const budgets = entries.filter((b) => !('problem' in b)) as Budget[];
  root.append(h(html`<h2>Spend over time (billing, effective cost)</h2>`));
  // One chart per currency: amounts in different currencies are never stacked or added up.
  const charts = stackByCurrency(rows, (r) => r.keys.ServiceCategory ?? '(none)');
  for (const [i, c] of charts.entries()) {
    const { currency, periods: days } = c;
    if (charts.length > 1) root.append(h(html`<h3>In ${currency}</h3>`));
    chart(root, {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: unknown) => money(Number(v), currency, 0) },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: days },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => moneyAxis(v, currency) } },
      series: c.series.map((s) => ({ name: s.name, type: 'bar', stack: 'spend', data: s.data })),
    }, { id: i === 0 ? 'chart-spend' : `chart-spend-${currency}`, height: 300, label: `Daily effective cost from billing in ${currency}, stacked by service category (${c.series.map((s) => s.name).join(', ')}), ${days[0]} to ${days.at(-1)}; total ${money(c.total, currency, 0)}.` });
  }
  if (budgetProblem) root.append(emptyState('Budgets cannot be measured', budgetProblem));
  for (const b of entries) if ('problem' in b) root.append(emptyState(`Budget ${b.name} (${b.scope}) cannot be measured`, `${b.problem.title}${b.problem.hint ? ` ${b.problem.hint}` : ''}`));
  for (const b of budgets) {
    const over = Number(b.overrun) > 0;
    const el = h(html`<section class="budget ${over ? 'over' : ''}" data-budget="${b.name}">
      <h2>Budget ${b.name} · ${b.period.start.slice(0, 7)} <small>data to ${b.period.asOf.slice(0, 10)}</small></h2>
      <div class="cards">
        ${card('Spent to date', money(b.spent, b.currency, 0), `${pct(b.spentShare)} of ${money(b.amount, b.currency, 0)}`)}
        ${card('Forecast to month end', money(b.forecast, b.currency, 0), `${pct(b.forecastShare)} of the budget`)}
        ${card(over ? 'Forecast overrun' : 'Headroom', money(over ? b.overrun : Number(b.amount) - Number(b.forecast), b.currency, 0), over ? `${b.actions.length} actions ${b.closesGap ? 'close it' : 'found'}` : 'on track')}
      </div>${b.forecastMethod ? html`<p class="note">Forecast by ${b.forecastMethod}.</p>` : ''}</section>`);
    root.append(el);
    chart(el, {
      grid: { left: 8, right: 24, top: 22, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => money(Number(v), b.currency, 0) },
      xAxis: { type: 'value', max: Math.max(Number(b.amount), Number(b.forecast)) * 1.05, axisLabel: { formatter: (v: number) => moneyAxis(v, b.currency) } },
      yAxis: { type: 'category', data: ['forecast', 'spent'] },
      series: [{ type: 'bar', data: [{ value: Number(b.forecast), itemStyle: { color: over ? '#d92d20' : '#2f6fdb' } }, Number(b.spent)], markLine: { symbol: 'none', silent: true, lineStyle: { color: BUDGET_LINE, type: 'solid', width: 2 }, data: [{ xAxis: Number(b.amount), name: 'budget' }], label: { formatter: 'budget', position: 'end' } } }],
    }, { id: `chart-budget-${b.name}`, height: 134, label: `Budget ${b.name}: spent ${money(b.spent, b.currency, 0)} and forecast ${money(b.forecast, b.currency, 0)} to month end, against the budget line at ${money(b.amount, b.currency, 0)}.` });
    if (b.actions.length) el.append(table([{ label: 'Action (by saving per effort)' }, { label: `Saving/month (${b.currency})`, num: true }, { label: 'Effort' }, { label: 'Gap closed', num: true }], b.actions.map((a) => [a.title, money(a.saving, b.currency), a.effort, `${Math.floor(Math.round(a.closesCumulative * 10000) / 100)}%`])));
  }
  return true;
}

export async function overview(root: HTMLElement): Promise<void> {
  let latest: { scenarioName: string; createdAt: string; report: Report } | undefined;
  try {
    latest = await api('/api/reports/latest');
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
  }
  if (!latest) {
    root.append(h(html`<h1>Overview</h1>`));
    if (!(await billingSection(root))) root.append(emptyState('Nothing to show yet', 'Run `penny demo`, `penny cost FILE --save` or `penny ingest FOCUS.csv`, or upload a file on the Upload page.'));
    return;
  }
  const r = latest.report;
  const c = r.currency;
  const days = r.periodHours / 24;
  const topSaving = r.savings[0];
  // savingsTotal counts each resource-hour once; reports recorded before it existed are summed.
  const totalSavings = r.savingsTotal !== undefined ? Number(r.savingsTotal) : r.savings.reduce((a, s) => a + Number(s.saving), 0);
  root.append(h(html`<h1>Overview <small>${r.scenario} · ${num(days)} days · ${c}</small></h1>`));
  root.append(
    h(html`<div class="cards">
      ${card('Total cost', money(r.total, c, 0), `over ${num(days)} days`)}
      ${card('Paying for idle capacity', money(r.idleCost, c, 0), Number(r.total) > 0 ? `${pct(Number(r.idleCost) / Number(r.total))} of the total` : '')}
      ${card('Energy', `${num(r.energyKwh)} kWh`, 'owned hardware, PUE included')}
      ${card('Savings found', money(totalSavings, c, 0), topSaving ? `over ${num(days)} days; largest: ${topSaving.title}` : 'none')}
    </div>`),
  );
  const grid = h(html`<div class="grid2"></div>`);
  root.append(grid);
  const left = h(html`<section><h2>By category</h2></section>`);
  const right = h(html`<section><h2>By resource</h2></section>`);
  grid.append(left, right);
  chart(
    left,
    {
      tooltip: { trigger: 'item', valueFormatter: (v: unknown) => money(Number(v), c, 0) },
      series: [{ type: 'pie', radius: ['35%', '58%'], data: CATEGORIES.map((k) => ({ name: k, value: Number(r.byCategory[k] ?? 0) })).filter((d) => d.value > 0), label: { formatter: '{b}: {d}%' } }],
    },
    { id: 'chart-category', label: `Total cost by category: ${CATEGORIES.filter((k) => Number(r.byCategory[k] ?? 0) > 0).map((k) => `${k} ${money(r.byCategory[k]!, c, 0)}`).join(', ')}.` },
  );
  const resources = [...r.byResource].sort((a, b) => Number(a.total) - Number(b.total));
  chart(
    right,
    {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: unknown) => money(Number(v), c, 0) },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'value', axisLabel: { formatter: (v: number) => moneyAxis(v, c) } },
      yAxis: { type: 'category', data: resources.map((x) => x.name) },
      series: CATEGORIES.map((k) => ({ name: k, type: 'bar', stack: 'cost', data: resources.map((x) => Number(x.byCategory[k] ?? 0)) })),
    },
    { id: 'chart-resource', height: Math.max(320, resources.length * 26 + 60), label: `Cost of each of ${resources.length} resources, stacked by category; the Resources table below lists them.` },
  );
  await billingSection(root);
  // Over the scenario's period, where the budget's actions above are per month: said on both.
  root.append(h(html`<h2>Largest savings</h2>`));
  root.append(
    r.savings.length
      ? table([{ label: 'Action' }, { label: `Saving over ${num(days)} days (${c})`, num: true }, { label: 'Effort' }, { label: 'Why' }], r.savings.map((s) => [s.title, money(s.saving, c), s.effort, s.basis]), { id: 'savings' })
      : emptyState('No savings found', 'Give utilisation, spot or reserved prices, or seats used in the scenario for Penny to weigh them.'),
  );
  root.append(h(html`<h2>Resources</h2>`));
  root.append(
    table(
      [{ label: 'Resource' }, { label: 'Kind' }, { label: `Cost (${c})`, num: true }, { label: 'Utilisation', num: true }, { label: `Idle (${c})`, num: true }, { label: 'Energy (kWh)', num: true }],
      [...r.byResource].sort((a, b) => Number(b.total) - Number(a.total)).map((x) => [x.name, x.kind, money(x.total, c), x.utilisation !== undefined && x.utilisationMeasured ? pct(x.utilisation) : '', x.idleCost !== undefined && x.utilisationMeasured ? money(x.idleCost, c) : '', x.energyKwh !== undefined ? num(x.energyKwh) : '']),
    ),
  );
}
