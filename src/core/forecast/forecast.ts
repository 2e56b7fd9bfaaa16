/** Forecast a prepared series: backtest the candidate models, choose one, forecast with a calibrated band. */
import { InvalidInput } from '../errors.js';
import { backtest, baselineFor, calibratedForecast, choose, scaleOf, type BacktestResult, type ModelScore } from './backtest.js';
import type { FitContext, Quantiles } from './model.js';
import { modelByName, resolveModels } from './models/index.js';
import { ensembleOf } from './models/ensemble.js';
import { intervalLabel, seasonalPeriods, seasonNames, slotTime, type Series } from './series.js';

export interface ForecastOptions {
  horizon: number;
  /** `auto`, a family or model names, comma-separated */
  model: string;
  origins: number;
  /**
   * Seasonal periods in slots (`--season 6`, `--season 24,168`), replacing the calendar's day and
   * week: the shortest takes the day's place (snaive-day, hw), the next the week's (snaive-week, hw2).
   */
  seasons?: number[];
  /** an upper bound no value can pass (GPUs in the cluster): every quantile is clipped at it */
  cap?: number;
  /** quantile levels to deliver besides 0.1, 0.5 and 0.9 (`--quantiles 0.1,0.5,0.9,0.99`) */
  quantiles?: number[];
  onModel?: (done: number, total: number) => void;
}

export interface ForecastPoint extends Quantiles {
  t: number;
  /** the value at each of the result's `levels` */
  q: number[];
}

export interface ForecastResult {
  series: Series;
  model: string;
  params: Record<string, number>;
  chosen: ModelScore;
  baseline: ModelScore;
  backtest: BacktestResult;
  points: ForecastPoint[];
  /** features ignored because their future values do not cover the horizon */
  ignoredFeatures: string[];
  nonNegative: boolean;
  /** the ensemble's members, when the ensemble was chosen */
  members?: string[];
  /** quantile levels delivered, ascending */
  levels: number[];
  /** what the cap did */
  capNotes: string[];
  /** the seasonal periods the models used, in slots */
  seasons: number[];
  /** seasons asked for beyond the two the models take */
  unusedSeasons: number[];
  /** the MASE denominator over the whole history: scores against later actuals divide by it */
  scale: number;
}

