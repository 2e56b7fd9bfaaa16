import { Option } from 'commander';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { forecastRecord } from '../../../app/runs.js';
import { dailySpendSeries, dailySpendSeriesBy, gpuBusySeries, gpuBusySeriesFrom } from '../../../app/spend-series.js';
import { dimensionLabel, parseDimension } from '../../../app/billing.js';
import { savedForecasts, scoreSavedForecast, shortRunId, type ForecastScoreRow, type ReloadSpec, type SavedForecastResult } from '../../../app/forecast-score.js';
import type { Series } from '../../../core/forecast/series.js';
import { givenFlags, globalOpts, withWorkspace, type CliContext } from '../context.js';
import { saveRun, serverFor, withBilling } from '../remote.js';
import type { Command } from 'commander';

/** `penny forecast gpu`: GPUs busy per interval in the workspace's ingested GPU telemetry. */
async function gpuSeries(ctx: CliContext, cmd: Command, intervalMs: number) {
  const server = await serverFor(ctx, ctx.workspaceDir(globalOpts(cmd).workspace));
  // Beside a running server: its slots, from which the same series is built as a local run builds.
  const series = server
    ? gpuBusySeriesFrom((await server.get<{ slots: { t: number; value: number }[] }>('/api/gpus/busy', { interval: `${intervalMs / 1000}s` })).slots, intervalMs)
    : await withWorkspace(ctx, cmd, (ws) => gpuBusySeries(ws.telemetry, intervalMs));
  if (!series) throw new InvalidInput('no GPU telemetry in this workspace to forecast', [], 'Ingest some first: penny ingest nvidia-smi.csv.');
  return { series };
}

