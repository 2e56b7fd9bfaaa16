/** GPU fleet: a utilisation heat map per GPU over time, energy and idle cost, and the waste found. */
import { api, type ApiResponse } from '../api.js';
import { chart } from '../chart.js';
import { card, emptyState, h, table, html } from '../dom.js';
import { money, num, pct } from '../format.js';
import { savingColumnLabel, wasteFoundText } from '../waste-total.js';

type Usage = ApiResponse<'/api/gpus/usage'>;

type Waste = ApiResponse<'/api/gpus/waste'>;

export async function gpus(root: HTMLElement): Promise<void> {
  root.append(h(html`<h1>GPU fleet</h1>`));
  const [u, w] = await Promise.all([api<Usage>('/api/gpus/usage?interval=15m'), api<Waste>('/api/gpus/waste')]);
  if (u.gpus.length === 0) {
    root.append(emptyState('No GPU telemetry in this workspace', 'Ingest an nvidia-smi log (penny ingest gpu.csv) or DCGM metrics from Prometheus (penny gpu ingest http://host:9090 --from … --to …).'));
    return;
  }
  const c = u.options.currency ?? 'USD';
  const label = (g: { host: string; index: string; model: string | null }) => `${g.host}:${g.index} ${g.model ?? ''}`.trim();
  const kwh = u.periods.reduce((a, p) => a + p.energyKwh, 0);
  const idleH = u.periods.reduce((a, p) => a + p.idleS, 0) / 3600;
  const idleCost = u.periods.reduce((a, p) => a + Number(p.idleCost ?? 0), 0);
  // The API's totals count each GPU-hour once (alternatives are not added), one per currency: an
  // owned GPU is priced in its scenario's currency, the price table in USD.
  const found = wasteFoundText(w.savingTotals, c);
  root.append(
    h(html`<div class="cards">
      ${card('GPUs', num(u.gpus.length), `${w.gpus.filter((g) => g.underUsed).length} under-used`)}
      ${card('Energy', `${num(kwh, 2)} kWh`, 'at the GPU, integrated power')}
      ${card('Idle', `${num(idleH, 1)} h`, idleCost > 0 ? `${money(idleCost, c)} at the GPUs' hourly price` : '')}
      ${card('Waste found', found, `${w.recommendations.length} recommendations`)}
    </div>`),
  );
  const times = [...new Set(u.periods.map((p) => p.start))].sort();
  const ids = u.gpus.map((g) => g.gpuId);
  const data = u.periods.filter((p) => p.meanUtilPct !== null).map((p) => [times.indexOf(p.start), ids.indexOf(p.gpuId), Math.round(p.meanUtilPct! * 10) / 10]);
  root.append(h(html`<h2>Utilisation per GPU (mean per 15 minutes)</h2>`));
  chart(root, {
    tooltip: { position: 'top', formatter: (x: { value: number[] }) => `${label(u.gpus[x.value[1]!]!)}\n${times[x.value[0]!]!.slice(0, 16).replace('T', ' ')}: ${x.value[2]}%` },
    grid: { left: 8, right: 24, top: 8, bottom: 64, containLabel: true },
    xAxis: { type: 'category', data: times.map((t) => t.slice(5, 16).replace('T', ' ')), splitArea: { show: true } },
    yAxis: { type: 'category', data: u.gpus.map(label), splitArea: { show: true } },
    visualMap: { min: 0, max: 100, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, text: ['100%', '0%'], inRange: { color: ['#f4f6fa', '#9ec5fe', '#2f6fdb', '#0b2e6f'] } },
    series: [{ type: 'heatmap', data, progressive: 5000 }],
  }, { id: 'chart-gpu-heatmap', height: Math.max(220, u.gpus.length * 36 + 110), label: `Heat map of mean GPU utilisation per 15 minutes for ${u.gpus.length} GPUs over ${times.length} intervals, from 0% (light) to 100% (dark); the GPUs table below has each GPU's idle share and mean utilisation.` });
  root.append(h(html`<h2>Waste and what to do</h2>`));
  for (const n of w.notes ?? []) root.append(h(html`<p class="note">${n}</p>`));
  root.append(
    w.recommendations.length
      ? table([{ label: 'Action' }, { label: savingColumnLabel(w.recommendations.map((r) => r.currency), c), num: true }, { label: 'Effort' }, { label: 'Why' }], w.recommendations.map((r) => [r.title, money(r.saving, r.currency), r.effort, `${r.basis}${r.alternatives?.length ? `. Alternatives (not added): ${r.alternatives.map((a) => `${a.title} ${money(a.saving, r.currency)}`).join('; ')}` : ''}`]), { id: 'gpu-recs' })
      : emptyState('No waste found', 'Every GPU was busy enough over the observed time.'),
  );
  root.append(h(html`<h2>GPUs</h2>`));
  root.append(table([{ label: 'GPU' }, { label: 'Observed h', num: true }, { label: 'Idle', num: true }, { label: 'Mean util while busy', num: true }, { label: 'Under-used' }], w.gpus.map((g) => [label(g.gpu), num(g.observedS / 3600, 2), g.observedS ? pct(g.idleS / g.observedS) : '', g.meanUtilBusyPct === null ? '' : `${num(g.meanUtilBusyPct, 1)}%`, g.underUsed ? 'yes' : 'no'])));
}