export function forecastSeries(series: Series, o: ForecastOptions): ForecastResult {
  const y = series.values;
  const n = y.length;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i]!)) throw new InvalidInput(`${series.name}: value ${i} is not a number`, [{ path: `values[${i}]`, message: 'not a finite number', found: String(y[i]) }], 'Fill or drop missing values before forecasting.');
  }
  // Squared errors of values past 1e150 overflow to Infinity and every fit fails: refuse them
  // rather than print empty quantiles. Tiny values (a price per token, 2.5e-7) are fine.
  for (let i = 0; i < n; i++) {
    if (Math.abs(y[i]!) > 1e150) throw new InvalidInput(`${series.name}: the value at ${new Date(slotTime(series, i)).toISOString()} is ${y[i]}, too large to forecast`, [{ path: `values[${i}]`, message: 'magnitude above 1e150', expected: 'values within ±1e150', found: String(y[i]) }], 'Give the series in a larger unit (e.g. thousands or millions).');
  }
  if (!(Number.isInteger(o.horizon) && o.horizon >= 1)) throw new InvalidInput(`horizon must be at least one interval`, [{ path: 'horizon', message: 'not a positive whole number of intervals', found: String(o.horizon) }], 'Use --horizon 7d, 24h, or a number of intervals.');
  const usable = series.features.filter((f) => f.values.length >= n + o.horizon);
  const ignoredFeatures = series.features.filter((f) => f.values.length < n + o.horizon).map((f) => f.name);
  const seasons = o.seasons?.length ? [...new Set(o.seasons)].sort((a, b) => a - b) : undefined;
  for (const m of seasons ?? []) {
    if (!(Number.isInteger(m) && m >= 2)) throw new InvalidInput(`a season of ${m} steps is not possible`, [{ path: 'season', message: 'not a whole number of at least 2 intervals', found: String(m) }], 'Give --season as a number of intervals (e.g. 24 for a day of hours) or a duration that is a whole number of intervals.');
  }
  const periods = seasons ? { day: seasons[0]!, ...(seasons[1] !== undefined && { week: seasons[1] }) } : seasonalPeriods(series.intervalMs, series.intervalMonths);
  const ctx: FitContext = { startMs: series.startMs, intervalMs: series.intervalMs, periods, seasonNames: seasonNames(series.intervalMs, series.intervalMonths, seasons), features: usable };
  if (o.cap !== undefined && (!(o.cap > 0) || !Number.isFinite(o.cap))) throw new InvalidInput(`the cap ${o.cap} is not a positive number`, [{ path: 'cap', message: 'not a positive number', found: String(o.cap) }], 'Give --cap as the most the series can reach, e.g. the GPUs in the cluster.');
  const models = resolveModels(o.model);
  // The backtest clips at the cap too: the band it scores (and calibrates the width of) is the one delivered.
  const bt = backtest(y, ctx, { horizon: o.horizon, origins: o.origins, models, baseline: baselineModel(n, ctx), ...(o.cap !== undefined && { cap: o.cap }), ...(models.length >= 3 && { ensemble: 3 }), ...(o.quantiles && { levels: o.quantiles }), ...(o.onModel && { onModel: o.onModel }) });
  const asked = new Set(models.map((m) => m.name));
  // The references a choice must beat beyond noise: seasonal naive (the baseline) and the fixed
  // SARIMA, where they were asked for (both are among auto's candidates).
  const chosen = choose(bt.scores, asked, [bt.baseline, 'sarima'].filter((m) => asked.has(m)));
  const finalFit = (name: string) => {
    const earlier = bt.fits.get(name);
    return earlier?.refit ? earlier.refit(y) : modelByName(name)!.fit(y, ctx);
  };
  const model = { name: chosen.model };
  const fit = chosen.members ? ensembleOf(chosen.members.map(finalFit)) : finalFit(chosen.model);
  let nonNegative = true;
  for (let i = 0; i < n; i++) if (y[i]! < 0) ((nonNegative = false), (i = n));
  // One origin gives no out-of-sample errors to calibrate on: the model's own band is delivered,
  // which is the band whose coverage the backtest measured.
  const q = calibratedForecast(fit, o.horizon, bt.origins.length > 1 ? bt.cal.get(model.name) : undefined, nonNegative, bt.levels);
  const capNotes: string[] = [];
  if (o.cap !== undefined) {
    const cap = o.cap;
    let clipped = 0;
    for (const p of q) {
      if (p.q[p.q.length - 1]! > cap) clipped++;
      p.q = p.q.map((v) => Math.min(v, cap));
      ((p.p10 = Math.min(p.p10, cap)), (p.p50 = Math.min(p.p50, cap)), (p.p90 = Math.min(p.p90, cap)));
    }
    let above = 0;
    for (let i = 0; i < n; i++) if (y[i]! > cap) above++;
    capNotes.push(`quantiles clipped at the cap ${cap} (${clipped} of ${q.length} steps reached it)`);
    if (above) capNotes.push(`${above} history values exceed the cap ${cap}: is it right?`);
  }
  for (const p of q) {
    if (![p.p10, p.p50, p.p90].every(Number.isFinite)) throw new InvalidInput(`${series.name}: ${model.name} gave a forecast that is not a number`, [{ path: 'model', message: 'non-finite forecast', found: model.name }], 'Try another --model, or give the series in a unit where its values are nearer 1.');
  }
  const points = q.map((p, i) => ({ t: slotTime(series, n + i), ...p }));
  const baseline = bt.scores.find((s) => s.model === bt.baseline)!;
  const unusedSeasons = seasons && seasons.length > 2 ? seasons.slice(2) : [];
  return { series, model: model.name, ...(chosen.members && { members: chosen.members }), params: fit.params, chosen, baseline, backtest: bt, points, ignoredFeatures, nonNegative, capNotes, levels: bt.levels, seasons: [periods.day, periods.week].filter((m): m is number => m !== undefined), unusedSeasons, scale: scaleOf(y, n, Math.min(bt.scalePeriod, n - 1)) };
}

function baselineModel(n: number, ctx: FitContext) {
  return modelByName(baselineFor(n, ctx).name)!;
}

/** Significant digits, not fixed decimals: a $/token series (2.5e-7) keeps its digits. */
const round = (x: number | undefined, d = 7) => (x === undefined || !Number.isFinite(x) ? null : Number(x.toPrecision(d)));
const iso = (t: number) => new Date(t).toISOString();

