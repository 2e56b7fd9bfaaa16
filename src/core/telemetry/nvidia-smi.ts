/**
 * The nvidia-smi `--query-gpu=… --format=csv` dialect, parsed without I/O: header cells carry units
 * (`power.draw [W]`), value cells repeat them (`71.81 W`, `0 %`), missing values read `[N/A]` or
 * `[Not Supported]`, and any subset of fields may come in any order.
 */
export interface SmiField {
  /** Field name as nvidia-smi spells it, e.g. `power.draw`. */
  name: string;
  /** Unit from the header (`W`, `%`, `MiB`, `MHz`), or undefined. */
  unit: string | undefined;
  /** The header cell as found. */
  header: string;
}

/** Fields we read, each under every alias nvidia-smi accepts (`utilization.gpu` = `gpu_utilization`). */
export const SMI_ALIASES: Record<string, string> = {
  timestamp: 'timestamp',
  index: 'index',
  uuid: 'uuid',
  gpu_uuid: 'uuid',
  name: 'name',
  gpu_name: 'name',
  'pci.bus_id': 'pci.bus_id',
  'utilization.gpu': 'utilization.gpu',
  gpu_utilization: 'utilization.gpu',
  'utilization.memory': 'utilization.memory',
  memory_utilization: 'utilization.memory',
  'memory.used': 'memory.used',
  'memory.total': 'memory.total',
  'power.draw': 'power.draw',
  'power.draw.instant': 'power.draw.instant',
  'power.draw.average': 'power.draw.average',
  'power.limit': 'power.limit',
  'temperature.gpu': 'temperature.gpu',
  // Not nvidia-smi's own: columns a collector adds to say which host and which MIG instance a
  // row is (nvidia-smi --query-gpu has one row per physical GPU and no host).
  hostname: 'hostname',
  host: 'hostname',
  gpu_instance_id: 'gpu_instance_id',
  gi_id: 'gpu_instance_id',
  gpu_i_id: 'gpu_instance_id',
  gpu_instance_profile: 'gpu_instance_profile',
  'mig.profile': 'gpu_instance_profile',
  gpu_i_profile: 'gpu_instance_profile',
  'mig.uuid': 'mig.uuid',
  mig_uuid: 'mig.uuid',
  'mig.mode.current': 'mig.mode.current',
  gr_engine_active: 'gr_engine_active',
  dcgm_fi_prof_gr_engine_active: 'gr_engine_active',
};

export function parseSmiHeader(cell: string): SmiField {
  const m = /^\s*([^[\]]+?)\s*(?:\[([^\]]*)\])?\s*$/.exec(cell);
  const raw = (m?.[1] ?? cell).trim().toLowerCase();
  return { name: SMI_ALIASES[raw] ?? raw, unit: m?.[2]?.trim() || undefined, header: cell.trim() };
}

/** True when a header row looks like nvidia-smi's: a timestamp plus utilisation or power fields. */
export function isNvidiaSmiHeader(header: string[]): boolean {
  const names = new Set(header.map((h) => parseSmiHeader(h).name));
  return names.has('timestamp') && (names.has('utilization.gpu') || names.has('power.draw') || names.has('power.draw.instant'));
}

export type SmiValue = { ok: true; value: number | null } | { ok: false; expected: string };

const MISSING = /^\[?(n\/a|not supported|unknown error|insufficient permissions|gpu is lost|requested functionality has been deprecated)\]?$/i;

/** A numeric cell: `71.81 W`, `0 %`, `81559 MiB`, or a missing marker (null). */
export function parseSmiNumber(cell: string, unit: string | undefined): SmiValue {
  const s = cell.trim();
  if (s === '' || MISSING.test(s)) return { ok: true, value: null };
  const m = /^(-?\d+(?:\.\d+)?)\s*([A-Za-z%/]*)$/.exec(s);
  if (!m || (unit && m[2] && m[2] !== unit)) return { ok: false, expected: `a number${unit ? ` in ${unit}` : ''} or [N/A]` };
  return { ok: true, value: Number(m[1]) };
}

/**
 * `2024/05/01 12:00:00.123` (nvidia-smi's own format, local time of the host) or ISO 8601. Without
 * a zone the time is read as UTC plus `utcOffsetMinutes` of the host (default 0): nvidia-smi does
 * not write the zone, so the caller must say it when hosts do not run on UTC.
 */
export function parseSmiTimestamp(cell: string, utcOffsetMinutes = 0): number | undefined {
  const s = cell.trim();
  const m = /^(\d{4})[/-](\d{2})[/-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(s);
  if (m) {
    const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
    const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
    const d = new Date(t);
    // Reject 2024/02/31 and the like: Date.UTC would roll them over silently.
    if (d.getUTCDate() !== Number(m[3]) || d.getUTCMonth() !== Number(m[2]) - 1) return undefined;
    return t - utcOffsetMinutes * 60_000;
  }
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(s)) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}
