/**
 * Use case: forecast a prepared series (from any importer) and give the result both as the
 * record the CLI renders and as the forecast file the planner reads.
 */
import { SCHEMA_VERSIONS } from './contracts.js';
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
