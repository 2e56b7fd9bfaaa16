/** Cost explorer: billing grouped by any FOCUS column or tag, over a date range, as chart, table and CSV. */
import { api, type ApiResponse } from '../api.js';
import { chart, disposeCharts } from '../chart.js';
import { emptyState, h, table, html } from '../dom.js';
import { csvCell, money, pct, moneyAxis } from '../format.js';
import { stackByCurrency } from '../stack.js';

type ReportRow = ApiResponse<'/api/billing/report'>[number];

const DIMENSIONS = ['ServiceName', 'ServiceCategory', 'RegionId', 'ProviderName', 'PricingCategory', 'ChargeCategory', 'ResourceId', 'BillingAccountId', 'SubAccountId', 'CommitmentDiscountId', 'x_GpuType', 'tag:team', 'tag:project'];
const MAX_SERIES = 8;
const MAX_TABLE_ROWS = 500;

export async function costs(root: HTMLElement): Promise<void> {
  root.append(h(html`<h1>Cost explorer</h1>`));
  const files = await api<ApiResponse<'/api/billing/files'>>('/api/billing/files');
  if (files.length === 0) {
    root.append(emptyState('No billing data in this workspace', 'Ingest a FOCUS export (penny ingest FILE, or the Upload page).'));
    return;
  }
  const start = files.map((f) => f.periodStart).filter(Boolean).sort()[0]!.slice(0, 10);
  const end = files.map((f) => f.periodEnd).filter(Boolean).sort().at(-1)!.slice(0, 10);
  const form = h(html`<form id="cost-form" class="controls">
      <label>Group by <input name="by" list="dims" value="ServiceName" size="28" /></label>
      <datalist id="dims">${DIMENSIONS.map((d) => html`<option value="${d}"></option>`)}</datalist>
      <label>From <input type="date" name="from" value="${start}" /></label>
      <label>To <input type="date" name="to" value="${end}" /></label>
      <label>Per <select name="granularity"><option value="day">day</option><option value="month">month</option></select></label>
      <button type="submit">Show</button>
      <button type="button" id="csv-export">Export CSV</button>
    </form>`) as HTMLFormElement;
  const out = h(html`<div id="cost-out"></div>`);
  root.append(form, out);
  let last: { by: string; rows: ReportRow[] } = { by: '', rows: [] };

  const show = async () => {
    const data = new FormData(form);
    const by = String(data.get('by') || 'ServiceName');
    const q = new URLSearchParams({ by, granularity: String(data.get('granularity')) });
    if (data.get('from')) q.set('from', String(data.get('from')));
    // The date input names a day; charges on that day are included.
    if (data.get('to')) q.set('to', new Date(Date.parse(`${data.get('to')}T00:00:00Z`) + 86_400_000).toISOString());
    // The chart's series are folded server-side to the largest groups: the browser never gets
    // groups × days rows for thousands of resources.
    const [series, totals] = await Promise.all([api<ReportRow[]>(`/api/billing/report?${q}&top=${MAX_SERIES}`), api<ReportRow[]>(`/api/billing/report?${new URLSearchParams([...q].filter(([k]) => k !== 'granularity'))}`)]);
    last = { by, rows: totals };
    disposeCharts();
    out.replaceChildren();
    if (totals.length === 0) {
      out.append(emptyState('No charges in this range', 'Widen the dates.'));
      return;
    }
    const label = (r: ReportRow) => Object.values(r.keys).map((k) => k ?? '(none)').join(' · ');
    // One chart per currency: amounts in different currencies are never stacked or added up. The
    // largest groups of each currency keep their series; the rest of it is "(other)".
    const currencies = [...new Set(totals.map((r) => r.currency))];
    const tops = new Map(currencies.map((c) => [c, totals.filter((r) => r.currency === c).slice(0, MAX_SERIES).map(label)]));
    const charts = stackByCurrency(series, (r) => (tops.get(r.currency)?.includes(label(r)) ? label(r) : '(other)'));
    for (const [i, c] of charts.entries()) {
      const { currency, periods } = c;
      const groups = totals.filter((r) => r.currency === currency).length;
      if (charts.length > 1) out.append(h(html`<h3>In ${currency}</h3>`));
      chart(out, {
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: unknown) => money(Number(v), currency, 0) },
        legend: { type: 'scroll', top: 0 },
        grid: { left: 8, right: 24, top: 36, bottom: 40, containLabel: true },
        dataZoom: [{ type: 'slider', bottom: 4 }],
        xAxis: { type: 'category', data: periods },
        yAxis: { type: 'value', axisLabel: { formatter: (v: number) => moneyAxis(v, currency) } },
        series: c.series.map((s) => ({ name: s.name, type: 'bar', stack: 'cost', large: true, data: s.data })),
      }, { id: i === 0 ? 'chart-costs' : `chart-costs-${currency}`, height: 360, label: `Effective cost in ${currency} per ${data.get('granularity')} by ${by}, stacked, for the ${Math.min(MAX_SERIES, groups)} largest groups${groups > MAX_SERIES ? ' and the rest as (other)' : ''}; the table below has the totals.` });
    }
    // Each row's share of its own currency's total.
    const totalOf = new Map(currencies.map((c) => [c, totals.filter((r) => r.currency === c).reduce((a, r) => a + Number(r.effectiveCost), 0)]));
    const shown = totals.slice(0, MAX_TABLE_ROWS);
    out.append(
      table(
        [{ label: by }, { label: 'Currency' }, { label: 'List cost', num: true }, { label: 'Billed cost', num: true }, { label: 'Effective cost', num: true }, { label: 'Share', num: true }, { label: 'Rows', num: true }],
        shown.map((r) => [label(r), r.currency, r.listCost === null ? '—' : money(r.listCost, r.currency), money(r.billedCost, r.currency), money(r.effectiveCost, r.currency), totalOf.get(r.currency)! > 0 ? pct(Number(r.effectiveCost) / totalOf.get(r.currency)!) : '', r.rows.toLocaleString('en-US')]),
        { id: 'cost-table' },
      ),
    );
    if (totals.length > shown.length) out.append(h(html`<p class="note">Showing the ${MAX_TABLE_ROWS} largest of ${totals.length} groups; the CSV export has all of them.</p>`));
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void show().catch((err) => out.replaceChildren(h(html`<p class="error" role="alert">${String((err as Error).message)}</p>`)));
  });
  form.querySelector('#csv-export')!.addEventListener('click', () => {
    const dims = last.rows[0] ? Object.keys(last.rows[0].keys) : [last.by];
    const lines = [[...dims, 'BillingCurrency', 'ListCost', 'BilledCost', 'EffectiveCost', 'Rows'].map(csvCell).join(','), ...last.rows.map((r) => [...dims.map((d) => r.keys[d] ?? ''), r.currency, r.listCost ?? '', r.billedCost, r.effectiveCost, String(r.rows)].map(csvCell).join(','))];
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([`${lines.join('\n')}\n`], { type: 'text/csv' }));
    a.download = `penny-costs-by-${last.by.replace(/[^A-Za-z0-9_-]+/g, '_')}.csv`;
    a.id = 'csv-link';
    document.body.append(a);
    a.click();
    a.remove();
  });
  await show();
}
