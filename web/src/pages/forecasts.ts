/** Forecasts: history, the P50 forecast and its P10–P90 band, and the backtest behind the choice. */
import { chart } from '../chart.js';
import { card, h, table, html } from '../dom.js';
import { num, pct } from '../format.js';
import { withRuns } from './runs.js';

interface ForecastResult {
  model: string;
  unit: string;
  interval: string;
  series: string;
  metrics: { mase: number; smape: number; coverageP10P90: number; nominalCoverage: number; baseline: string; baselineMase: number; origins: number };
  backtest: { model: string; mase?: number; smape?: number; coverageP10P90?: number; baseline?: boolean; skipped?: string }[];
  points: { t: string; p10: number; p50: number; p90: number }[];
  historyValues: { t: string; value: number; filled: boolean }[];
}

export function forecasts(root: HTMLElement): Promise<void> {
  return withRuns<ForecastResult>(root, 'forecast', 'Forecasts', 'Record one with: penny forecast FILE --horizon 7d --save (or run penny demo).', (run, into) => {
    const f = run.result;
    const m = f.metrics;
    into.append(
      h(html`<div class="cards">
        ${card('Chosen model', f.model, `of ${f.backtest.filter((b) => b.mase !== undefined).length} backtested`)}
        ${card('MASE', num(m.mase, 3), `${m.baseline}: ${num(m.baselineMase, 3)} (lower is better)`)}
        ${card('P10–P90 coverage', pct(m.coverageP10P90), `nominal ${pct(m.nominalCoverage, 0)}, out of sample`)}
        ${card('Horizon', `${f.points.length} × ${f.interval}`, f.unit)}
      </div>`),
    );
    const times = [...f.historyValues.map((p) => p.t), ...f.points.map((p) => p.t)];
    const pad = (n: number) => Array<null>(n).fill(null);
    const hist = f.historyValues.map((p) => p.value);
    const lastHistory = hist.length ? hist[hist.length - 1]! : null;
    chart(
      into,
      {
        tooltip: { trigger: 'axis' },
        legend: { top: 0, data: ['history', 'P50', 'P10–P90'] },
        grid: { left: 8, right: 24, top: 32, bottom: 48, containLabel: true },
        dataZoom: [{ type: 'slider', bottom: 8 }, { type: 'inside' }],
        xAxis: { type: 'category', data: times.map((t) => t.slice(0, 16).replace('T', ' ')), boundaryGap: false },
        yAxis: { type: 'value', name: f.unit, scale: true },
        series: [
          { name: 'history', type: 'line', showSymbol: false, data: [...hist, ...pad(f.points.length)], lineStyle: { width: 1.5 } },
          // The band is drawn as P10 (invisible) plus a stacked area of P90 − P10.
          { name: 'band-base', type: 'line', stack: 'band', showSymbol: false, lineStyle: { opacity: 0 }, data: [...pad(hist.length), ...f.points.map((p) => p.p10)], tooltip: { show: false } },
          { name: 'P10–P90', type: 'line', stack: 'band', showSymbol: false, lineStyle: { opacity: 0 }, areaStyle: { opacity: 0.25 }, data: [...pad(hist.length), ...f.points.map((p) => p.p90 - p.p10)] },
          { name: 'P50', type: 'line', showSymbol: false, data: [...pad(Math.max(0, hist.length - 1)), ...(lastHistory !== null ? [lastHistory] : []), ...f.points.map((p) => p.p50)], lineStyle: { width: 2, type: 'dashed' } },
        ],
      },
      { id: 'chart-forecast', height: 380, label: `${f.series}: ${f.historyValues.length} ${f.interval} periods of history in ${f.unit}, then the ${f.model} forecast for ${f.points.length} periods with its P10–P90 band${f.points.length ? `; P50 at the end ${num(f.points.at(-1)!.p50, 1)} ${f.unit}` : ''}.` },
    );
    into.append(h(html`<h2>Backtest (rolling origin)</h2>`));
    // sMAPE arrives in percent (0–200, core/forecast/backtest.ts); coverage arrives as a share.
    into.append(
      table(
        [{ label: 'Model' }, { label: 'MASE', num: true }, { label: 'sMAPE', num: true }, { label: 'P10–P90 coverage', num: true }, { label: 'Note' }],
        f.backtest.map((b) => [`${b.model}${b.model === f.model ? ' (chosen)' : ''}`, b.mase !== undefined ? num(b.mase, 3) : '', b.smape !== undefined ? `${num(b.smape, 1)}%` : '', b.coverageP10P90 !== undefined ? pct(b.coverageP10P90) : '', b.skipped ?? (b.baseline ? 'baseline' : '')]),
        { id: 'backtest' },
      ),
    );
  });
}
