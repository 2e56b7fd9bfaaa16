import { Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { forecastRecord } from '../../../app/runs.js';
import { dailySpendSeries, gpuBusySeries } from '../../../app/spend-series.js';
import { withWorkspace, type CliContext } from '../context.js';
import { saveRun, withBilling } from '../remote.js';
import type { Command } from 'commander';

/** `penny forecast gpu`: GPUs busy per interval in the workspace's ingested GPU telemetry. */
async function gpuSeries(ctx: CliContext, cmd: Command, intervalMs: number) {
  return withWorkspace(ctx, cmd, async (ws) => {
    const series = await gpuBusySeries(ws.telemetry, intervalMs);
    if (!series) throw new InvalidInput('no GPU telemetry in this workspace to forecast', [], 'Ingest some first: penny ingest nvidia-smi.csv.');
    return { series };
  });
}

/** `penny forecast billing`: the workspace's daily effective spend, from its ingested FOCUS bills. */
async function billingSeries(ctx: CliContext, cmd: Command) {
  return withBilling(ctx, cmd, async (billing) => {
    const series = await dailySpendSeries(billing);
    if (!series) throw new InvalidInput('no billing data in this workspace to forecast', [], 'Ingest a FOCUS export first: penny ingest FILE.');
    return { series };
  });
}
import { forecastChart, runForecast, type ForecastOutcome } from '../../../app/forecast.js';
import { InvalidInput } from '../../../core/errors.js';
import { AGGREGATIONS, type Aggregation, type FillMethod } from '../../../core/forecast/series.js';
import { FAMILIES, MODELS } from '../../../core/forecast/models/index.js';
import { loadSeries, SOURCE_FORMATS, type SourceFormat } from '../../importers/series-source.js';
import { parseInterval, parseTimestamp } from '../../importers/timestamp.js';
import { horizonSteps, quantileLevels, seasonSteps } from '../../importers/forecast-options.js';

export { horizonSteps, quantileLevels, seasonSteps };
import type { RegisterCommand } from '../context.js';
import { printJson } from '../context.js';
import { num, pct, table } from '../render.js';

interface ForecastOpts {
  horizon: string;
  interval?: string;
  season?: string;
  quantiles?: string;
  cap?: string;
  model: string;
  origins: string;
  format: SourceFormat | 'auto';
  metric?: string;
  time?: string;
  value?: string;
  features?: string;
  agg?: Aggregation;
  fill?: FillMethod;
  traceStart?: string;
  app?: string;
  json?: boolean;
  out?: string;
  save?: boolean;
  plot?: string;
}

export const registerForecast: RegisterCommand = (program, ctx) => {
  program
    .command('forecast')
    .description('forecast demand from history, with backtested accuracy and P10/P50/P90 intervals')
    .argument('<source>', 'history: a CSV (timestamp + value), an Azure LLM trace, the Alibaba DLRM trace, a v2023 pod list, `billing` (the workspace\'s daily spend) or `gpu` (GPUs busy in its telemetry)')
    .option('--horizon <duration>', 'how far ahead: 30m, 24h, 7d, 2w, or a number of intervals', '7d')
    .option('--interval <interval>', 'resample to this interval, from seconds to months: 10s, 1m, 5m, 1h, 1d, 1w, 1mo (default: 1m for request traces, 1h for cluster traces, inferred for CSV)')
    .option('--season <periods>', 'seasonal periods, comma-separated, in intervals or as durations (--season 6, --season 1d,1w); default: the day and the week (the year for months)')
    .option('--model <model>', `auto (every model, chosen by backtest), a family (${Object.keys(FAMILIES).filter((f) => f !== 'auto').join(', ')}) or models, comma-separated: ${MODELS.map((m) => m.name).join(', ')}`, 'auto')
    .option('--quantiles <levels>', 'quantile levels to deliver besides P10/P50/P90, calibrated on the backtest: --quantiles 0.1,0.5,0.9,0.99')
    .option('--cap <value>', 'the most the series can reach (the GPUs in the cluster): every quantile is clipped at it')
    .option('--origins <n>', 'rolling-origin backtest: how many forecast origins (fewer when the history is short)', '8')
    .addOption(new Option('--format <format>', 'source format (default: recognised from the header)').choices([...SOURCE_FORMATS]).default('auto'))
    .option('--metric <metric>', 'what to count: azure-llm requests|input-tokens|output-tokens|tokens; dlrm gpus|instances|cpus; alibaba-pods gpus-in-use|gpus-requested')
    .option('--time <column>', 'CSV: the timestamp column (default: one named time/timestamp/date…, else the first)')
    .option('--value <column>', 'CSV: the value column (default: the first numeric column)')
    .option('--features <columns>', 'CSV: feature columns for regression, comma-separated; rows after the last value give their future values')
    .addOption(new Option('--agg <how>', 'CSV: combine values inside one interval: sum (counts), mean (levels), max, last, count (rows per interval); default by the column: whole counts with a count-like name are summed, anything else averaged (said in the output)').choices([...AGGREGATIONS]))
    .addOption(new Option('--fill <how>', 'CSV: fill missing intervals (always flagged in the output)').choices(['linear', 'ffill', 'zero']))
    .option('--trace-start <timestamp>', 'cluster traces: the calendar time of the trace start (times in the file are seconds from it)')
    .option('--app <name>', 'dlrm: only this app_name')
    .option('--json', 'print the forecast as JSON (the forecast file format)')
    .option('--out <file>', 'write the forecast file (JSON) for `penny plan` and others')
    .option('--save', 'record the forecast in the workspace (the dashboard shows it)')
    .option('--plot <file.svg>', 'write an SVG chart of history, forecast and P10–P90 band')
    .addHelpText(
      'after',
      '\nExamples:\n  penny forecast history.csv --horizon 7d --interval 1h\n  penny forecast AzureLLMInferenceTrace_code.csv --horizon 10m --interval 1m\n  penny forecast disaggregated_DLRM_trace.csv --horizon 1d --out gpu-forecast.json --plot gpu.svg\n  penny forecast openb_pod_list_gpushare40.csv --metric gpus-requested --model ets --json\n\nModels, metrics and how to read them: docs/forecasting.md',
    )
    .action(async (source: string, opts: ForecastOpts, cmd) => {
      const interval = opts.interval === undefined ? undefined : parseInterval(opts.interval);
      if (opts.interval !== undefined && !interval) throw new InvalidInput(`--interval "${opts.interval}" is not an interval`, [{ path: 'interval', message: 'not a whole number of seconds from 1s to 4w, nor of months', expected: 'e.g. 10s, 1m, 5m, 1h, 1d, 1w, 1mo, 3mo', found: opts.interval }], 'Use --interval 1h.');
      const intervalMs = interval?.intervalMs;
      const origins = Number(opts.origins);
      if (!Number.isInteger(origins) || origins < 1 || origins > 50) throw new InvalidInput(`--origins must be a whole number from 1 to 50, not "${opts.origins}"`, [{ path: 'origins', message: 'out of range', expected: '1 to 50', found: opts.origins }]);
      let traceStartMs: number | undefined;
      if (opts.traceStart !== undefined) {
        traceStartMs = parseTimestamp(opts.traceStart);
        if (!Number.isFinite(traceStartMs)) throw new InvalidInput(`--trace-start "${opts.traceStart}" is not a timestamp`, [{ path: 'trace-start', message: 'not a timestamp', expected: 'ISO 8601, e.g. 2025-03-01T00:00:00Z', found: opts.traceStart }]);
      }
      if (interval?.intervalMonths && /^(store:)?(billing|gpu)$/.test(source)) throw new InvalidInput(`penny forecast ${source} does not take monthly intervals`, [{ path: 'interval', message: 'months apply to a CSV history only', found: opts.interval! }], 'Forecast the daily series and sum it by month.');
      const progress = ctx.progress(Boolean(opts.json));
      progress.start(1, 'reading');
      const { series } = /^(store:)?billing$/.test(source) ? await billingSeries(ctx, cmd) : /^(store:)?gpu$/.test(source) ? await gpuSeries(ctx, cmd, intervalMs ?? 3_600_000) : await loadSeries(source, {
        format: opts.format,
        ...(intervalMs !== undefined && { intervalMs }),
        ...(interval?.intervalMonths && { intervalMonths: interval.intervalMonths }),
        ...(opts.metric && { metric: opts.metric }),
        ...(opts.time && { timeColumn: opts.time }),
        ...(opts.value && { valueColumn: opts.value }),
        ...(opts.features && { features: opts.features.split(',').map((f) => f.trim()).filter(Boolean) }),
        ...(opts.agg && { agg: opts.agg }),
        ...(opts.fill && { fill: opts.fill }),
        ...(traceStartMs !== undefined && { traceStartMs }),
        ...(opts.app && { app: opts.app }),
        onBytes: (read, total) => {
          progress.start(total, 'reading');
          progress.tick(read);
        },
      }).finally(() => progress.finish());
      const horizon = horizonSteps(opts.horizon, series.intervalMs);
      const seasons = opts.season === undefined ? undefined : seasonSteps(opts.season, series.intervalMs);
      const quantiles = opts.quantiles === undefined ? undefined : quantileLevels(opts.quantiles);
      const cap = opts.cap === undefined ? undefined : Number(opts.cap);
      if (cap !== undefined && !(cap > 0 && Number.isFinite(cap))) throw new InvalidInput(`--cap "${opts.cap}" is not a positive number`, [{ path: 'cap', message: 'not a positive number', expected: 'e.g. 64 (GPUs in the cluster)', found: opts.cap! }], 'Give --cap as the most the series can reach.');
      const outcome = runForecast(series, { horizon, model: opts.model, origins, source, ...(seasons && { seasons }), ...(quantiles && { quantiles }), ...(cap !== undefined && { cap }) }, progress);
      if (opts.out) await writeFile(opts.out, `${JSON.stringify(outcome.json, null, 2)}\n`);
      if (opts.plot) await writeFile(opts.plot, forecastChart(outcome));
      if (opts.save) {
        const rec = forecastRecord(outcome);
        await saveRun(ctx, cmd, { kind: 'forecast', name: rec.name, inputs: { source: resolve(source), argv: opts }, summary: rec.summary, result: rec.result });
      }
      if (opts.json) {
        printJson(ctx, outcome.json);
        return;
      }
      ctx.stdout(renderForecast(outcome));
      const written = [opts.out && `forecast file: ${opts.out}`, opts.plot && `chart: ${opts.plot}`].filter(Boolean);
      if (written.length) ctx.stdout(`\nWrote ${written.join(' · ')}`);
    });
};

const iso = (t: number) => new Date(t).toISOString().replace(':00.000Z', 'Z').replace('T', ' ');
const f3 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : num(x, 3));
// Values at their own scale: a $/token series (2.5e-7) must not print as 0.00.
const f1 = (x: number) => (Math.abs(x) >= 100 ? num(x, 0) : Math.abs(x) >= 10 ? num(x, 1) : Math.abs(x) >= 0.1 || x === 0 ? num(x, 2) : String(Number(x.toPrecision(3))));

