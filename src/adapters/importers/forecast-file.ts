/**
 * Reading a forecast file (`penny forecast --out`) back, validated: for the planner and anything
 * else that takes forecast demand. Only what consumers rely on is required: interval, unit and
 * points[].t/p10/p50/p90 (non-decreasing quantiles, times in order, one interval apart).
 */
import { z } from 'zod';
import { InvalidInput } from '../../core/errors.js';
import { slotNumber, slotStart } from '../../core/forecast/series.js';
import { readTextFile } from './input-file.js';
import { parseInterval, parseTimestamp } from './timestamp.js';

const point = z.object({ t: z.string(), p10: z.number(), p50: z.number(), p90: z.number() });
const schema = z.object({
  model: z.string(),
  interval: z.string(),
  unit: z.string(),
  source: z.string().optional(),
  metrics: z.record(z.string(), z.unknown()).optional(),
  points: z.array(point).min(1),
});

export interface ForecastFilePoint {
  /** epoch ms, UTC */
  t: number;
  p10: number;
  p50: number;
  p90: number;
}

export interface ForecastFile {
  model: string;
  /** the slot length; for monthly forecasts the average month (see intervalMonths) */
  intervalMs: number;
  /** calendar months per slot, for monthly forecasts */
  intervalMonths?: number;
  unit: string;
  source?: string;
  points: ForecastFilePoint[];
}

export type Quantile = 'p10' | 'p50' | 'p90';

export function parseForecastFile(text: string, file = '<forecast>'): ForecastFile {
  const hint = 'A forecast file is what `penny forecast --out FILE` writes.';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InvalidInput(`${file}: not JSON: ${(e as Error).message}`, [{ path: '', file, message: 'not valid JSON' }], hint);
  }
  const r = schema.safeParse(json);
  if (!r.success) throw new InvalidInput(`${file}: not a forecast file`, r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), file, message: i.message })), hint);
  const d = r.data;
  const interval = parseInterval(d.interval);
  if (!interval) throw new InvalidInput(`${file}: unknown interval "${d.interval}"`, [{ path: 'interval', file, message: 'unknown interval', expected: 'a duration from 1s to 4w (10s, 1m, 1h, 1d, 1w) or months (1mo)', found: d.interval }], hint);
  const { intervalMs } = interval;
  const next = (t: number) => (interval.intervalMonths ? slotStart(interval, slotNumber(interval, t) + 1) : t + intervalMs);
  const issues = [];
  const points: ForecastFilePoint[] = [];
  for (const [i, p] of d.points.entries()) {
    const t = parseTimestamp(p.t);
    if (!Number.isFinite(t)) issues.push({ path: `points[${i}].t`, file, message: 'not a timestamp', found: p.t });
    else if (points.length && t !== next(points[points.length - 1]!.t)) issues.push({ path: `points[${i}].t`, file, message: `not one interval (${d.interval}) after the previous point`, found: p.t });
    if (!(p.p10 <= p.p50 && p.p50 <= p.p90)) issues.push({ path: `points[${i}]`, file, message: 'quantiles out of order', expected: 'p10 ≤ p50 ≤ p90', found: `${p.p10}, ${p.p50}, ${p.p90}` });
    points.push({ t, p10: p.p10, p50: p.p50, p90: p.p90 });
    if (issues.length >= 20) break;
  }
  if (issues.length) throw new InvalidInput(`${file}: the forecast points are not usable`, issues, hint);
  return { model: d.model, intervalMs, ...(interval.intervalMonths && { intervalMonths: interval.intervalMonths }), unit: d.unit, ...(d.source !== undefined && { source: d.source }), points };
}

export async function readForecastFile(path: string): Promise<ForecastFile> {
  return parseForecastFile(await readTextFile(path, 256 * 1024 * 1024, 'forecast'), path);
}

/** Demand per interval at one quantile, as the planner takes it. */
export function demandAt(f: ForecastFile, q: Quantile): { t: number; value: number }[] {
  return f.points.map((p) => ({ t: p.t, value: p[q] }));
}
