/**
 * The real-series protocol of `npm run bench forecast`: series from ../shared/data, each cut at R
 * rolling origins (the last R windows of H steps, not overlapping); at every origin each model,
 * and the automatic choice, is run as `penny forecast` would (its own inner backtest on the
 * history before the origin) and scored on the H steps after it, which it never saw:
 *   MASE      mean |y − P50| / the in-sample mean |y_t − y_{t−m}| of the history (m: the
 *             baseline's season, 1 when there is none)
 *   pinball   mean pinball loss over P10, P50, P90, divided by the same scale
 *   coverage  share of the truths inside P10–P90 (nominal 80%)
 *   promised  the P10–P90 coverage the forecast's own backtest reported, to compare with it
 * The baseline is seasonal naive (the day) where the history holds two days, naive otherwise
 * (the Azure trace is one hour long).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { forecastSeries } from '../src/core/forecast/forecast.js';
import { baselineFor } from '../src/core/forecast/backtest.js';
import { MODELS } from '../src/core/forecast/models/index.js';
import { seasonalPeriods, type Series } from '../src/core/forecast/series.js';
import { loadSeries } from '../src/adapters/importers/series-source.js';

interface Spec {
  name: string;
  file: string;
  intervalMs: number;
  metric?: string;
  horizon: number;
  origins: number;
}

const SPECS: Spec[] = [
  { name: 'azure-code requests per 10 s', file: 'azure-llm-2023/AzureLLMInferenceTrace_code.csv', intervalMs: 10_000, horizon: 30, origins: 5 },
  { name: 'azure-code requests per minute', file: 'azure-llm-2023/AzureLLMInferenceTrace_code.csv', intervalMs: 60_000, horizon: 5, origins: 5 },
  { name: 'dlrm GPUs held per hour', file: 'alibaba-dlrm-2025/disaggregated_DLRM_trace.csv', intervalMs: 3_600_000, horizon: 24, origins: 5 },
  { name: 'gpushare40 GPUs in use per hour', file: 'alibaba-gpu-v2023/openb_pod_list_gpushare40.csv', intervalMs: 3_600_000, metric: 'gpus-in-use', horizon: 24, origins: 5 },
];

interface Score {
  mase: number;
  pinball: number;
  coverage: number;
  /** the P10–P90 coverage the forecast's own backtest reported (its promise) */
  promised: number;
}

const pin = (q: number, y: number, p: number) => (y >= p ? q * (y - p) : (1 - q) * (p - y));
const r3 = (x: number) => Math.round(x * 1000) / 1000;

function cut(s: Series, n: number): Series {
  return { ...s, values: s.values.slice(0, n), filled: s.filled.slice(0, n), features: [], report: { ...s.report, notes: [], outliers: [] } };
}

function scoreAt(s: Series, origin: number, H: number, model: string): (Score & { chosen: string }) | undefined {
  const hist = cut(s, origin);
  let r;
  try {
    r = forecastSeries(hist, { horizon: H, model, origins: 8 });
  } catch {
    return undefined;
  }
  const y = s.values;
  const m = baselineFor(origin, { startMs: s.startMs, intervalMs: s.intervalMs, periods: seasonalPeriods(s.intervalMs), features: [] }).period;
  let scale = 0;
  for (let t = m; t < origin; t++) scale += Math.abs(y[t]! - y[t - m]!);
  scale /= origin - m;
  let ae = 0;
  let pl = 0;
  let inside = 0;
  for (let i = 0; i < H; i++) {
    const truth = y[origin + i]!;
    const p = r.points[i]!;
    ae += Math.abs(truth - p.p50);
    pl += (pin(0.1, truth, p.p10) + pin(0.5, truth, p.p50) + pin(0.9, truth, p.p90)) / 3;
    if (truth >= p.p10 && truth <= p.p90) inside++;
  }
  return { mase: ae / H / scale, pinball: pl / H / scale, coverage: inside / H, promised: r.chosen.coverage ?? NaN, chosen: r.model };
}

/**
 * auto − reference MASE, origin by origin: the mean difference, its standard error and the
 * differences themselves. With five origins one lucky window can decide the sign; a mean within
 * a standard error or two of 0 says the two are not told apart by this protocol.
 */