export function renderForecast(o: ForecastOutcome): string {
  const { result: r, json: j } = o;
  const s = r.series;
  const out: string[] = [];
  out.push(`${s.name} (${s.unit}) · ${num(s.values.length)} points of ${j.interval} from ${iso(s.startMs)} to ${j.history.end.replace('T', ' ').replace(':00.000Z', 'Z')} · horizon ${num(r.points.length)} × ${j.interval}`);
  const p = j.preparation;
  const prep = [
    p.duplicatesMerged ? `${num(p.duplicatesMerged)} duplicate timestamps merged` : '',
    p.missingValues ? `${num(p.missingValues)} missing values` : '',
    p.gapsFilled ? `${num(p.gapsFilled)} gaps filled (${p.fill}; flagged in --json)` : '',
    p.sorted ? 'input sorted by time' : '',
    p.outliers.length ? `${p.outliers.length} outlier${p.outliers.length > 1 ? 's' : ''} reported, kept (largest ${p.outliers[0]!.value} at ${p.outliers[0]!.t.replace('T', ' ').replace(':00.000Z', 'Z')})` : '',
  ].filter(Boolean);
  out.push(`Preparation: ${prep.length ? prep.join(' · ') : 'no gaps, duplicates or outliers'}`);
  for (const note of p.notes) out.push(`  note: ${note}`);
  out.push('');
  const m = j.metrics;
  out.push(`Backtest: ${m.origins} origin${m.origins > 1 ? 's' : ''} × ${m.backtestHorizon} step${m.backtestHorizon > 1 ? 's' : ''} (rolling origin); MASE scaled by ${m.scalePeriod > 1 ? `seasonal naive (${m.scalePeriod} steps)` : 'naive'} in sample; P10–P90 coverage and pinball loss out of sample (leave-one-origin-out), coverage nominal 80%`);
  const rows = r.backtest.scores.map((b) => [
    `${b.model}${b.model === r.model ? ' *' : ''}${b.baseline ? ' (baseline)' : ''}`,
    b.skipped ? '' : f3(b.mase),
    b.skipped ? '' : `${num(b.smape!, 1)}%`,
    b.skipped ? '' : pct(b.coverage!),
    b.skipped ? '' : f3(b.pinball),
    b.skipped ? `skipped: ${b.skipped}` : b.description,
  ]);
  out.push(table([{ header: 'Model' }, { header: 'MASE', align: 'right' }, { header: 'sMAPE', align: 'right' }, { header: 'Coverage', align: 'right' }, { header: 'Pinball', align: 'right' }, { header: '' }], rows));
  out.push('');
  const skill = m.skillVsBaseline;
  out.push(
    `Chosen: ${r.model} — MASE ${f3(m.mase)} vs ${m.baseline} ${f3(m.baselineMase)}${skill !== null ? ` (${skill >= 0 ? `${pct(skill)} lower error` : `${pct(-skill)} higher error`})` : ''}; the truth fell inside P10–P90 ${m.coverageP10P90 !== null ? pct(m.coverageP10P90) : '—'} of the time in backtest (nominal 80%)${m.band.from !== 'p10' || m.band.to !== 'p90' ? `, inside ${m.band.from.toUpperCase()}–${m.band.to.toUpperCase()} ${m.band.coverage !== null ? pct(m.band.coverage) : '—'} (nominal ${pct(m.band.nominal ?? 0)})` : ''}.`,
  );
  const params = Object.entries(j.params).filter(([k]) => !k.startsWith('hour') && !k.startsWith('weekday'));
  if (params.length) out.push(`Parameters: ${params.map(([k, v]) => `${k} ${v === null ? '—' : Number(v.toPrecision(4))}`).join(', ')}`);
  out.push('');
  const every = Math.max(1, Math.ceil(r.points.length / 24));
  const shown = r.points.filter((_, i) => i % every === 0 || i === r.points.length - 1);
  out.push(`Forecast (${s.unit})${every > 1 ? `, every ${every}th of ${r.points.length} points (all in --json / --out)` : ''}:`);
  out.push(table([{ header: 'Time (UTC)' }, { header: 'P10', align: 'right' }, { header: 'P50', align: 'right' }, { header: 'P90', align: 'right' }], shown.map((x) => [iso(x.t), f1(x.p10), f1(x.p50), f1(x.p90)]), { indent: '  ' }));
  return out.join('\n');
}
