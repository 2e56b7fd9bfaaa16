/**
 * Fingerprint of the forecasts, for proving a speed-up changed no result: `npx tsx
 * bench/forecast-fingerprint.ts [SERIES] [OUT.json]` forecasts the first SERIES (default 60)
 * synthetic series of the forecast bench, and the real series of the real-series bench (auto at
 * each of its origins, when ../shared/data is there), and writes every number of every result —
 * points, quantiles, the chosen model and its parameters, every candidate's backtest scores
 * (MASE per origin, coverage, pinball) and widening factor — as the hex of its 64 bits, so two
 * runs compare bitwise (a diff of the two files, or the hash printed).
 */
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forecastSeries, type ForecastResult } from '../src/core/forecast/forecast.js';
import type { Series } from '../src/core/forecast/series.js';
import { loadSeries } from '../src/adapters/importers/series-source.js';
import { makeSeries, HIST, H, START, HOUR } from './forecast-synthetic.js';

const bits = new DataView(new ArrayBuffer(8));
function hex(x: number): string {
  bits.setFloat64(0, x);
  return bits.getBigUint64(0).toString(16);
}
const exact = (_k: string, v: unknown) => (typeof v === 'number' ? hex(v) : v instanceof Float64Array ? Array.from(v, hex) : v);

function fingerprint(r: ForecastResult) {
  const cal: Record<string, unknown> = {};
  for (const [k, c] of r.backtest.cal) cal[k] = { inflate: c.inflate, err: c.err, sd: c.sd, pred: c.pred };
  return JSON.stringify({ model: r.model, members: r.members, params: r.params, points: r.points, scores: r.backtest.scores, origins: r.backtest.origins, horizon: r.backtest.horizon, cal, scale: r.scale }, exact);
}

const count = Number(process.argv[2] ?? 60);
const outFile = process.argv[3];
const lines: string[] = [];
const cpu0 = process.cpuUsage();
for (let i = 0; i < count; i++) {
  const hist = makeSeries(i).subarray(0, HIST);
  const series: Series = {
    name: `s${i}`, unit: 'GPUs', startMs: START, intervalMs: HOUR, values: hist, filled: new Uint8Array(HIST), features: [],
    report: { observations: HIST, duplicatesMerged: 0, missingValues: 0, sorted: false, gapsFilled: 0, fill: 'none', filledRuns: [], outliers: [], notes: [] },
  };
  lines.push(`synthetic ${i} ${fingerprint(forecastSeries(series, { horizon: H, model: 'auto', origins: 8 }))}`);
}
const cpu = process.cpuUsage(cpu0);
const syntheticCpuMs = (cpu.user + cpu.system) / 1000;
const dataDir = process.env.PENNY_SHARED_DATA ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'data');
const REAL = [
  { file: 'azure-llm-2023/AzureLLMInferenceTrace_code.csv', intervalMs: 10_000, horizon: 30 },
  { file: 'azure-llm-2023/AzureLLMInferenceTrace_code.csv', intervalMs: 60_000, horizon: 5 },
  { file: 'alibaba-dlrm-2025/disaggregated_DLRM_trace.csv', intervalMs: 3_600_000, horizon: 24 },
  { file: 'alibaba-gpu-v2023/openb_pod_list_gpushare40.csv', intervalMs: 3_600_000, metric: 'gpus-in-use', horizon: 24 },
];
let real = 0;
if (process.env.FINGERPRINT_REAL !== '0') {
  for (const spec of REAL) {
    const path = join(dataDir, spec.file);
    if (!existsSync(path)) continue;
    const { series } = await loadSeries(path, { intervalMs: spec.intervalMs, ...(spec.metric && { metric: spec.metric }) });
    const n = series.values.length;
    for (let k = 5; k >= 1; k--) {
      const origin = n - k * spec.horizon;
      const hist: Series = { ...series, values: series.values.slice(0, origin), filled: series.filled.slice(0, origin), features: [], report: { ...series.report, notes: [], outliers: [] } };
      lines.push(`real ${spec.file}@${spec.intervalMs} ${origin} ${fingerprint(forecastSeries(hist, { horizon: spec.horizon, model: 'auto', origins: 8 }))}`);
      real++;
    }
  }
}
const text = lines.join('\n') + '\n';
if (outFile) writeFileSync(outFile, text);
console.log(JSON.stringify({ synthetic: count, real, sha256: createHash('sha256').update(text).digest('hex'), syntheticCpuMsPerSeries: Math.round((syntheticCpuMs / count) * 10) / 10 }));
