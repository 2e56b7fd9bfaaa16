/**
 * One entry point for every history a forecast can start from: the format is recognised by the
 * file's header (or named), and each format's importer turns it into a regular Series.
 */
import { stat } from 'node:fs/promises';
import { InvalidInput } from '../../core/errors.js';
import type { Aggregation, FillMethod, Series } from '../../core/forecast/series.js';
import { AZURE_COLUMNS, AZURE_METRICS, readAzureLlmSeries, type AzureMetric } from './azure-llm.js';
import { DLRM_COLUMNS, DLRM_METRICS, readDlrmSeries, type DlrmMetric } from './dlrm-2025.js';
import { POD_COLUMNS, POD_METRICS, readAlibabaPodSeries, type PodMetric } from './alibaba-pods-series.js';
import { readCsvHeader } from './csv.js';
import { readCsvSeries, readCsvSeriesMany, type KeyedCsvSeries } from './series-csv.js';

export const SOURCE_FORMATS = ['auto', 'csv', 'azure-llm', 'dlrm', 'alibaba-pods'] as const;
export type SourceFormat = Exclude<(typeof SOURCE_FORMATS)[number], 'auto'>;

export const METRICS: Record<SourceFormat, readonly string[]> = {
  csv: [],
  'azure-llm': AZURE_METRICS,
  dlrm: DLRM_METRICS,
  'alibaba-pods': POD_METRICS,
};

/** The default interval of each format when --interval is not given (csv: inferred from the data). */
export const DEFAULT_INTERVAL_MS: Record<SourceFormat, number | undefined> = { csv: undefined, 'azure-llm': 60_000, dlrm: 3_600_000, 'alibaba-pods': 3_600_000 };

export function detectFormat(header: string[]): SourceFormat {
  const has = (cols: string[]) => cols.every((c) => header.includes(c));
  if (has(AZURE_COLUMNS)) return 'azure-llm';
  if (has(DLRM_COLUMNS)) return 'dlrm';
  if (header.includes('num_gpu') && header.includes('gpu_milli')) return 'alibaba-pods';
  return 'csv';
}

export interface LoadSeriesOptions {
  format?: SourceFormat | 'auto';
  intervalMs?: number;
  /** calendar months per slot (generic CSV only) */
  intervalMonths?: number;
  metric?: string;
  timeColumn?: string;
  valueColumn?: string;
  features?: string[];
  agg?: Aggregation;
  fill?: FillMethod;
  traceStartMs?: number;
  app?: string;
  onBytes?: (read: number, total: number) => void;
}

/** The file exists, is not empty, and its format (named or recognised) takes the metric asked for. */
async function checkedFormat(path: string, o: LoadSeriesOptions): Promise<{ format: SourceFormat; header: string[] }> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new InvalidInput(`${path} is a directory`, [{ path: '', file: path, message: 'is a directory' }], 'Name a CSV file.');
    if (st.size === 0) throw new InvalidInput(`${path} is empty`, [{ path: '', file: path, message: 'file is empty' }], 'Give a CSV file with a header and rows.');
  } catch (e) {
    if (e instanceof InvalidInput) throw e;
    throw new InvalidInput(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, [{ path: '', file: path, message: 'file not found' }], 'Check the path.');
  }
  const header = await readCsvHeader(path);
  const format = !o.format || o.format === 'auto' ? detectFormat(header) : o.format;
  const metrics = METRICS[format];
  if (o.metric !== undefined && !metrics.includes(o.metric)) {
    throw new InvalidInput(`--metric ${o.metric} does not apply to a ${format} source`, [{ path: 'metric', message: 'unknown metric', expected: metrics.length ? metrics.join(', ') : 'none (use --value for a CSV column)', found: o.metric }], metrics.length ? `Use one of: ${metrics.join(', ')}.` : 'Use --value COLUMN for a CSV.');
  }
  return { format, header };
}