/** `penny forecast billing`: the workspace's daily effective spend, from its ingested FOCUS bills. */
async function billingSeries(ctx: CliContext, cmd: Command, currency?: string) {
  return withBilling(ctx, cmd, async (billing) => {
    const series = await dailySpendSeries(billing, currency ? { currency } : {});
    if (!series) throw new InvalidInput(`no billing data${currency ? ` in ${currency}` : ''} in this workspace to forecast`, [], currency ? 'penny report lists the currencies billed.' : 'Ingest a FOCUS export first: penny ingest FILE.');
    return { series };
  });
}
import { forecastChart, runForecast, runForecasts, type ForecastOutcome, type KeyedSeries, type ManyForecastOutcome } from '../../../app/forecast.js';
import { InvalidInput } from '../../../core/errors.js';
import { isCurrencyCode } from '../../../core/money.js';
import { AGGREGATIONS, type Aggregation, type FillMethod } from '../../../core/forecast/series.js';
import { FAMILIES, MODELS } from '../../../core/forecast/models/index.js';
import { loadSeries, loadSeriesMany, SOURCE_FORMATS, type LoadSeriesOptions, type SourceFormat } from '../../importers/series-source.js';
import { parseInterval, parseTimestamp } from '../../importers/timestamp.js';
import { NotFound } from '../../../core/errors.js';
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
  by?: string;
  eachColumn?: boolean;
  top?: string;
  currency?: string;
  maxSeries?: string;
  run?: string;
  actuals?: string;
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
    .option('--by <column>', 'one forecast per group: billing: a FOCUS column or tag:KEY (--by ServiceName, --by tag:team); CSV: a column naming each row\'s series (time, team, value)')
    .option('--each-column', 'CSV: one forecast per numeric column (or name them: --value a,b)')
    .option('--top <n>', 'billing --by: forecast the n largest groups, the rest summed as (other)', '10')
    .option('--currency <code>', 'billing: the currency whose spend to forecast (default: the largest on the first day; others are left out, and said to be)')
    .option('--max-series <n>', 'CSV --by / --each-column: refuse more series than this (each is a full backtest)', '50')
    .option('--run <id>', 'score: only this saved forecast (an id or its first characters)')
    .option('--actuals <file>', 'score: read the actuals from this CSV (timestamp, value) instead of the saved forecast\'s source')
    .addHelpText(
      'after',
      '\nExamples:\n  penny forecast history.csv --horizon 7d --interval 1h\n  penny forecast billing --by ServiceName --horizon 14d --save\n  penny forecast per-team.csv --by team --json\n  penny forecast score                 (saved forecasts against the actuals that arrived since)\n  penny forecast AzureLLMInferenceTrace_code.csv --horizon 10m --interval 1m\n  penny forecast disaggregated_DLRM_trace.csv --horizon 1d --out gpu-forecast.json --plot gpu.svg\n  penny forecast openb_pod_list_gpushare40.csv --metric gpus-requested --model ets --json\n\nModels, metrics and how to read them: docs/forecasting.md',
    )
    .action(async (source: string, opts: ForecastOpts, cmd) => {
      if (source === 'score') return scoreCommand(ctx, cmd, opts);
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
      const isBilling = /^(store:)?billing$/.test(source);
      const isGpu = /^(store:)?gpu$/.test(source);
      checkOptionsApply(cmd, isBilling ? 'billing' : isGpu ? 'gpu' : 'file', opts.by !== undefined);
      if (interval?.intervalMonths && (isBilling || isGpu)) throw new InvalidInput(`penny forecast ${source} does not take monthly intervals`, [{ path: 'interval', message: 'months apply to a CSV history only', found: opts.interval! }], 'Forecast the daily series and sum it by month.');
      const valueColumns = opts.value?.split(',').map((c) => c.trim()).filter(Boolean);
      const many = opts.by !== undefined || Boolean(opts.eachColumn) || (valueColumns?.length ?? 0) > 1;
      if (many && isGpu) throw new InvalidInput('penny forecast gpu gives one series (GPUs busy); --by and --each-column apply to billing and CSV sources', [{ path: 'by', message: 'not for gpu', found: opts.by ?? '--each-column' }], 'Forecast the GPUs busy as one series.');
      if (many && opts.plot) throw new InvalidInput('--plot draws one series; it cannot be combined with --by, --each-column or several --value columns', [{ path: 'plot', message: 'one chart per series', found: opts.plot }], 'Forecast the one series to chart on its own (e.g. --value COLUMN).');
      const top = positiveInt(opts.top ?? '10', 'top', 1000);
      const currency = opts.currency?.trim().toUpperCase();
      if (currency !== undefined && !isCurrencyCode(currency)) throw new InvalidInput(`--currency "${opts.currency}" is not an ISO 4217 code`, [{ path: '--currency', message: 'unknown currency', found: opts.currency }], 'e.g. USD, EUR, JPY');
      const maxSeries = positiveInt(opts.maxSeries ?? '50', 'max-series', 10_000);
      const fileOptions: LoadSeriesOptions = {
        format: opts.format,
        ...(intervalMs !== undefined && { intervalMs }),
        ...(interval?.intervalMonths && { intervalMonths: interval.intervalMonths }),
        ...(opts.metric && { metric: opts.metric }),
        ...(opts.time && { timeColumn: opts.time }),
        ...(valueColumns?.length === 1 && { valueColumn: valueColumns[0]! }),
        ...(opts.features && { features: opts.features.split(',').map((f) => f.trim()).filter(Boolean) }),
        ...(opts.agg && { agg: opts.agg }),
        ...(opts.fill && { fill: opts.fill }),
        ...(traceStartMs !== undefined && { traceStartMs }),
        ...(opts.app && { app: opts.app }),
      };
      const progress = ctx.progress(Boolean(opts.json));
      progress.start(1, 'reading');
      const onBytes = (read: number, total: number) => {
        progress.start(total, 'reading');
        progress.tick(read);
      };
      /** the series, each with how to read it again for its actuals (penny forecast score) */
      let list: (KeyedSeries & { reload: ReloadSpec })[];
      let by = '';
      try {
        if (isBilling && opts.by !== undefined) {
          const dim = parseDimension(opts.by);
          by = dimensionLabel(dim);
          const groups = await withBilling(ctx, cmd, (billing) => dailySpendSeriesBy(billing, dim, { top, ...(currency && { currency }) }));
          if (groups.length === 0) throw new InvalidInput(`no billing data${currency ? ` in ${currency}` : ''} in this workspace to forecast`, [], 'Ingest a FOCUS export first: penny ingest FILE.');
          list = groups.map((g) => ({ ...g, reload: { source: 'billing', by, top, key: g.key, currency: g.series.unit } }));
        } else if (isBilling || isGpu) {
          const { series } = isBilling ? await billingSeries(ctx, cmd, currency) : await gpuSeries(ctx, cmd, intervalMs ?? 3_600_000);
          list = [{ key: series.name, series, reload: isBilling ? { source: 'billing', currency: series.unit } : { source: 'gpu', intervalMs: intervalMs ?? 3_600_000 } }];
        } else if (many) {
          const path = resolve(source);
          const keyed = await loadSeriesMany(source, { ...fileOptions, ...(valueColumns && valueColumns.length > 1 && { valueColumns }), ...(opts.eachColumn && { eachColumn: true }), ...(opts.by !== undefined && { groupColumn: opts.by }), maxSeries, onBytes });
          by = opts.by ?? 'column';
          const manyOptions = { ...fileOptions, ...(valueColumns && valueColumns.length > 1 && { valueColumns }), ...(opts.eachColumn && { eachColumn: true }), ...(opts.by !== undefined && { groupColumn: opts.by }), maxSeries };
          list = keyed.map((k) => ({ key: k.key, series: k.series, reload: { source: 'file', path, options: manyOptions, key: k.key } }));
        } else {
          const { series } = await loadSeries(source, { ...fileOptions, onBytes });
          list = [{ key: series.name, series, reload: { source: 'file', path: resolve(source), options: { ...fileOptions } } }];
        }
      } finally {
        progress.finish();
      }
      const first = list[0]!.series;
      const horizon = horizonSteps(opts.horizon, first.intervalMs);
      const seasons = opts.season === undefined ? undefined : seasonSteps(opts.season, first.intervalMs);
      const quantiles = opts.quantiles === undefined ? undefined : quantileLevels(opts.quantiles);
      const cap = opts.cap === undefined ? undefined : Number(opts.cap);
      if (cap !== undefined && !(cap > 0 && Number.isFinite(cap))) throw new InvalidInput(`--cap "${opts.cap}" is not a positive number`, [{ path: 'cap', message: 'not a positive number', expected: 'e.g. 64 (GPUs in the cluster)', found: opts.cap! }], 'Give --cap as the most the series can reach.');
      const runOptions = { horizon, model: opts.model, origins, source, ...(seasons && { seasons }), ...(quantiles && { quantiles }), ...(cap !== undefined && { cap }) };
      const save = async (made: { key: string; outcome: ForecastOutcome }[]) => {
        if (!opts.save) return;
        for (const { key, outcome } of made) {
          const rec = forecastRecord(outcome);
          const reload = list.find((l) => l.key === key)!.reload;
          // The history's end is an input: the same command on newer data is a new forecast, kept
          // beside the earlier one so that the earlier one can be scored against what came.
          // Recorded here, or through the server that holds the workspace.
          await saveRun(ctx, cmd, { kind: 'forecast', name: rec.name, inputs: { source: resolve(source), argv: opts, key, historyEnd: outcome.json.history.end }, summary: rec.summary, result: { ...rec.result, reload } });
        }
      };
      if (many) {
        const outcome = runForecasts(list, by, runOptions, progress);
        if (opts.out) await writeFile(opts.out, `${JSON.stringify(outcome.json, null, 2)}\n`);
        await save(outcome.forecasts);
        if (opts.json) return printJson(ctx, outcome.json);
        ctx.stdout(renderMany(outcome));
        if (opts.out) ctx.stdout(`\nWrote forecast file: ${opts.out}`);
        return;
      }
      const outcome = runForecast(first, runOptions, progress);
      if (opts.out) await writeFile(opts.out, `${JSON.stringify(outcome.json, null, 2)}\n`);
      if (opts.plot) await writeFile(opts.plot, forecastChart(outcome));
      await save([{ key: list[0]!.key, outcome }]);
      if (opts.json) {
        printJson(ctx, outcome.json);
        return;
      }
      ctx.stdout(renderForecast(outcome));
      const written = [opts.out && `forecast file: ${opts.out}`, opts.plot && `chart: ${opts.plot}`].filter(Boolean);
      if (written.length) ctx.stdout(`\nWrote ${written.join(' · ')}`);
    });
};

