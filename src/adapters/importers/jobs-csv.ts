/**
 * Job traces for the simulator: a generic jobs CSV, or an Alibaba v2023 pod list (recognised by
 * its num_gpu column).
 *
 * Generic columns (by name, any order): arrival (seconds from the trace's start, or an ISO 8601
 * time), gpus, and duration_s or work_s; optional: id, gpu_milli, gpu_type ("A100|H100" = either),
 * cpu_milli, memory_mib, priority, deadline (seconds, or ISO 8601 time), checkpoint_interval_s,
 * restart_overhead_s.
 */
import { InvalidInput } from '../../core/errors.js';
import type { SimJob } from '../../core/sim/model.js';
import { readAlibabaPods, CsvRows, requireColumns } from './alibaba-v2023.js';
import { readCsv, readCsvHeader, type CsvRecord } from './csv.js';

export interface JobTrace {
  format: 'jobs-csv' | 'alibaba-v2023';
  jobs: SimJob[];
  hasTimes: boolean;
}

const HINT = 'A jobs CSV has columns arrival,gpus,duration_s (or work_s) and optionally id,nodes,gpu_milli,gpu_type,cpu_milli,memory_mib,priority,deadline,checkpoint_interval_s,restart_overhead_s; see docs/simulator.md.';

export async function readJobTrace(path: string, onBytes?: (read: number, total: number) => void): Promise<JobTrace> {
  const header = await readCsvHeader(path);
  if (header.includes('num_gpu')) {
    const pods = await readAlibabaPods(path, onBytes);
    return { format: 'alibaba-v2023', ...pods };
  }
  return { format: 'jobs-csv', jobs: await readJobsCsv(path, onBytes), hasTimes: true };
}

export async function readJobsCsv(path: string, onBytes?: (read: number, total: number) => void): Promise<SimJob[]> {
  const rows = new CsvRows(path);
  const jobs: SimJob[] = [];
  let checked = false;
  let isoBase: number | undefined;
  const time = (rec: CsvRecord, col: string, optional: boolean): number | undefined => {
    const raw = (rec.values[col] ?? '').trim();
    if (raw !== '' && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) {
      const ms = Date.parse(raw);
      if (Number.isNaN(ms)) {
        rows.issues.push({ file: path, line: rec.line, path: col, message: 'not a time', expected: 'seconds or an ISO 8601 time', found: JSON.stringify(raw) });
        return undefined;
      }
      // ISO times count from the first one seen, so the trace starts near 0.
      isoBase ??= ms;
      return (ms - isoBase) / 1000;
    }
    return rows.num(rec, col, { optional, min: col === 'deadline' ? undefined : 0 } as { optional: boolean; min?: number });
  };
  for await (const rec of readCsv(path, onBytes ? { onBytes } : {})) {
    if (!checked) {
      requireColumns(path, rec.header, ['arrival', 'gpus'], HINT);
      if (!rec.header.includes('duration_s') && !rec.header.includes('work_s')) {
        throw new InvalidInput(`${path}: missing column duration_s or work_s`, [{ file: path, line: 1, path: 'duration_s', message: 'column missing', found: rec.header.join(',') }], HINT);
      }
      checked = true;
    }
    const v = rec.values;
    const arrivalS = time(rec, 'arrival', false);
    // More GPUs than a node has: the job runs as a gang across nodes (core/sim/gang.ts).
    const gpus = rows.num(rec, 'gpus', { int: true, min: 0, max: 4096 });
    const nodes = rows.num(rec, 'nodes', { int: true, min: 1, max: 4096, optional: true });
    const milli = rows.num(rec, 'gpu_milli', { int: true, min: 1, max: 1000, optional: true }) ?? 1000;
    const workS = rows.num(rec, v.work_s !== undefined ? 'work_s' : 'duration_s', { min: 0 });
    const deadline = time(rec, 'deadline', true);
    const cpu = rows.num(rec, 'cpu_milli', { min: 0, optional: true }) ?? 0;
    const mem = rows.num(rec, 'memory_mib', { min: 0, optional: true }) ?? 0;
    const priority = rows.num(rec, 'priority', { optional: true }) ?? 0;
    const ckpt = rows.num(rec, 'checkpoint_interval_s', { min: 0, optional: true });
    const overhead = rows.num(rec, 'restart_overhead_s', { min: 0, optional: true });
    if (gpus !== undefined && gpus > 1 && milli !== 1000) {
      rows.issues.push({ file: path, line: rec.line, path: 'gpu_milli', message: 'GPU sharing (gpu_milli below 1000) is only for jobs with gpus = 1', expected: '1000', found: String(milli) });
    }
    if (nodes !== undefined && gpus !== undefined && (gpus % nodes !== 0 || gpus / nodes > 31)) {
      rows.issues.push({ file: path, line: rec.line, path: 'nodes', message: 'a gang splits its GPUs equally over its nodes, at most 31 per node', expected: `a divisor of gpus (${gpus}) leaving at most 31 GPUs per node`, found: String(nodes) });
    }
    if (deadline !== undefined && arrivalS !== undefined && deadline < arrivalS) {
      rows.issues.push({ file: path, line: rec.line, path: 'deadline', message: 'deadline before arrival', expected: `>= ${arrivalS}`, found: String(deadline) });
    }
    if (rows.tooMany()) break;
    if (arrivalS === undefined || gpus === undefined || workS === undefined) continue;
    const type = (v.gpu_type ?? '').trim();
    const job: SimJob = {
      id: (v.id ?? '').trim() || `line-${rec.line}`,
      arrivalS,
      gpus,
      gpuMilli: gpus > 0 ? milli : 0,
      cpuMilli: cpu,
      memoryMib: mem,
      workS,
      priority,
      // -1 = not given: the scenario's default applies.
      checkpointIntervalS: ckpt ?? -1,
      restartOverheadS: overhead ?? -1,
    };
    if (type) job.gpuTypes = type.split('|').map((s) => s.trim()).filter(Boolean);
    if (deadline !== undefined) job.deadlineS = deadline;
    if (nodes !== undefined) job.nodes = nodes;
    jobs.push(job);
  }
  if (!checked) throw new InvalidInput(`${path}: no jobs in the file`, [{ file: path, path: '', message: 'no data rows' }], HINT);
  if (rows.issues.length) rows.fail('jobs CSV', HINT);
  return jobs;
}