export async function loadSeries(path: string, o: LoadSeriesOptions = {}): Promise<{ series: Series; format: SourceFormat }> {
  const { format, header } = await checkedFormat(path, o);
  const required = format === 'azure-llm' ? AZURE_COLUMNS : format === 'dlrm' ? [...DLRM_COLUMNS, 'scheduled_time'] : format === 'alibaba-pods' ? [...POD_COLUMNS, 'scheduled_time'] : [];
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) {
    throw new InvalidInput(`${path}: a ${format} source needs the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, missing.map((c) => ({ path: c, file: path, line: 1, message: 'column missing', found: header.join(',') })), format === 'alibaba-pods' ? 'This pod list has no times; use one with creation_time, scheduled_time and deletion_time (e.g. openb_pod_list_gpushare40.csv).' : 'Check the file is the format named.');
  }
  const intervalMs = o.intervalMs ?? DEFAULT_INTERVAL_MS[format];
  if (o.intervalMonths && format !== 'csv') throw new InvalidInput(`a ${format} source cannot be resampled to calendar months`, [{ path: 'interval', message: 'months apply to a generic CSV only', found: `${o.intervalMonths}mo` }], 'Use --interval 1d or 1w for a trace.');
  const common = { ...(o.onBytes && { onBytes: o.onBytes }), ...(o.traceStartMs !== undefined && { traceStartMs: o.traceStartMs }) };
  switch (format) {
    case 'azure-llm':
      return { format, series: await readAzureLlmSeries(path, { intervalMs: intervalMs!, ...common, ...(o.metric && { metric: o.metric as AzureMetric }) }) };
    case 'dlrm':
      return { format, series: await readDlrmSeries(path, { intervalMs: intervalMs!, ...common, ...(o.app && { app: o.app }), ...(o.metric && { metric: o.metric as DlrmMetric }) }) };
    case 'alibaba-pods':
      return { format, series: await readAlibabaPodSeries(path, { intervalMs: intervalMs!, ...common, ...(o.metric && { metric: o.metric as PodMetric }) }) };
    default:
      return {
        format,
        series: await readCsvSeries(path, {
          ...(intervalMs !== undefined && { intervalMs }),
          ...(o.intervalMonths && { intervalMonths: o.intervalMonths }),
          ...(o.timeColumn && { timeColumn: o.timeColumn }),
          ...(o.valueColumn && { valueColumn: o.valueColumn }),
          ...(o.features && { features: o.features }),
          ...(o.agg && { agg: o.agg }),
          ...(o.fill && { fill: o.fill }),
          ...(o.onBytes && { onBytes: o.onBytes }),
        }),
      };
  }
}

/**
 * Several series from one generic CSV: one per column (`--value a,b`, `--each-column`) and/or per
 * group (`--by team`). Traces (Azure, DLRM, pod lists) give one series each and are refused.
 */
export async function loadSeriesMany(path: string, o: LoadSeriesOptions & { valueColumns?: string[]; eachColumn?: boolean; groupColumn?: string; maxSeries?: number }): Promise<KeyedCsvSeries[]> {
  const { format } = await checkedFormat(path, o);
  if (format !== 'csv') throw new InvalidInput(`a ${format} source gives one series; --by, --each-column and several --value columns apply to a generic CSV`, [{ path: o.groupColumn !== undefined ? 'by' : 'value', file: path, message: 'several series from a trace', found: format }], 'Forecast the trace as one series, or give a CSV with one column per series (or a column naming each row\'s series).');
  return readCsvSeriesMany(path, {
    ...(o.intervalMs !== undefined && { intervalMs: o.intervalMs }),
    ...(o.intervalMonths && { intervalMonths: o.intervalMonths }),
    ...(o.timeColumn && { timeColumn: o.timeColumn }),
    ...(o.valueColumns && { valueColumns: o.valueColumns }),
    ...(o.eachColumn && { eachColumn: true }),
    ...(o.groupColumn !== undefined && { groupColumn: o.groupColumn }),
    ...(o.maxSeries !== undefined && { maxSeries: o.maxSeries }),
    ...(o.features && { features: o.features }),
    ...(o.agg && { agg: o.agg }),
    ...(o.fill && { fill: o.fill }),
    ...(o.onBytes && { onBytes: o.onBytes }),
  });
}