function positiveInt(text: string, name: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidInput(`--${name} must be a whole number from 1 to ${max}, not "${text}"`, [{ path: name, message: 'out of range', expected: `1 to ${max}`, found: text }]);
  return n;
}

/** The actuals of a saved forecast: its source read again (or --actuals), at its interval. */
async function actualsFor(ctx: CliContext, cmd: Command, f: SavedForecastResult, actualsFile: string | undefined): Promise<{ series?: Series; note?: string }> {
  const interval = parseInterval(f.interval);
  if (!interval) return { note: `interval ${f.interval} not understood` };
  const at = { intervalMs: interval.intervalMs, ...(interval.intervalMonths && { intervalMonths: interval.intervalMonths }) };
  if (actualsFile !== undefined) return { series: (await loadSeries(actualsFile, { format: 'csv', ...at })).series };
  const r = f.reload;
  if (!r) return { note: 'made elsewhere (the API, an older Penny): give --actuals FILE' };
  try {
    if (r.source === 'billing') {
      // The actuals in the forecast's own currency (saved before it was recorded: its unit), even
      // when spend in another currency has come to lead the bill since.
      const currency = r.currency ?? f.unit;
      if (r.by === undefined) return { series: await withBilling(ctx, cmd, (billing) => dailySpendSeries(billing, { currency })) };
      const groups = await withBilling(ctx, cmd, (billing) => dailySpendSeriesBy(billing, parseDimension(r.by!), { currency, ...(r.top !== undefined && { top: r.top }) }));
      const g = groups.find((x) => x.key === r.key);
      return g ? { series: g.series } : { note: `the group ${r.key} is no longer in the billing data` };
    }
    if (r.source === 'gpu') return { series: await withWorkspace(ctx, cmd, (ws) => gpuBusySeries(ws.telemetry, r.intervalMs)) };
    if (r.key !== undefined) {
      const keyed = await loadSeriesMany(r.path, r.options as LoadSeriesOptions);
      const k = keyed.find((x) => x.key === r.key);
      return k ? { series: k.series } : { note: `the series ${r.key} is no longer in ${r.path}` };
    }
    return { series: (await loadSeries(r.path, r.options as LoadSeriesOptions)).series };
  } catch (e) {
    if (e instanceof InvalidInput || e instanceof NotFound) return { note: `actuals not readable: ${e.message}` };
    throw e;
  }
}