/** `p99` for 0.99, `p2.5` for 0.025: the JSON key of a quantile level. */
export function levelName(q: number): string {
  return `p${Number((q * 100).toPrecision(6))}`;
}

function extraLevels(levels: number[], q: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  levels.forEach((l, i) => {
    if (l !== 0.1 && l !== 0.5 && l !== 0.9) out[levelName(l)] = round(q[i])!;
  });
  return out;
}

/** The forecast file (`--out`, `--json`): the planner reads `points[].t/p10/p50/p90`. */
export function forecastToJson(r: ForecastResult, source: string) {
  const s = r.series;
  const rep = s.report;
  return {
    model: r.model,
    ...(r.members && { members: r.members }),
    interval: intervalLabel(s),
    unit: s.unit,
    source,
    series: s.name,
    history: { start: iso(s.startMs), end: iso(slotTime(s, s.values.length - 1)), points: s.values.length },
    horizon: r.points.length,
    metrics: {
      mase: round(r.chosen.mase),
      smape: round(r.chosen.smape),
      coverageP10P90: round(r.chosen.coverage),
      rawCoverageP10P90: round(r.chosen.rawCoverage),
      nominalCoverage: 0.8,
      /** the outermost quantiles delivered, their measured and nominal coverage */
      band: { from: levelName(r.levels[0]!), to: levelName(r.levels[r.levels.length - 1]!), coverage: round(r.chosen.bandCoverage), nominal: round(r.levels[r.levels.length - 1]! - r.levels[0]!) },
      /** mean pinball loss over the quantiles, out of sample, scaled like MASE (lower is better) */
      pinball: round(r.chosen.pinball),
      quantiles: r.levels,
      baseline: r.baseline.model,
      baselineMase: round(r.baseline.mase),
      /** 1 − MASE/baseline MASE: the share of the baseline's error removed */
      skillVsBaseline: r.baseline.mase && r.chosen.mase !== undefined && Number.isFinite(r.baseline.mase) ? round(1 - r.chosen.mase / r.baseline.mase) : null,
      origins: r.backtest.origins.length,
      backtestHorizon: r.backtest.horizon,
      scalePeriod: r.backtest.scalePeriod,
      /** mean absolute error of the naive forecast (at scalePeriod) over the history: the MASE scale */
      scale: round(r.scale),
      seasons: r.seasons,
    },
    params: Object.fromEntries(Object.entries(r.params).map(([k, v]) => [k, round(v, 8)])),
    backtest: r.backtest.scores.map((b) => ({
      model: b.model,
      ...(b.baseline && { baseline: true }),
      ...(b.members && { members: b.members }),
      ...(b.skipped ? { skipped: b.skipped } : { mase: round(b.mase), smape: round(b.smape), mae: round(b.mae), coverageP10P90: round(b.coverage), rawCoverageP10P90: round(b.rawCoverage), pinball: round(b.pinball) }),
    })),
    preparation: {
      observations: rep.observations,
      duplicatesMerged: rep.duplicatesMerged,
      missingValues: rep.missingValues,
      sorted: rep.sorted,
      fill: rep.fill,
      gapsFilled: rep.gapsFilled,
      filledRuns: rep.filledRuns.map((f) => ({ from: iso(f.from), to: iso(f.to), count: f.count })),
      outliers: rep.outliers.map((x) => ({ t: iso(x.t), value: round(x.value), score: x.score })),
      notes: [
        ...rep.notes,
        ...(r.backtest.horizon < r.points.length ? [`the history allowed a backtest of ${r.backtest.horizon} step${r.backtest.horizon > 1 ? 's' : ''} only; steps beyond it (of ${r.points.length}) are extrapolated without measured accuracy`] : []),
        ...(r.unusedSeasons.length ? [`seasons ${r.unusedSeasons.join(', ')} not used: the models take the two shortest (${r.seasons.join(', ')})`] : []),
        ...(r.ignoredFeatures.length ? [`features without future values ignored: ${r.ignoredFeatures.join(', ')}`] : []),
        ...(r.nonNegative ? ['history is non-negative: quantiles clipped at 0'] : []),
        ...r.capNotes,
      ],
    },
    points: r.points.map((p) => ({ t: iso(p.t), p10: round(p.p10)!, p50: round(p.p50)!, p90: round(p.p90)!, ...extraLevels(r.levels, p.q) })),
  };
}

export type ForecastJson = ReturnType<typeof forecastToJson>;
