/**
 * Alibaba GPU cluster trace v2023 (alibaba/clusterdata cluster-trace-gpu-v2023): pod lists
 * (`openb_pod_list_*.csv`) and node lists (`openb_node_list_*.csv`) → simulator jobs and nodes.
 *
 * Pod columns: name, cpu_milli, memory_mib, num_gpu, gpu_milli, and in some lists gpu_spec
 * ("V100M16|V100M32" = either), qos (LS, Guaranteed, Burstable, BE), pod_phase, creation_time,
 * deletion_time, scheduled_time (seconds). Lists without times are for fill mode.
 */
import { InvalidInput, type Issue } from '../../core/errors.js';
import type { SimJob } from '../../core/sim/model.js';
import type { ListedNode } from '../../core/sim/scenario.js';
import { readCsv, type CsvRecord } from './csv.js';

/** Latency-sensitive work first: the trace's QoS classes as priorities. */
export const QOS_PRIORITY: Record<string, number> = { LS: 3, Guaranteed: 2, Burstable: 1, BE: 0 };

export interface AlibabaPods {
  jobs: SimJob[];
  /** True when the list has creation and deletion times (replay); false = resources only (fill mode). */
  hasTimes: boolean;
}

const HINT_PODS = 'An Alibaba v2023 pod list has columns name,cpu_milli,memory_mib,num_gpu,gpu_milli[,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time].';
const HINT_NODES = 'An Alibaba v2023 node list has columns sn,cpu_milli,memory_mib,gpu,model.';

class Rows {
  issues: Issue[] = [];
  constructor(readonly file: string) {}
  num(rec: CsvRecord, col: string, opts: { int?: boolean; min?: number; max?: number; optional?: boolean } = {}): number | undefined {
    const raw = (rec.values[col] ?? '').trim();
    if (raw === '' || raw === 'NULL' || raw === 'nan') {
      if (!opts.optional) this.issues.push({ file: this.file, line: rec.line, path: col, message: 'required value is missing', expected: 'a number' });
      return undefined;
    }
    const v = Number(raw);
    const ok = Number.isFinite(v) && (!opts.int || Number.isInteger(v)) && (opts.min === undefined || v >= opts.min) && (opts.max === undefined || v <= opts.max);
    if (!ok) {
      const expected = `${opts.int ? 'an integer' : 'a number'}${opts.min !== undefined ? ` >= ${opts.min}` : ''}${opts.max !== undefined ? ` and <= ${opts.max}` : ''}`;
      this.issues.push({ file: this.file, line: rec.line, path: col, message: 'not a valid value', expected, found: JSON.stringify(raw) });
      return undefined;
    }
    return v;
  }
  tooMany(): boolean {
    return this.issues.length >= 20;
  }
  fail(what: string, hint: string): never {
    throw new InvalidInput(`${this.file}: ${this.issues.length}${this.issues.length >= 20 ? '+' : ''} problem${this.issues.length > 1 ? 's' : ''} in the ${what}`, this.issues, hint);
  }
}

