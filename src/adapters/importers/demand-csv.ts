/**
 * Demand series for the planner: a column of a CSV (a timestamp column + value columns), a
 * forecast file of the forecasting module ({"model","interval","unit","metrics","points":[{t,p10,
 * p50,p90}]}), or values inline. Each value is work units in one period.
 */
import { z } from 'zod';
import { InvalidInput, type Issue } from '../../core/errors.js';
import { readCsv } from './csv.js';
import { readTextFile } from './input-file.js';

export async function readDemandCsv(path: string, column: string): Promise<number[]> {
  const rows: { ts: string | undefined; v: number }[] = [];
  const issues: Issue[] = [];
  let tsCol: string | undefined;
  for await (const rec of readCsv(path)) {
    if (rows.length === 0 && issues.length === 0) {
      if (!rec.header.includes(column)) {
        throw new InvalidInput(`${path}: no column "${column}"`, [{ file: path, line: 1, path: column, message: `column "${column}" not found`, expected: 'one of ' + rec.header.join(', ') }], 'Name a column of the demand CSV in the scenario (demand.column).');
      }
      tsCol = rec.header.find((h) => /^(timestamp|time|t|date|datetime|period)$/i.test(h));
    }
    const raw = (rec.values[column] ?? '').trim();
    const v = Number(raw);
    if (raw === '' || !Number.isFinite(v) || v < 0) {
      issues.push({ file: path, line: rec.line, path: column, message: 'demand must be a non-negative number (work units per period)', found: JSON.stringify(raw) });
      continue;
    }
    rows.push({ ts: tsCol ? rec.values[tsCol] : undefined, v });
  }
  if (issues.length) throw new InvalidInput(`${path}: ${issues.length} bad demand value${issues.length > 1 ? 's' : ''}`, issues.slice(0, 20), 'Each demand cell is a non-negative number.');
  if (rows.length === 0) throw new InvalidInput(`${path}: no demand rows`, [{ file: path, path: '', message: 'the CSV has a header but no rows' }], 'Add one row per period.');
  if (tsCol) {
    const times = rows.map((r) => Date.parse(r.ts ?? ''));
    if (times.every((x) => Number.isFinite(x))) {
      const idx = rows.map((_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
      return idx.map((i) => rows[i]!.v);
    }
  }
  return rows.map((r) => r.v);
}

const forecastSchema = z.object({
  model: z.string(),
  interval: z.string(),
  unit: z.string().optional(),
  metrics: z.record(z.string(), z.unknown()).optional(),
  points: z
    .array(z.object({ t: z.string(), p10: z.number().min(0).optional(), p50: z.number().min(0), p90: z.number().min(0).optional() }).loose())
    .min(1),
}).loose();

export async function readForecastDemand(path: string, quantile: 'p10' | 'p50' | 'p90'): Promise<number[]> {
  const text = await readTextFile(path, 64 * 1024 * 1024, 'forecast');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InvalidInput(`${path}: not JSON: ${(e as Error).message}`, [{ file: path, path: '', message: 'not valid JSON' }], 'Give a forecast file written by `penny forecast --json`.');
  }
  const r = forecastSchema.safeParse(json);
  if (!r.success) {
    throw new InvalidInput(`${path}: not a Penny forecast file`, r.error.issues.slice(0, 20).map((i) => ({ file: path, path: i.path.map(String).join('.'), message: i.message })), 'A forecast file is {"model", "interval", "unit", "points": [{"t", "p10", "p50", "p90"}]}.');
  }
  const pts = [...r.data.points].sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
  return pts.map((p, i) => {
    const v = p[quantile];
    if (v === undefined) throw new InvalidInput(`${path}: point ${i} has no ${quantile}`, [{ file: path, path: `points[${i}].${quantile}`, message: `missing ${quantile}` }], `Use quantile p50, or a forecast with ${quantile}.`);
    return v;
  });
}