function paired(a: number[], b: number[]): { meanDiff: number; se: number; byOrigin: number[] } {
  const d = a.map((x, k) => x - b[k]!);
  const mean = d.reduce((u, v) => u + v, 0) / d.length;
  const v = d.length > 1 ? d.reduce((u, x) => u + (x - mean) ** 2, 0) / (d.length - 1) : 0;
  return { meanDiff: r3(mean), se: r3(Math.sqrt(v / d.length)), byOrigin: d.map(r3) };
}

export async function realSeriesBench(dataDir: string) {
  const out: Record<string, unknown>[] = [];
  for (const spec of SPECS) {
    const path = join(dataDir, spec.file);
    if (!existsSync(path)) {
      out.push({ series: spec.name, skipped: `${spec.file} is absent` });
      continue;
    }
    const { series } = await loadSeries(path, { intervalMs: spec.intervalMs, ...(spec.metric && { metric: spec.metric }) });
    const n = series.values.length;
    const H = spec.horizon;
    const origins = Array.from({ length: spec.origins }, (_, k) => n - (spec.origins - k) * H);
    const names = ['auto', ...MODELS.map((m) => m.name)];
    const table: Record<string, Score & { origins: number }> = {};
    const byOrigin: Record<string, number[]> = {};
    const chosen: Record<string, number> = {};
    for (const model of names) {
      const rows = origins.map((o) => scoreAt(series, o, H, model)).filter((x) => x !== undefined);
      if (rows.length < origins.length) continue;
      if (model === 'auto') for (const r of rows) chosen[r.chosen] = (chosen[r.chosen] ?? 0) + 1;
      byOrigin[model] = rows.map((r) => r.mase);
      const mean = (f: (x: Score) => number) => rows.reduce((a, r) => a + f(r), 0) / rows.length;
      table[model] = { mase: r3(mean((x) => x.mase)), pinball: r3(mean((x) => x.pinball)), coverage: r3(mean((x) => x.coverage)), promised: r3(mean((x) => x.promised)), origins: rows.length };
    }
    const base = baselineFor(origins[0]!, { startMs: series.startMs, intervalMs: series.intervalMs, periods: seasonalPeriods(series.intervalMs), features: [] }).name;
    const ranked = Object.entries(table).filter(([k]) => k !== 'auto').sort((a, b) => a[1].mase - b[1].mase);
    // The target: auto no worse than the better of seasonal naive (the baseline) and the fixed SARIMA.
    const refs = [base, 'sarima'].filter((m) => table[m]).sort((a, b) => table[a]!.mase - table[b]!.mase);
    const ref = refs[0];
    out.push({
      series: spec.name,
      points: n,
      horizon: H,
      origins: origins.length,
      baseline: base,
      auto: table.auto,
      baselineScore: table[base],
      sarimaScore: table.sarima ?? 'not run (no season in the history)',
      bestReference: ref && { model: ref, mase: table[ref]!.mase },
      autoNoWorseThanBestReference: ref !== undefined && table.auto !== undefined && table.auto.mase <= table[ref]!.mase,
      autoMinusReference: ref !== undefined && byOrigin.auto && byOrigin[ref] ? paired(byOrigin.auto, byOrigin[ref]) : undefined,
      autoCoverageWithin72To88: table.auto !== undefined && table.auto.coverage >= 0.72 && table.auto.coverage <= 0.88,
      bestSingle: ranked[0] && { model: ranked[0][0], ...ranked[0][1] },
      autoChose: chosen,
      models: table,
    });
  }
  const scored = out.filter((s) => s.auto && s.baselineScore) as { auto: Score; baselineScore: Score }[];
  const mean = (f: (x: { auto: Score; baselineScore: Score }) => number) => r3(scored.reduce((a, s) => a + f(s), 0) / Math.max(1, scored.length));
  return {
    protocol: 'rolling origins: the last R windows of H steps; every model and auto run as penny forecast would on the history before each origin, scored on the window after it',
    meanMaseAuto: mean((s) => s.auto.mase),
    meanMaseBaseline: mean((s) => s.baselineScore.mase),
    meanPinballAuto: mean((s) => s.auto.pinball),
    meanPinballBaseline: mean((s) => s.baselineScore.pinball),
    meanCoverageAuto: mean((s) => s.auto.coverage),
    series: out,
  };
}
