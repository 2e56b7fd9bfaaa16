/**
 * Forecast benchmark: 1,000 hourly series of 8 weeks (varied level, trend, daily and weekly
 * cycles, noise, level shifts; seeded), each forecast 1 week ahead with automatic model choice.
 * A 9th week is generated and held out as the truth, so accuracy is measured out of sample:
 * MASE of the chosen model against seasonal naive (the last day repeated) on the same week, and
 * how often the truth fell inside the P10–P90 band. Work is split over the machine's cores
 * (at most 2 by default; BENCH_WORKERS overrides) with child processes; the time includes
 * their start-up.
 */
import { availableParallelism } from 'node:os';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { realSeriesBench } from './forecast-real.js';
import { forecastSeries } from '../src/core/forecast/forecast.js';
import type { Series } from '../src/core/forecast/series.js';
import { makeSeries, HIST, H, START, HOUR } from './forecast-synthetic.js';

const SERIES = Number(process.env.BENCH_SERIES ?? 1000);
interface One {
  model: string;
  maseAuto: number;
  maseSnaive: number;
  inside: number;
}

function run(i: number): One {
  const all = makeSeries(i);
  const hist = all.subarray(0, HIST);
  const truth = all.subarray(HIST);
  const series: Series = {
    name: `s${i}`, unit: 'GPUs', startMs: START, intervalMs: HOUR, values: hist, filled: new Uint8Array(HIST), features: [],
    report: { observations: HIST, duplicatesMerged: 0, missingValues: 0, sorted: false, gapsFilled: 0, fill: 'none', filledRuns: [], outliers: [], notes: [] },
  };
  const r = forecastSeries(series, { horizon: H, model: 'auto', origins: 8 });
  let scale = 0;
  for (let t = 24; t < HIST; t++) scale += Math.abs(hist[t]! - hist[t - 24]!);
  scale /= HIST - 24;
  let eAuto = 0;
  let eSn = 0;
  let inside = 0;
  for (let k = 0; k < H; k++) {
    const p = r.points[k]!;
    eAuto += Math.abs(truth[k]! - p.p50);
    eSn += Math.abs(truth[k]! - hist[HIST - 24 + (k % 24)]!);
    if (truth[k]! >= p.p10 && truth[k]! <= p.p90) inside++;
  }
  return { model: r.model, maseAuto: eAuto / H / scale, maseSnaive: eSn / H / scale, inside };
}

const role = process.argv[2];
if (role === 'part') {
  const from = Number(process.argv[3]);
  const to = Number(process.argv[4]);
  const out: One[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = from; i < to; i++) out.push(run(i));
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(JSON.stringify({ out, cpuMs: (cpu.user + cpu.system) / 1000 }));
} else if (role === 'real') {
  // Only the real-series protocol: `npx tsx bench/forecast.bench.ts real [DATA_DIR]`.
  console.log(JSON.stringify(await realSeriesBench(process.argv[3] ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'data'))));
} else {
  const workers = Math.max(1, Number(process.env.BENCH_WORKERS ?? Math.min(2, availableParallelism())));
  const t0 = performance.now();
  const chunks = Array.from({ length: workers }, (_, w) => ({ from: Math.floor((w * SERIES) / workers), to: Math.floor(((w + 1) * SERIES) / workers) }));
  const here = fileURLToPath(import.meta.url);
  // Child processes, not worker threads: each needs tsx's loader, which workers do not inherit.
  const parts = (
    await Promise.all(
      chunks.map(
        (c) =>
          new Promise<{ out: One[]; cpuMs: number }>((resolve, reject) => {
            const child = spawn(process.execPath, ['--import', 'tsx', here, 'part', String(c.from), String(c.to)], { stdio: ['ignore', 'pipe', 'inherit'] });
            let text = '';
            child.stdout.on('data', (d) => (text += d));
            child.on('error', reject);
            child.on('close', (code) => (code === 0 ? resolve(JSON.parse(text) as { out: One[]; cpuMs: number }) : reject(new Error(`bench part exited ${code}`))));
          }),
      ),
    )
  );
  const results = parts.flatMap((p) => p.out);
  const cpuMs = parts.reduce((a, p) => a + p.cpuMs, 0);
  const totalS = (performance.now() - t0) / 1000;
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const auto = mean(results.map((r) => r.maseAuto));
  const sn = mean(results.map((r) => r.maseSnaive));
  const chosen: Record<string, number> = {};
  for (const r of results) chosen[r.model] = (chosen[r.model] ?? 0) + 1;
  const summary = {
    series: results.length,
    historyHours: HIST,
    horizonHours: H,
    workers,
    totalS: Math.round(totalS * 100) / 100,
    perSeriesCpuMs: Math.round((cpuMs / results.length) * 100) / 100,
    perSeriesWallMs: Math.round(((totalS * 1000) / results.length) * 100) / 100,
    note: 'totalS is wall time including process start-up; perSeriesCpuMs is the forecasting CPU time per series (load from other processes does not inflate it)',
    maseAuto: Math.round(auto * 1000) / 1000,
    maseSeasonalNaive: Math.round(sn * 1000) / 1000,
    maseRatioAutoToSeasonalNaive: Math.round((auto / sn) * 1000) / 1000,
    shareBeatingSeasonalNaive: Math.round((results.filter((r) => r.maseAuto < r.maseSnaive).length / results.length) * 1000) / 1000,
    coverageP10P90Holdout: Math.round((results.reduce((a, r) => a + r.inside, 0) / (results.length * H)) * 1000) / 1000,
    chosen,
  };
  console.error(`forecast bench: ${summary.series} series in ${summary.totalS} s on ${workers} worker(s)`);
  // The real series (../shared/data, or PENNY_SHARED_DATA): absent on a user's clone, then skipped.
  const dataDir = process.env.PENNY_SHARED_DATA ?? join(dirname(here), '..', '..', 'shared', 'data');
  const real = process.env.BENCH_REAL === '0' ? { skipped: 'BENCH_REAL=0' } : existsSync(dataDir) ? await realSeriesBench(dataDir) : { skipped: `${dataDir} is absent` };
  console.log(JSON.stringify({ ...summary, real }));
}
