/**
 * Use case: saved forecasts (runs of kind `forecast`) scored against the actuals that arrived after
 * them. Where the actuals come from (the workspace's billing or telemetry, the history file read
 * again, another file) is the caller's: it passes a loader.
 */
import { InvalidInput, NotFound } from '../core/errors.js';
import { levelName, type ForecastJson } from '../core/forecast/forecast.js';
import { scoreForecast, type ForecastScoreResult } from '../core/forecast/score.js';
import { slotTime, type Series } from '../core/forecast/series.js';
import type { RunRecord, Store } from './ports.js';

/**
 * How a saved forecast's series can be read again for its actuals: the workspace's billing
 * (optionally one group of a dimension), its GPU telemetry, or the file it was read from.
 */
export type ReloadSpec =
  | { source: 'billing'; by?: string; top?: number; key?: string; currency?: string }
  | { source: 'gpu'; intervalMs: number }
  | { source: 'file'; path: string; options: Record<string, unknown>; key?: string };

export type SavedForecastResult = ForecastJson & { reload?: ReloadSpec };

export interface ForecastScoreRow extends Omit<ForecastScoreResult, 'first' | 'last'> {
  /** first and last step scored */
  first?: string;
  last?: string;
  runId: string;
  name: string;
  createdAt: string;
  model: string;
  interval: string;
  unit: string;
  /** the last slot of the history the forecast was made from */
  historyEnd: string;
  /** scored: some actuals arrived; waiting: none yet; no-actuals: nothing to read them from */
  status: 'scored' | 'waiting' | 'no-actuals';
  /** what the backtest promised, for comparison */
  backtest: { mase: number | null; coverageP10P90: number | null };
  note?: string;
}

const sig = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(7)) : x);

/** The part of a run id that tells runs of one kind apart (`run_forecast_3fa2…` → `3fa2…`). */
export function shortRunId(id: string): string {
  return id.slice(id.lastIndexOf('_') + 1);
}

/** The saved forecasts, newest first, or the one whose id (or a prefix of at least 4) is given. */
export async function savedForecasts(store: Store, runId?: string): Promise<RunRecord[]> {
  const list = await store.listRuns('forecast');
  // Ids read run_forecast_<hash>: the hash's first characters are enough, as the table shows them.
  const chosen = runId === undefined ? list : list.filter((r) => r.id === runId || (runId.length >= 4 && (r.id.startsWith(runId) || shortRunId(r.id).startsWith(runId))));
  if (runId !== undefined && chosen.length === 0) throw new NotFound(`no saved forecast has id "${runId}"`, 'penny forecast score lists the saved forecasts with their ids; save one with penny forecast … --save.');
  if (runId !== undefined && chosen.length > 1) throw new InvalidInput(`"${runId}" matches ${chosen.length} saved forecasts`, [{ path: 'run', message: 'ambiguous prefix', found: runId }], 'Give more characters of the id.');
  const out: RunRecord[] = [];
  for (const r of chosen.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))) {
    const full = await store.getRun(r.id);
    if (full) out.push(full);
  }
  return out;
}

/**
 * One saved forecast against a series holding its actuals (observed slots only: filled gaps are
 * not actuals). `actuals` undefined: nothing could be read (`note` says why).
 */
export function scoreSavedForecast(run: RunRecord, actuals: Series | undefined, note?: string): ForecastScoreRow {
  const f = run.result as SavedForecastResult;
  const levels = f.metrics.quantiles;
  const points = f.points.map((p) => ({ t: Date.parse(p.t), q: levels.map((l) => Number((p as Record<string, unknown>)[levelName(l)])) }));
  const observed: { t: number; value: number }[] = [];
  if (actuals) for (let i = 0; i < actuals.values.length; i++) if (!actuals.filled[i]) observed.push({ t: slotTime(actuals, i), value: actuals.values[i]! });
  const scale = f.metrics.scale ?? NaN;
  const s = scoreForecast(points, levels, observed, Number.isFinite(scale) ? scale : NaN);
  const status = !actuals ? 'no-actuals' : s.matched === 0 ? 'waiting' : 'scored';
  const notes = [note, ...(s.matched && !Number.isFinite(scale) ? ['the forecast was saved without its MASE scale (made before scores existed): MASE not given'] : [])].filter(Boolean);
  return {
    runId: run.id,
    name: run.name,
    createdAt: run.createdAt,
    model: f.model,
    interval: f.interval,
    unit: f.unit,
    historyEnd: f.history.end,
    status,
    steps: s.steps,
    matched: s.matched,
    ...(s.first !== undefined && { first: new Date(s.first).toISOString(), last: new Date(s.last!).toISOString() }),
    ...(s.mae !== undefined && { mae: sig(s.mae), coverageP10P90: sig(s.coverageP10P90!), bandCoverage: sig(s.bandCoverage!), bias: sig(s.bias!) }),
    ...(s.mase !== undefined && Number.isFinite(scale) && { mase: sig(s.mase), pinball: sig(s.pinball!) }),
    backtest: { mase: f.metrics.mase, coverageP10P90: f.metrics.coverageP10P90 },
    ...(notes.length && { note: notes.join('; ') }),
  };
}
