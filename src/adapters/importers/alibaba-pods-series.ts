/**
 * Alibaba GPU cluster trace v2023 pod lists (openb_pod_list_*.csv) → GPUs requested or in use per
 * interval. A pod asks for num_gpu GPUs, or a share gpu_milli/1000 of one GPU when num_gpu is 1;
 * it requests them from creation to deletion and uses them from scheduling to deletion (a pod
 * never scheduled uses none). Columns are read by name: their order differs from file to file.
 * Only the series conversion lives here; parsing for simulation is the simulator's importer.
 */
import { InvalidInput, type Issue } from '../../core/errors.js';
import { occupancy, type Series, type Span } from '../../core/forecast/series.js';
import { readCsv } from './csv.js';
import { parseNumberCell } from './series-csv.js';

export const POD_METRICS = ['gpus-requested', 'gpus-in-use'] as const;
export type PodMetric = (typeof POD_METRICS)[number];
export const POD_COLUMNS = ['num_gpu', 'gpu_milli', 'creation_time', 'deletion_time'];

export async function readAlibabaPodSeries(path: string, o: { intervalMs: number; metric?: PodMetric; traceStartMs?: number; onBytes?: (r: number, t: number) => void }): Promise<Series> {
  const metric = o.metric ?? 'gpus-in-use';
  const origin = o.traceStartMs ?? 0;
  const raw: { start: number; end: number; amount: number }[] = [];
  const issues: Issue[] = [];
  let endS = 0;
  let rows = 0;
  let never = 0;
  for await (const rec of readCsv(path, { ...(o.onBytes && { onBytes: o.onBytes }) })) {
    rows++;
    const v = rec.values;
    const numGpu = parseNumberCell(v.num_gpu ?? '');
    const milli = parseNumberCell(v.gpu_milli ?? '');
    const created = parseNumberCell(v.creation_time ?? '');
    const scheduled = parseNumberCell(v.scheduled_time ?? '');
    const deleted = parseNumberCell(v.deletion_time ?? '');
    const cells: [string, number | undefined][] = [['num_gpu', numGpu], ['gpu_milli', milli], ['creation_time', created], ['scheduled_time', scheduled], ['deletion_time', deleted]];
    const bad = cells.find(([name, x]) => x === undefined || (name !== 'scheduled_time' && name !== 'deletion_time' && !Number.isFinite(x)));
    if (bad) {
      if (issues.length < 20) issues.push({ path: bad[0], file: path, line: rec.line, message: 'not a number', found: JSON.stringify(v[bad[0]] ?? '') });
      continue;
    }
    for (const x of [created!, scheduled!, deleted!]) if (Number.isFinite(x) && x > endS) endS = x;
    const gpus = numGpu! === 1 ? Math.min(1000, milli!) / 1000 : numGpu!;
    if (gpus === 0) continue;
    const start = metric === 'gpus-requested' ? created! : Number.isFinite(scheduled!) ? scheduled! : NaN;
    if (!Number.isFinite(start)) {
      never++;
      continue;
    }
    raw.push({ start, end: Number.isFinite(deleted!) ? deleted! : Infinity, amount: gpus });
  }
  if (issues.length) throw new InvalidInput(`${path}: ${issues.length} pod row${issues.length === 1 ? '' : 's'} cannot be read`, issues, 'A v2023 pod list has num_gpu, gpu_milli and creation/scheduled/deletion times in seconds.');
  if (raw.length === 0) throw new InvalidInput(`${path}: no GPU pod with a time`, [{ path: '', file: path, message: 'no row has GPUs and times' }], 'Use a pod list with creation_time, scheduled_time and deletion_time columns (e.g. openb_pod_list_default.csv or gpushare40).');
  const spans: Span[] = raw.map((r) => ({ start: origin + r.start * 1000, end: origin + Math.min(r.end, endS) * 1000, amount: r.amount }));
  let first = Infinity;
  for (const r of raw) if (r.start < first) first = r.start;
  const s = occupancy(spans, { name: metric, unit: 'GPUs', startMs: origin + first * 1000, endMs: origin + endS * 1000, intervalMs: o.intervalMs });
  s.report.observations = rows;
  s.report.notes.push(`${rows} pods; GPUs are time-weighted averages per interval (a share of gpu_milli/1000 for GPU-sharing pods)`);
  if (never) s.report.notes.push(`${never} GPU pods were never scheduled and use no GPU`);
  if (o.traceStartMs === undefined) s.report.notes.push('the trace gives times relative to its start; placed at 1970-01-01T00:00Z (use --trace-start to set the real date)');
  return s;
}
