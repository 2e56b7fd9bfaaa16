/**
 * Alibaba GPU-disaggregated DLRM serving trace (cluster-trace-gpu-v2025,
 * disaggregated_DLRM_trace.csv) → GPUs (or instances, or CPUs) held per interval.
 * Each instance holds its `gpu_request` from `scheduled_time` (or `creation_time`) until
 * `deletion_time`; a missing start means it existed before the trace began, a missing end that it
 * outlived the trace. Times are seconds from the trace start; `traceStartMs` places that on the
 * calendar (the trace does not say when it began: by default 1970-01-01, a Thursday).
 */
import { InvalidInput, type Issue } from '../../core/errors.js';
import { occupancy, type Series, type Span } from '../../core/forecast/series.js';
import { readCsv } from './csv.js';
import { parseNumberCell } from './series-csv.js';

export const DLRM_METRICS = ['gpus', 'instances', 'cpus'] as const;
export type DlrmMetric = (typeof DLRM_METRICS)[number];
export const DLRM_COLUMNS = ['instance_sn', 'gpu_request', 'creation_time', 'deletion_time'];

export async function readDlrmSeries(path: string, o: { intervalMs: number; metric?: DlrmMetric; traceStartMs?: number; app?: string; onBytes?: (r: number, t: number) => void }): Promise<Series> {
  const metric = o.metric ?? 'gpus';
  const origin = o.traceStartMs ?? 0;
  const raw: { start: number; end: number; amount: number }[] = [];
  const issues: Issue[] = [];
  let traceEndS = 0;
  let rows = 0;
  for await (const rec of readCsv(path, { ...(o.onBytes && { onBytes: o.onBytes }) })) {
    const v = rec.values;
    if (o.app && v.app_name !== o.app) continue;
    rows++;
    const created = parseNumberCell(v.creation_time ?? '');
    const scheduled = parseNumberCell(v.scheduled_time ?? '');
    const deleted = parseNumberCell(v.deletion_time ?? '');
    const cell = metric === 'gpus' ? v.gpu_request : metric === 'cpus' ? v.cpu_request : '1';
    const amount = parseNumberCell(cell ?? '');
    const bad = [['creation_time', created], ['scheduled_time', scheduled], ['deletion_time', deleted], [metric === 'cpus' ? 'cpu_request' : 'gpu_request', amount]].find(([, x]) => x === undefined);
    if (bad || !Number.isFinite(amount!)) {
      if (issues.length < 20) issues.push({ path: String(bad?.[0] ?? 'gpu_request'), file: path, line: rec.line, message: 'not a number', found: JSON.stringify(v[String(bad?.[0] ?? 'gpu_request')] ?? '') });
      continue;
    }
    const start = Number.isFinite(scheduled!) ? scheduled! : Number.isFinite(created!) ? created! : 0;
    const end = Number.isFinite(deleted!) ? deleted! : Infinity;
    for (const x of [created!, scheduled!, deleted!]) if (Number.isFinite(x) && x > traceEndS) traceEndS = x;
    raw.push({ start, end, amount: amount! });
  }
  if (issues.length) throw new InvalidInput(`${path}: ${issues.length} instance row${issues.length === 1 ? '' : 's'} cannot be read`, issues, 'A DLRM trace row has numeric gpu_request and creation/scheduled/deletion times (seconds, empty when unknown).');
  if (rows === 0) throw new InvalidInput(`${path}: no instances${o.app ? ` of app ${o.app}` : ''}`, [{ path: 'app_name', file: path, message: 'no matching rows' }], o.app ? 'Check the --app name.' : undefined);
  const spans: Span[] = raw.map((r) => ({ start: origin + r.start * 1000, end: origin + Math.min(r.end, traceEndS) * 1000, amount: r.amount }));
  const s = occupancy(spans, { name: `${metric} held`, unit: metric === 'gpus' ? 'GPUs' : metric === 'cpus' ? 'vCPUs' : 'instances', startMs: origin, endMs: origin + traceEndS * 1000, intervalMs: o.intervalMs });
  s.report.notes.push(`${rows} instances; values are the time-weighted average held in each interval`);
  if (o.traceStartMs === undefined) s.report.notes.push('the trace gives times relative to its start; placed at 1970-01-01T00:00Z (use --trace-start to set the real date)');
  return s;
}