/** `penny forecast score`: each saved forecast against the actuals that arrived after it. */
async function scoreCommand(ctx: CliContext, cmd: Command, opts: ForecastOpts) {
  const runs = await withWorkspace(ctx, cmd, (ws) => savedForecasts(ws.store, opts.run));
  const rows: ForecastScoreRow[] = [];
  for (const run of runs) {
    const a = await actualsFor(ctx, cmd, run.result as SavedForecastResult, opts.actuals);
    rows.push(scoreSavedForecast(run, a.series, a.note));
  }
  if (opts.json) return printJson(ctx, rows);
  if (rows.length === 0) {
    ctx.stdout('No saved forecasts in this workspace: make one with penny forecast SOURCE --save, then score it here once newer data has arrived.');
    return;
  }
  ctx.stdout(renderScores(rows));
}

export function renderScores(rows: ForecastScoreRow[]): string {
  const out = ['Saved forecasts against the actuals that arrived after them (MASE on the scale of each forecast\'s history; coverage nominal 80%):'];
  out.push(
    table(
      [{ header: 'Run' }, { header: 'Series' }, { header: 'Model' }, { header: 'History to' }, { header: 'Scored', align: 'right' }, { header: 'MASE', align: 'right' }, { header: 'Backtest', align: 'right' }, { header: 'P10–P90', align: 'right' }, { header: 'Backtest', align: 'right' }, { header: 'Bias', align: 'right' }],
      rows.map((r) => [
        shortRunId(r.runId).slice(0, 8),
        r.name,
        r.model,
        r.historyEnd.replace('T', ' ').replace(':00.000Z', 'Z'),
        r.status === 'scored' ? `${r.matched}/${r.steps}` : r.status === 'waiting' ? `0/${r.steps}` : '—',
        f3(r.mase),
        f3(r.backtest.mase),
        r.coverageP10P90 === undefined ? '—' : pct(r.coverageP10P90),
        r.backtest.coverageP10P90 === null ? '—' : pct(r.backtest.coverageP10P90),
        r.bias === undefined ? '—' : f1(r.bias),
      ]),
      { indent: '  ' },
    ),
  );
  for (const r of rows) {
    if (r.status === 'waiting') out.push(`  ${shortRunId(r.runId).slice(0, 8)}: no actuals after ${r.historyEnd} yet`);
    if (r.note) out.push(`  ${shortRunId(r.runId).slice(0, 8)}: ${r.note}`);
  }
  return out.join('\n');
}

