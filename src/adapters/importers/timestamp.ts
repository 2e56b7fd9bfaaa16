/**
 * Timestamps as users have them: ISO 8601 (`2025-01-02T03:04:05Z`, offsets, any fraction digits),
 * `YYYY-MM-DD HH:MM:SS(.ffffff)` (the Azure traces' form), `YYYY/MM/DD …`, a date alone, or
 * epoch seconds / milliseconds. No zone means UTC. Returns epoch ms, NaN when unparseable.
 */
import { InvalidInput } from '../../core/errors.js';

const DATE_TIME = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;
const NUMBER = /^\d+(\.\d+)?$/;

export type EpochUnit = 'auto' | 's' | 'ms';

export function parseTimestamp(raw: string, epoch: EpochUnit = 'auto'): number {
  const s = raw.trim();
  if (NUMBER.test(s)) {
    const v = Number(s);
    // Seconds until year 5138; anything ≥ 1e11 is milliseconds (1e11 ms is 1973).
    const ms = epoch === 'ms' || (epoch === 'auto' && v >= 1e11) ? v : v * 1000;
    return Math.round(ms);
  }
  const m = DATE_TIME.exec(s);
  if (!m) return NaN;
  const [, y, mo, d, h = '0', mi = '0', se = '0', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(se);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return NaN;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  let t = Date.UTC(year, month - 1, day, hour, minute, second) + ms;
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return NaN; // 2025-02-30
  if (zone && !/^(Z|UTC|GMT)$/i.test(zone)) {
    const zm = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    const offsetMin = (Number(zm[2]) * 60 + Number(zm[3] ?? 0)) * (zm[1] === '-' ? -1 : 1);
    t -= offsetMin * 60_000;
  }
  return t;
}

/** Durations as `--horizon` takes them: 90m, 36h, 7d, 2w, 1d12h. */
export function parseDurationMs(raw: string): number {
  const s = raw.trim().toLowerCase();
  // `mo` is the average Gregorian month (a horizon of 12mo on monthly data is 12 steps).
  const re = /(\d+(?:\.\d+)?)\s*(ms|mo|min|s|m|h|d|w)/gy;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, mo: 2_629_746_000 };
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * unit[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === s.length && s.length > 0 ? total : NaN;
}

/**
 * A date option or query parameter (`--from 2026-10-01`, `?to=…`, `--at`) as ISO 8601 UTC; a bare
 * date is midnight UTC, and so is a time that names no zone (`2026-11-01T00:00`): Date.parse would
 * read it in the machine's zone, which put `--at 2026-11-01T00:00` in November on a machine in
 * Los Angeles and moved spend to date with the zone. Empty means absent; anything unparseable is
 * refused naming the option.
 */
export function dateOption(name: string, v: string | undefined): string | undefined {
  if (v === undefined || v === '') return undefined;
  const zoneless = /T\d/.test(v) && !/([zZ]|[+-]\d\d(:?\d\d)?)$/.test(v);
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : zoneless ? `${v}Z` : v);
  if (!Number.isFinite(ms)) throw new InvalidInput(`${name} "${v}" is not a date`, [{ path: name, message: 'not a date', expected: 'YYYY-MM-DD or ISO 8601', found: v }]);
  return new Date(ms).toISOString();
}

/**
 * An option's time, in ms: ISO 8601, UTC when it names no zone (`2024-05-01T12:00` is noon UTC,
 * whatever the machine's zone); a clear error naming the option otherwise.
 */
export function timeOptionMs(v: string, name: string): number {
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) || !/T/.test(v) ? v : `${v}Z`);
  if (Number.isNaN(t)) throw new InvalidInput(`${name}: "${v}" is not a time`, [{ path: name, message: 'expected an ISO 8601 time like 2024-05-01T12:00Z (UTC when no zone)', found: v }]);
  return t;
}

/**
 * A forecast interval: whole seconds from 1s to 4w (`10s`, `1m`, `90s`, `2h`, `1d`, `1w`) or
 * whole calendar months (`1mo`, `3mo`); undefined when it is neither.
 */
export function parseInterval(raw: string): { intervalMs: number; intervalMonths?: number } | undefined {
  const s = raw.trim().toLowerCase();
  const mo = /^(\d+)\s*mo(nths?)?$/.exec(s);
  if (mo) {
    const k = Number(mo[1]);
    return k >= 1 && k <= 12 ? { intervalMs: k * 2_629_746_000, intervalMonths: k } : undefined;
  }
  const ms = parseDurationMs(s);
  if (!Number.isFinite(ms) || ms < 1000 || ms % 1000 !== 0 || ms > 4 * 604_800_000) return undefined;
  return { intervalMs: ms };
}
