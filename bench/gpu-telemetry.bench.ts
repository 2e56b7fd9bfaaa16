/**
 * GPU telemetry at fleet scale: storing samples through DuckDB's appender versus the generic
 * multi-row VALUES path (the baseline, same run), then reading them back and analysing
 * (usage, energy, idle periods) in typed arrays. Prints one JSON object.
 */
import { performance } from 'node:perf_hooks';
import { SqlTelemetryStore } from '../src/adapters/store/sql-telemetry-store.js';
import { openMemoryStore } from '../src/adapters/store/workspace.js';
import type { SqlSession } from '../src/adapters/store/session.js';
import { dec } from '../src/core/money.js';
import { toSeries, type GpuSample } from '../src/core/telemetry/model.js';
import { gpuUsage } from '../src/core/telemetry/usage.js';

const GPUS = 4;
const PER_GPU = 50_000;
let seed = 42;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const samples: GpuSample[] = [];
for (let g = 0; g < GPUS; g++) {
  for (let i = 0; i < PER_GPU; i++) {
    const busy = Math.floor(i / 600) % 3 !== 0;
    samples.push({ gpuId: `GPU-${g}`, tsMs: 1_714_550_400_000 + i * 1000, utilGpuPct: busy ? 50 + Math.floor(rnd() * 50) : 0, utilMemPct: 10, memUsedMiB: 20_000, powerW: busy ? 400 + rnd() * 200 : 70 });
  }
}

async function store(generic: boolean): Promise<{ ms: number; tel: SqlTelemetryStore; close: () => Promise<void> }> {
  const s = await openMemoryStore();
  // The baseline hides appendRows, so the store falls back to insertMany (VALUES).
  const session: SqlSession = generic ? { dialect: s.session.dialect, all: s.session.all.bind(s.session), run: s.session.run.bind(s.session), transaction: (fn) => s.session.transaction(() => fn(session)), insertMany: s.session.insertMany.bind(s.session), close: s.session.close.bind(s.session) } : s.session;
  const tel = new SqlTelemetryStore(session);
  const t = performance.now();
  await tel.transaction((tx) => tx.addSamples('bench', samples));
  return { ms: performance.now() - t, tel, close: () => s.close() };
}

const base = await store(true);
await base.close();
const fast = await store(false);
let t = performance.now();
const series = [];
for (const g of await fast.tel.listGpus().then((x) => (x.length ? x : Array.from({ length: GPUS }, (_, i) => ({ gpuId: `GPU-${i}`, host: 'h', index: String(i), model: null, memoryTotalMiB: null }))))) {
  series.push(toSeries(g, await fast.tel.samples(g.gpuId)));
}
const readMs = performance.now() - t;
t = performance.now();
const periods = gpuUsage(series, { intervalMs: 3_600_000, maxGapS: 60, idleUtilPct: 0, minIdleS: 300, pue: dec('1.3'), pricePerKwh: dec('0.2'), currency: 'USD', gpuPricePerHour: () => dec('2.95') });
const analyseMs = performance.now() - t;
await fast.close();
const n = samples.length;
console.log(
  JSON.stringify({
    samples: n,
    insertValuesMs: Math.round(base.ms),
    appenderMs: Math.round(fast.ms),
    appenderSpeedup: Number((base.ms / fast.ms).toFixed(1)),
    appenderSamplesPerS: Math.round(n / (fast.ms / 1000)),
    readBackMs: Math.round(readMs),
    analyseMs: Math.round(analyseMs),
    analyseSamplesPerS: Math.round(n / (analyseMs / 1000)),
    periods: periods.length,
  }),
);