function requireColumns(file: string, header: string[], cols: string[], hint: string): void {
  const missing = cols.filter((c) => !header.includes(c));
  if (missing.length) {
    throw new InvalidInput(`${file}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, missing.map((c) => ({ file, line: 1, path: c, message: 'column missing', found: header.join(',') })), hint);
  }
}

export async function readAlibabaPods(path: string, onBytes?: (read: number, total: number) => void): Promise<AlibabaPods> {
  const rows = new Rows(path);
  const jobs: SimJob[] = [];
  let hasTimes = false;
  let checked = false;
  for await (const rec of readCsv(path, onBytes ? { onBytes } : {})) {
    if (!checked) {
      requireColumns(path, rec.header, ['name', 'cpu_milli', 'memory_mib', 'num_gpu', 'gpu_milli'], HINT_PODS);
      const created = rec.header.includes('creation_time');
      const deleted = rec.header.includes('deletion_time');
      // One time column without the other is a damaged list, not a list for fill mode.
      if (created !== deleted) {
        const [has, lacks] = created ? ['creation_time', 'deletion_time'] : ['deletion_time', 'creation_time'];
        throw new InvalidInput(`${path}: the pod list has ${has} but no ${lacks}`, [{ file: path, line: 1, path: lacks, message: 'column missing', found: rec.header.join(',') }], `A replay needs both times; a list for fill mode has neither. Add ${lacks}, or drop ${has} to fill the cluster instead.`);
      }
      hasTimes = created && deleted;
      checked = true;
    }
    const v = rec.values;
    const cpu = rows.num(rec, 'cpu_milli', { min: 0 });
    const mem = rows.num(rec, 'memory_mib', { min: 0 });
    const gpus = rows.num(rec, 'num_gpu', { int: true, min: 0, max: 31 });
    let milli = rows.num(rec, 'gpu_milli', { int: true, min: 0, max: 1000, optional: true }) ?? 0;
    let arrivalS = 0;
    let workS = Infinity;
    if (hasTimes) {
      const created = rows.num(rec, 'creation_time', { min: 0 });
      const deleted = rows.num(rec, 'deletion_time', { min: 0 });
      const scheduled = rows.num(rec, 'scheduled_time', { min: 0, optional: true });
      if (created !== undefined && deleted !== undefined) {
        arrivalS = created;
        // Service time as observed: from being scheduled (or created, for pods never scheduled) to deletion.
        workS = Math.max(1, deleted - (scheduled ?? created));
        if (deleted < created) rows.issues.push({ file: path, line: rec.line, path: 'deletion_time', message: 'deleted before it was created', expected: `>= ${created}`, found: String(deleted) });
      }
    }
    if (gpus !== undefined && gpus > 0 && milli === 0) milli = 1000;
    if (gpus !== undefined && gpus > 1 && milli !== 1000) {
      rows.issues.push({ file: path, line: rec.line, path: 'gpu_milli', message: 'GPU sharing (gpu_milli below 1000) is only for pods with num_gpu = 1', expected: '1000', found: String(milli) });
      milli = 1000;
    }
    if (rows.tooMany()) break;
    if (cpu === undefined || mem === undefined || gpus === undefined) continue;
    const spec = (v.gpu_spec ?? '').trim();
    const job: SimJob = {
      id: (v.name ?? '').trim() || `line-${rec.line}`,
      arrivalS,
      gpus,
      gpuMilli: gpus > 0 ? milli : 0,
      cpuMilli: cpu,
      memoryMib: mem,
      workS,
      priority: QOS_PRIORITY[(v.qos ?? '').trim()] ?? 0,
      // -1 = not given: the scenario's defaults apply.
      checkpointIntervalS: -1,
      restartOverheadS: -1,
    };
    if (spec && spec !== 'nan' && gpus > 0) job.gpuTypes = spec.split('|').map((s) => s.trim()).filter(Boolean);
    jobs.push(job);
  }
  if (!checked) throw new InvalidInput(`${path}: no pods in the file`, [{ file: path, path: '', message: 'no data rows' }], HINT_PODS);
  if (rows.issues.length) rows.fail('pod list', HINT_PODS);
  return { jobs, hasTimes };
}

export async function readAlibabaNodes(path: string): Promise<ListedNode[]> {
  const rows = new Rows(path);
  const nodes: ListedNode[] = [];
  let checked = false;
  for await (const rec of readCsv(path)) {
    if (!checked) {
      requireColumns(path, rec.header, ['sn', 'cpu_milli', 'memory_mib', 'gpu', 'model'], HINT_NODES);
      checked = true;
    }
    const cpu = rows.num(rec, 'cpu_milli', { min: 0 });
    const mem = rows.num(rec, 'memory_mib', { min: 0 });
    const gpus = rows.num(rec, 'gpu', { int: true, min: 0, max: 31 });
    if (rows.tooMany()) break;
    if (cpu === undefined || mem === undefined || gpus === undefined) continue;
    const model = (rec.values.model ?? '').trim();
    nodes.push({ name: (rec.values.sn ?? '').trim() || `line-${rec.line}`, cpuMilli: cpu, memoryMib: mem, gpus, model: model === 'nan' ? '' : model });
  }
  if (!checked) throw new InvalidInput(`${path}: no nodes in the file`, [{ file: path, path: '', message: 'no data rows' }], HINT_NODES);
  if (rows.issues.length) rows.fail('node list', HINT_NODES);
  return nodes;
}

export { Rows as CsvRows, requireColumns };
