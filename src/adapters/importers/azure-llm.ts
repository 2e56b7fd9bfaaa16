/**
 * Azure LLM inference traces (`TIMESTAMP,ContextTokens,GeneratedTokens`, one row per request)
 * → requests, input tokens or output tokens per interval. Rows are summed into slots while
 * streaming, so a trace of millions of requests needs memory per slot, not per request.
 */
import { InvalidInput, type Issue } from '../../core/errors.js';
import { resample, type Observation, type Series } from '../../core/forecast/series.js';
import { readCsv } from './csv.js';
import { parseTimestamp } from './timestamp.js';

export const AZURE_METRICS = ['requests', 'input-tokens', 'output-tokens', 'tokens'] as const;
export type AzureMetric = (typeof AZURE_METRICS)[number];

export const AZURE_COLUMNS = ['TIMESTAMP', 'ContextTokens', 'GeneratedTokens'];

export async function readAzureLlmSeries(path: string, o: { intervalMs: number; metric?: AzureMetric; onBytes?: (r: number, t: number) => void }): Promise<Series> {
  const metric = o.metric ?? 'requests';
  const I = o.intervalMs;
  const slots = new Map<number, number>();
  const issues: Issue[] = [];
  let rows = 0;
  let firstT = Infinity;
  let lastT = -Infinity;
  for await (const rec of readCsv(path, { ...(o.onBytes && { onBytes: o.onBytes }) })) {
    rows++;
    const t = parseTimestamp(rec.values.TIMESTAMP ?? '');
    const ctx = Number(rec.values.ContextTokens);
    const gen = Number(rec.values.GeneratedTokens);
    if (!Number.isFinite(t) || !Number.isFinite(ctx) || !Number.isFinite(gen) || ctx < 0 || gen < 0) {
      if (issues.length < 20) {
        const bad = !Number.isFinite(t) ? 'TIMESTAMP' : !Number.isFinite(ctx) || ctx < 0 ? 'ContextTokens' : 'GeneratedTokens';
        issues.push({ path: bad, file: path, line: rec.line, message: bad === 'TIMESTAMP' ? 'not a timestamp' : 'not a token count', found: JSON.stringify(rec.values[bad] ?? '') });
      }
      continue;
    }
    const v = metric === 'requests' ? 1 : metric === 'input-tokens' ? ctx : metric === 'output-tokens' ? gen : ctx + gen;
    if (t < firstT) firstT = t;
    if (t > lastT) lastT = t;
    const slot = Math.floor(t / I) * I;
    slots.set(slot, (slots.get(slot) ?? 0) + v);
  }
  if (issues.length) throw new InvalidInput(`${path}: ${issues.length} request row${issues.length === 1 ? '' : 's'} cannot be read`, issues, 'An Azure LLM trace has TIMESTAMP (YYYY-MM-DD HH:MM:SS.fffffff), ContextTokens and GeneratedTokens on every row.');
  if (rows === 0) throw new InvalidInput(`${path}: no requests`, [{ path: '', file: path, message: 'the trace has a header but no rows' }]);
  // The trace's window is not stated: a first or last slot that the requests cover only in
  // part (first request late in its slot, last request early in its) would read as a dip.
  const dropped: string[] = [];
  const firstSlot = Math.floor(firstT / I) * I;
  const lastSlot = Math.floor(lastT / I) * I;
  if (slots.size > 2 && firstT - firstSlot > 0.1 * I) (slots.delete(firstSlot), dropped.push(`first interval ${new Date(firstSlot).toISOString()} (the trace starts ${Math.round((firstT - firstSlot) / 1000)} s into it)`));
  if (slots.size > 2 && lastT - lastSlot < 0.9 * I) (slots.delete(lastSlot), dropped.push(`last interval ${new Date(lastSlot).toISOString()} (the trace ends ${Math.round((lastT - lastSlot) / 1000)} s into it)`));
  const obs: Observation[] = [...slots].map(([t, value]) => ({ t, value }));
  const s = resample(obs, { name: metric, unit: `${metric === 'requests' ? 'requests' : 'tokens'} per ${intervalLabel(I)}`, intervalMs: I, agg: 'sum', kind: 'events', fill: 'zero' });
  s.report.observations = rows;
  s.report.notes.push(`${rows} requests counted; a slot with no request is 0`);
  for (const d of dropped) s.report.notes.push(`partial ${d} left out`);
  return s;
}

function intervalLabel(ms: number): string {
  if (ms % 86_400_000 === 0) return ms === 86_400_000 ? 'day' : `${ms / 86_400_000} days`;
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? 'hour' : `${ms / 3_600_000} h`;
  return ms === 60_000 ? 'minute' : `${ms / 60_000} min`;
}
