/**
 * Use case: forecast a prepared series (from any importer) and give the result both as the
 * record the CLI renders and as the forecast file the planner reads.
 */
import { SCHEMA_VERSIONS } from './contracts.js';
import { InvalidInput } from '../core/errors.js';
import { forecastSeries, forecastToJson, type ForecastJson, type ForecastResult } from '../core/forecast/forecast.js';
import type { Series } from '../core/forecast/series.js';
import { forecastChartSvg } from '../core/forecast/chart.js';
import type { Progress } from './ports.js';
import { silentProgress } from './ports.js';

export interface RunForecastOptions {
  horizon: number;
  model?: string;
  origins?: number;
  /** seasonal periods in intervals, replacing the day and week */
  seasons?: number[];
  /** the most the series can reach: quantiles are clipped at it */
  cap?: number;
  /** quantile levels besides 0.1, 0.5, 0.9 */
  quantiles?: number[];
  /** what the forecast file names as its source (a path, a store query) */
  source: string;
}

export interface ForecastOutcome {
  result: ForecastResult;
  json: { schemaVersion: number } & ForecastJson;
}

export function runForecast(series: Series, o: RunForecastOptions, progress: Progress = silentProgress): ForecastOutcome {
  progress.start(1, 'backtesting models');
  try {
    const result = forecastSeries(series, {
      horizon: o.horizon,
      model: o.model ?? 'auto',
      origins: o.origins ?? 8,
      ...(o.seasons && { seasons: o.seasons }),
      ...(o.quantiles && { quantiles: o.quantiles }),
      ...(o.cap !== undefined && { cap: o.cap }),
      onModel: (done, total) => {
        progress.start(total, 'backtesting models');
        progress.tick(done);
      },
    });
    return { result, json: { schemaVersion: SCHEMA_VERSIONS.forecast, ...forecastToJson(result, o.source) } };
  } finally {
    progress.finish();
  }
}

/** The chart of history (the last few horizons), forecast and P10–P90 band, as SVG text. */
export function forecastChart(outcome: ForecastOutcome, historyPoints?: number): string {
  return forecastChartSvg(outcome.result, historyPoints);
}

/** One series of a many-series call: its key (a group, a column) and the series itself. */
export interface KeyedSeries {
  key: string;
  series: Series;
}

export interface ManyForecastOutcome {
  /** the forecasts made, in the order of the series given */
  forecasts: { key: string; outcome: ForecastOutcome }[];
  /** series no forecast could be made for (too short, all zero…), with the reason */
  skipped: { key: string; reason: string }[];
  json: {
    schemaVersion: number;
    source: string;
    /** what tells the series apart: a billing dimension, a CSV column or `column` */
    by: string;
    forecasts: ({ key: string } & ForecastJson)[];
    skipped: { key: string; reason: string }[];
  };
}

/**
 * One forecast per series (`--by team`, one per CSV column), each with its own backtest and model
 * choice. A series that cannot be forecast (bad input for that one) is reported as skipped rather
 * than failing the others; when none can be, the first one's error is thrown.
 */
export function runForecasts(list: KeyedSeries[], by: string, o: RunForecastOptions, progress: Progress = silentProgress): ManyForecastOutcome {
  if (list.length === 0) throw new InvalidInput(`no series to forecast by ${by}`, [{ path: 'by', message: 'no groups', found: by }], 'Check the data has rows with values.');
  const forecasts: ManyForecastOutcome['forecasts'] = [];
  const skipped: ManyForecastOutcome['skipped'] = [];
  let firstError: unknown;
  for (const { key, series } of list) {
    try {
      forecasts.push({ key, outcome: runForecast(series, o, progress) });
    } catch (e) {
      if (!(e instanceof InvalidInput)) throw e;
      firstError ??= e;
      skipped.push({ key, reason: e.message });
    }
  }
  if (forecasts.length === 0) throw firstError;
  return {
    forecasts,
    skipped,
    json: { schemaVersion: SCHEMA_VERSIONS.forecast, source: o.source, by, forecasts: forecasts.map((f) => ({ key: f.key, ...forecastToJson(f.outcome.result, o.source) })), skipped },
  };
}