const iso = (t: number) => new Date(t).toISOString().replace(':00.000Z', 'Z').replace('T', ' ');
const f3 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : num(x, 3));
// Values at their own scale: a $/token series (2.5e-7) must not print as 0.00.
const f1 = (x: number) => (Math.abs(x) >= 100 ? num(x, 0) : Math.abs(x) >= 10 ? num(x, 1) : Math.abs(x) >= 0.1 || x === 0 ? num(x, 2) : String(Number(x.toPrecision(3))));

export function renderForecast(o: ForecastOutcome): string {
  const { result: r, json: j } = o;
  const s = r.series;
  const out: string[] = [];
  out.push(`${titled(s.name, s.unit)} · ${num(s.values.length)} points of ${j.interval} from ${iso(s.startMs)} to ${j.history.end.replace('T', ' ').replace(':00.000Z', 'Z')} · horizon ${num(r.points.length)} × ${j.interval}`);
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

/**
 * Options given that this source does not read are refused, not ignored: `forecast billing
 * --metric tokens` or `forecast file.csv --currency EUR` ran as if the option were absent.
 */
function checkOptionsApply(cmd: Command, kind: 'billing' | 'gpu' | 'file', by: boolean): void {
  const fileOnly = ['format', 'metric', 'time', 'value', 'features', 'agg', 'fill', 'traceStart', 'app', 'eachColumn', 'maxSeries'];
  const notFor: Record<typeof kind, string[]> = {
    billing: [...fileOnly, ...(by ? [] : ['top']), 'run', 'actuals'],
    gpu: [...fileOnly, 'currency', 'top', 'run', 'actuals'],
    file: ['currency', 'top', 'run', 'actuals'],
  };
  const wrong = notFor[kind].filter((name) => cmd.getOptionValueSource(name) === 'cli');
  const flag = (name: string) => givenFlags(cmd, [name])[0]!;
  if (!wrong.length) return;
  const source = kind === 'file' ? 'a file' : kind;
  const why = (name: string) => (name === 'top' && kind === 'billing' ? 'goes with --by' : name === 'run' || name === 'actuals' ? 'is for penny forecast score' : `does not apply to ${source}`);
  throw new InvalidInput(
    `${wrong.map(flag).join(', ')} ${wrong.length > 1 ? 'do' : 'does'} not apply to penny forecast ${kind === 'file' ? 'FILE' : kind}`,
    wrong.map((name) => ({ path: flag(name), message: why(name), found: String(cmd.getOptionValue(name)) })),
    kind === 'file'
      ? '--currency and --top are for billing (penny forecast billing --by … --top N --currency EUR); --run and --actuals for penny forecast score.'
      : `Leave ${wrong.length > 1 ? 'them' : 'it'} out${wrong.includes('top') ? ', or add --by COLUMN to forecast the largest groups' : ''}; penny forecast --help says which source reads which option.`,
  );
}

/** A series' name with its unit, once: a CSV column's unit is often its own name ("gpus (gpus)"). */
function titled(name: string, unit: string | undefined): string {
  return unit && unit.toLowerCase() !== name.toLowerCase() ? `${name} (${unit})` : name;
}

/** One line per series: its model, backtest accuracy, and the forecast's first and last step. */
export function renderMany(o: ManyForecastOutcome): string {
  const out: string[] = [];
  const first = o.forecasts[0]!.outcome;
  // What is forecast and in which unit (a currency for spend) heads the table, as it does a single
  // forecast; series of different units (columns of one CSV) carry theirs in each cell instead.
  const units = new Set(o.forecasts.map((f) => f.outcome.result.series.unit));
  const unit = units.size === 1 ? [...units][0]! : undefined;
  const names = new Set(o.forecasts.map((f) => f.outcome.result.series.name.split(' · ')[0]!));
  const what = names.size === 1 ? `${titled([...names][0]!, unit)}, ` : unit ? `in ${unit}, ` : '';
  out.push(`${o.forecasts.length} series of ${what}by ${o.json.by} · ${first.json.interval} intervals · horizon ${num(first.result.points.length)} × ${first.json.interval}${o.skipped.length ? ` · ${o.skipped.length} skipped` : ''}`);
  out.push('');
  const rows = o.forecasts.map(({ key, outcome: { result: r, json: j } }) => {
    const last = r.points[r.points.length - 1]!;
    const p0 = r.points[0]!;
    const u = unit === undefined && r.series.unit ? ` ${r.series.unit}` : '';
    return [key, num(r.series.values.length), r.model, f3(j.metrics.mase), `${f3(j.metrics.baselineMase)} ${j.metrics.baseline}`, j.metrics.coverageP10P90 === null ? '—' : pct(j.metrics.coverageP10P90), `${f1(p0.p50)} (${f1(p0.p10)}–${f1(p0.p90)})${u}`, `${f1(last.p50)} (${f1(last.p10)}–${f1(last.p90)})${u}`];
  });
  const inUnit = unit ? `, ${unit}` : '';
  out.push(table([{ header: 'Series' }, { header: 'Points', align: 'right' }, { header: 'Model' }, { header: 'MASE', align: 'right' }, { header: 'Baseline' }, { header: 'Coverage', align: 'right' }, { header: `First step P50 (P10–P90)${inUnit}`, align: 'right' }, { header: `Last step P50 (P10–P90)${inUnit}`, align: 'right' }], rows, { indent: '  ' }));
  for (const s of o.skipped) out.push(`  skipped ${s.key}: ${s.reason}`);
  const notes = new Set(o.forecasts.flatMap((f) => f.outcome.json.preparation.notes));
  if (notes.size) out.push('', ...[...notes].slice(0, 8).map((n) => `  note: ${n}`));
  out.push('', 'Every step of every series, keyed by series: --json or --out FILE.');
  return out.join('\n');
}
