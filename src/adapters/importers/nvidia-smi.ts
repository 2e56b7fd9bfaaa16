/**
 * nvidia-smi `--query-gpu=… --format=csv` logs → GpuInfo + GpuSample. Streams through the shared
 * CSV reader; every bad cell is named by file, line and field, and nothing is returned if any is bad.
 */
import { InvalidInput, type Issue } from '../../core/errors.js';
import type { GpuInfo, GpuSample } from '../../core/telemetry/model.js';
import { isNvidiaSmiHeader, parseSmiHeader, parseSmiNumber, parseSmiTimestamp, type SmiField } from '../../core/telemetry/nvidia-smi.js';
import { readCsv, readCsvHeader } from './csv.js';

export interface NvidiaSmiLog {
  gpus: GpuInfo[];
  samples: GpuSample[];
  fields: string[];
  /** Rows that repeat an earlier row's GPU, time and readings exactly (a log appended twice): skipped. */
  repeatedRows: number;
}

const MAX_ISSUES = 20;

export async function readNvidiaSmiCsv(path: string, opts: { host?: string; utcOffsetMinutes?: number; onBytes?: (read: number, total: number) => void } = {}): Promise<NvidiaSmiLog> {
  const header = await readCsvHeader(path);
  if (!isNvidiaSmiHeader(header)) {
    throw new InvalidInput(
      `${path}: not an nvidia-smi CSV log`,
      [{ path: '', file: path, line: 1, message: 'header lacks timestamp and utilization.gpu / power.draw', expected: 'timestamp, utilization.gpu [%], power.draw [W], …', found: header.join(', ').slice(0, 200) }],
      'Record with: nvidia-smi --query-gpu=timestamp,index,uuid,name,utilization.gpu,utilization.memory,memory.used,memory.total,power.draw --format=csv -lms 500',
    );
  }
  const fields = new Map<string, SmiField>();
  for (const h of header) {
    const f = parseSmiHeader(h);
    if (!fields.has(f.name)) fields.set(f.name, f);
  }
  const fileHost = opts.host ?? 'localhost';
  const gpus = new Map<string, GpuInfo>();
  const samples: GpuSample[] = [];
  const issues: Issue[] = [];
  const bad = (line: number, f: SmiField | string, found: string, expected: string, message = 'bad value') => {
    if (issues.length < MAX_ISSUES) issues.push({ path: typeof f === 'string' ? f : f.header, file: path, line, message, expected, found });
    else issues.length === MAX_ISSUES && issues.push({ path: '', file: path, message: 'further problems not listed' });
  };
  let badRows = 0;
  // (GPU, time) → the first row read for it: one GPU has one reading per instant, so a second row
  // with other values is two GPUs the log cannot tell apart, or two loggers in one file.
  // Indices into `samples` (and `lines`), not objects: a fleet's log has millions of rows.
  const seen = new Map<string, Map<number, number>>();
  const lines: number[] = [];
  const identified = ['uuid', 'index', 'pci.bus_id', 'mig.uuid', 'gpu_instance_id'].some((f) => fields.has(f));
  let repeatedRows = 0;
  let conflictRows = 0;
  for await (const rec of readCsv(path, opts.onBytes ? { onBytes: opts.onBytes } : {})) {
    const cell = (name: string) => {
      const f = fields.get(name);
      return f ? (rec.values[f.header] ?? '').trim() : undefined;
    };
    const before = issues.length;
    const tsCell = cell('timestamp') ?? '';
    // Logs appended with `>>` after a restart repeat the header mid-file.
    if (tsCell.toLowerCase() === 'timestamp') continue;
    const tsMs = parseSmiTimestamp(tsCell, opts.utcOffsetMinutes);
    if (tsMs === undefined) bad(rec.line, fields.get('timestamp')!, tsCell, 'a timestamp like 2024/05/01 12:00:00.123');
    const number = (name: string): number | null => {
      const f = fields.get(name);
      if (!f) return null;
      const raw = cell(name)!;
      const v = parseSmiNumber(raw, f.unit);
      if (!v.ok) {
        bad(rec.line, f, raw, v.expected);
        return null;
      }
      return v.value;
    };
    const utilPct = number('utilization.gpu');
    const utilMemPct = number('utilization.memory');
    const memUsedMiB = number('memory.used');
    const memTotalMiB = number('memory.total');
    const powerW = fields.has('power.draw') ? number('power.draw') : fields.has('power.draw.instant') ? number('power.draw.instant') : number('power.draw.average');
    const grField = fields.get('gr_engine_active');
    const gr = grField ? number('gr_engine_active') : null;
    if (gr !== null && (gr < 0 || gr > (grField!.unit === '%' ? 100 : 1))) bad(rec.line, grField!, String(gr), grField!.unit === '%' ? '0–100 %' : 'a ratio 0–1');
    for (const [name, v, max] of [['utilization.gpu', utilPct, 100], ['utilization.memory', utilMemPct, 100]] as const) {
      if (v !== null && (v < 0 || v > max)) bad(rec.line, fields.get(name)!, String(v), `0–${max} %`);
    }
    // Watts and MiB below zero are no reading: a negative power.draw gave negative energy and cost.
    const powerName = fields.has('power.draw') ? 'power.draw' : fields.has('power.draw.instant') ? 'power.draw.instant' : 'power.draw.average';
    for (const [name, v] of [['memory.used', memUsedMiB], ['memory.total', memTotalMiB], [powerName, powerW]] as const) {
      const f = fields.get(name);
      if (f && v !== null && v < 0) bad(rec.line, f, String(v), `a non-negative number${f.unit ? ` in ${f.unit}` : ''} or [N/A]`);
    }
    if (issues.length > before) {
      badRows++;
      continue;
    }
    // A host column in the file wins over --host (one log may hold several hosts).
    const host = cell('hostname') || fileHost;
    const gpuIndex = cell('index') || cell('pci.bus_id') || '0';
    const uuid = cell('uuid');
    const parent = uuid || `${host}:${gpuIndex}`;
    // MIG: an instance is its own GPU (its MIG device UUID, else parent/gi<id>); sharing the
    // parent's UUID would merge a busy instance with an idle one.
    const gi = cell('gpu_instance_id');
    const instance = gi && !/^\[?n\/a\]?$/i.test(gi) ? gi : undefined;
    const migUuid = cell('mig.uuid') || (uuid?.startsWith('MIG-') ? uuid : undefined);
    const isMig = instance !== undefined || migUuid !== undefined;
    const gpuId = migUuid || (instance !== undefined ? `${parent}/gi${instance}` : parent);
    const index = instance !== undefined ? `${gpuIndex}/gi${instance}` : gpuIndex;
    const profile = cell('gpu_instance_profile');
    const name = cell('name') || null;
    const model = isMig && profile ? `${name ?? 'GPU'} MIG ${profile}` : name;
    // Under MIG, utilization.gpu is not measured per instance: the graphics engine activity
    // (a ratio, or % when the header says so) is its use where the collector gives it.
    const utilGpuPct = gr !== null ? (grField!.unit === '%' ? gr : gr * 100) : isMig ? null : utilPct;
    const g = gpus.get(gpuId);
    if (!g) gpus.set(gpuId, { gpuId, host, index, model, memoryTotalMiB: memTotalMiB });
    else if (g.memoryTotalMiB === null && memTotalMiB !== null) g.memoryTotalMiB = memTotalMiB;
    const sample: GpuSample = { gpuId, tsMs: tsMs!, utilGpuPct, utilMemPct, memUsedMiB, powerW };
    let atTime = seen.get(gpuId);
    if (!atTime) seen.set(gpuId, (atTime = new Map()));
    const firstAt = atTime.get(sample.tsMs);
    if (firstAt !== undefined) {
      const first = samples[firstAt]!;
      if (sameReadings(first, sample)) {
        repeatedRows++;
        continue;
      }
      conflictRows++;
      const what = identified ? `GPU ${gpuId} already has a reading at ${tsCell} (line ${lines[firstAt]}) with other values` : `a second reading at ${tsCell} (first on line ${lines[firstAt]}) with other values, and no index, uuid or pci.bus_id column to tell GPUs apart`;
      bad(rec.line, fields.get('timestamp')!, `${tsCell}: ${describe(sample)} vs ${describe(first)}`, `one reading per GPU and time`, `contradicts an earlier row: ${what}`);
      continue;
    }
    atTime.set(sample.tsMs, samples.length);
    lines.push(rec.line);
    samples.push(sample);
  }
  if (issues.length) {
    const hint = conflictRows && !identified
      ? 'This log holds several GPUs but does not say which row is which. Record it again with an index or uuid column: nvidia-smi --query-gpu=timestamp,index,uuid,name,utilization.gpu,utilization.memory,memory.used,memory.total,power.draw --format=csv -lms 500'
      : conflictRows
        ? 'Two loggers may have written into one file: keep one of the rows named above for each GPU and time (or split the file by logger), then ingest again.'
        : 'Fix or delete the rows named above; missing readings may be written [N/A].';
    const count = conflictRows && badRows ? `${badRows} bad row(s) and ${conflictRows} row(s) that contradict an earlier reading` : conflictRows ? `${conflictRows} row(s) that contradict an earlier reading of the same GPU and time` : `${badRows} bad row(s)`;
    throw new InvalidInput(`${path}: ${count} in the nvidia-smi log; nothing was ingested`, issues, hint);
  }
  return { gpus: [...gpus.values()], samples, fields: [...fields.keys()], repeatedRows };
}

function sameReadings(a: GpuSample, b: GpuSample): boolean {
  return a.utilGpuPct === b.utilGpuPct && a.utilMemPct === b.utilMemPct && a.memUsedMiB === b.memUsedMiB && a.powerW === b.powerW;
}

function describe(s: GpuSample): string {
  const part = (v: number | null, unit: string) => (v === null ? '[N/A]' : `${v}${unit}`);
  return `${part(s.utilGpuPct, ' %')}, ${part(s.memUsedMiB, ' MiB')}, ${part(s.powerW, ' W')}`;
}
