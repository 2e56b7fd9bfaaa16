/** Forecasts: history, the P50 forecast and its P10–P90 band, and the backtest behind the choice. */
import type { RunResult } from '../api.js';
import { chart } from '../chart.js';
import { card, h, table, html } from '../dom.js';
import { num, pct } from '../format.js';
import { withRuns } from './runs.js';

/** A forecast run's result: the member of the run results that has a backtest. */
type ForecastResult = Extract<RunResult, { backtest: unknown }>;

/** A metric the backtest could not measure (too short a history, a zero scale) arrives as null. */
const measured = (x: number | null | undefined, show: (x: number) => string) => (x === null || x === undefined ? '–' : show(x));

export function forecasts(root: HTMLElement): Promise<void> {
  return withRuns<ForecastResult>(root, 'forecast', 'Forecasts', 'Record one with: penny forecast FILE --horizon 7d --save (or run penny demo).', (run, into) => {
    const f = run.result;
    const m = f.metrics;
    into.append(
      h(html`<div class="cards">
        ${card('Chosen model', f.model, `of ${f.backtest.filter((b) => b.mase !== undefined).length} backtested`)}
        ${card('MASE', measured(m.mase, (x) => num(x, 3)), `${m.baseline}: ${measured(m.baselineMase, (x) => num(x, 3))} (lower is better)`)}
        ${card('P10–P90 coverage', measured(m.coverageP10P90, (x) => pct(x)), `nominal ${pct(m.nominalCoverage, 0)}, out of sample`)}
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
        f.backtest.map((b) => [`${b.model}${b.model === f.model ? ' (chosen)' : ''}`, b.skipped ? '' : measured(b.mase, (x) => num(x, 3)), b.skipped ? '' : measured(b.smape, (x) => `${num(x, 1)}%`), b.skipped ? '' : measured(b.coverageP10P90, (x) => pct(x)), b.skipped ?? (b.baseline ? 'baseline' : '')]),
        { id: 'backtest' },
      ),
    );
  });
}
