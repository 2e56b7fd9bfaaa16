/**
 * Serving simulator throughput: simulated arrivals per second on the real Azure LLM code trace
 * (8,819 requests, when ../shared/data is there; otherwise a synthetic trace of the same rate and
 * token mix) repeated back to back 1×, 10× and 100× (up to 0.88 M requests), with the replicas the
 * trace needs always on (fixed-peak, least-outstanding) and with the spot mix behind consistent
 * hashing on a spot trace with preemptions. Growth: the exponent k in time ∝ n^k from 1× to 100×
 * (1 is linear). Warm-up runs first (the JIT; then one per size, the heap), then the median of several runs per size (15 at
 * 1×, 7 at 10×, 3 at 100×), CPU seconds beside the wall time (on a shared machine a wall time well
 * above the CPU time means others held the core), and each configuration's rate as a ratio to the
 * fixed-peak baseline measured in the same run. One JSON object.
 */
import { performance } from 'node:perf_hooks';
import { readServingTrace } from '../src/adapters/importers/serving-trace.js';
import { Decimal } from '../src/core/money.js';
import { seededRng } from '../src/core/rng.js';
import { fixedPeak, reactive, spotMix } from '../src/core/serving/autoscale.js';
import { deriveProfile } from '../src/core/serving/replica.js';
import { simulateServing, type BalancerName } from '../src/core/serving/simulate.js';
import { syntheticWorkload, type ServingWorkload } from '../src/core/serving/workload.js';
import { sharedFile } from '../test/shared-data.js';

function repeat(w: ServingWorkload, k: number): ServingWorkload {
  const n = w.arrivalS.length;
  const span = w.arrivalS[n - 1]! + 1;
  const out: ServingWorkload = { name: `${w.name}×${k}`, startMs: w.startMs, arrivalS: new Float64Array(n * k), contextTokens: new Int32Array(n * k), generatedTokens: new Int32Array(n * k), adapter: new Int32Array(n * k) };
  for (let r = 0; r < k; r++) {
    for (let i = 0; i < n; i++) out.arrivalS[r * n + i] = w.arrivalS[i]! + r * span;
    out.contextTokens.set(w.contextTokens, r * n);
    out.generatedTokens.set(w.generatedTokens, r * n);
    out.adapter.set(w.adapter, r * n);
  }
  return out;
}

const file = sharedFile('azure-llm-2023/AzureLLMInferenceTrace_code.csv');
const base = file ? (await readServingTrace(file)).workload : syntheticWorkload(seededRng(1), { durationS: 3440, ratePerS: 2.57, context: [100, 4000], generated: [5, 50] });
const profile = deriveProfile('llama-3-8b', 'A100');
const spot = { name: 'bench', gapS: 195, available: Array.from({ length: 400 }, (_, i) => (i % 40 < 34 ? 1 : 0)) };
const configs: { name: string; balancer: BalancerName; make: () => Parameters<typeof simulateServing>[0]['autoscaler'] }[] = [
  { name: 'fixed-peak/least-outstanding', balancer: 'least-outstanding', make: () => fixedPeak(9) },
  { name: 'spot-mix/consistent-hash', balancer: 'consistent-hash', make: () => spotMix(reactive({ initial: 9, min: 9, targetInFlight: 4, cooldownS: 300 }), { hedge: 'zones', zones: 1 }) },
];

const sizes = [1, 10, 100];
/** Runs per size, the median reported: many at 1× (9 ms each), few at 100× (seconds each). */
const runsAt: Record<number, number> = { 1: 15, 10: 7, 100: 3 };
const WARMUP_RUNS = 20;
const traces = new Map(sizes.map((k) => [k, repeat(base, k)]));

type Row = { requests: number; events: number; runs: number; wallSeconds: number; cpuSeconds: number; arrivalsPerSecond: number; arrivalsPerCpuSecond: number; bestArrivalsPerSecond: number; sloAttainment: number };
const measure = (c: (typeof configs)[number], w: ServingWorkload) => {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = simulateServing({ workload: w, profile, onDemandUsdPerHour: new Decimal('3.40'), spotUsdPerHour: new Decimal('1.23'), balancer: c.balancer, autoscaler: c.make(), slo: { ttftS: 2, attainment: 0.99 }, intervalS: 60, spot, rng: seededRng(1) });
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { events: r.events, wallS, cpuS: (cpu.user + cpu.system) / 1e6, sloAttainment: r.sloAttainment };
};
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

// Warm-up: every configuration on the 1× trace until the JIT has compiled the simulator's paths
// (the first runs of a 9 ms simulation are mostly compilation), before anything is measured.
for (let i = 0; i < WARMUP_RUNS; i++) for (const c of configs) measure(c, traces.get(1)!);

const out: Record<string, unknown> = { trace: file ? 'azure-llm-2023 code (real)' : 'synthetic (shared data absent)', requests1x: base.arrivalS.length, warmupRuns: WARMUP_RUNS, statistic: 'median of the runs per size, after warm-up', baseline: configs[0]!.name };
const table: Record<string, Row[]> = {};
// Sizes outside, configurations inside: each size's runs of every configuration are interleaved,
// so a burst of load from others falls on them alike and the ratios to the baseline stay fair.
for (const k of sizes) {
  const w = traces.get(k)!;
  // Untimed runs of each at this size first, for the heap to grow to the size's arrays (the first
  // 10× runs after only 1× ones take about three times as long, mostly collecting garbage).
  for (let i = 0; i < 3; i++) for (const c of configs) measure(c, w);
  const samples = new Map(configs.map((c) => [c.name, [] as ReturnType<typeof measure>[]]));
  for (let i = 0; i < runsAt[k]!; i++) for (const c of configs) samples.get(c.name)!.push(measure(c, w));
  for (const c of configs) {
    const ss = samples.get(c.name)!;
    const n = w.arrivalS.length;
    const wallS = median(ss.map((x) => x.wallS));
    const cpuS = median(ss.map((x) => x.cpuS));
    (table[c.name] ??= []).push({ requests: n, events: ss[0]!.events, runs: ss.length, wallSeconds: Number(wallS.toFixed(4)), cpuSeconds: Number(cpuS.toFixed(4)), arrivalsPerSecond: Math.round(n / wallS), arrivalsPerCpuSecond: Math.round(n / cpuS), bestArrivalsPerSecond: Math.round(n / Math.min(...ss.map((x) => x.wallS))), sloAttainment: Number(ss[0]!.sloAttainment.toFixed(4)) });
  }
}
const baseRows = table[configs[0]!.name]!;
for (const c of configs) {
  const rows = table[c.name]!;
  const first = rows[0]!;
  const last = rows.at(-1)!;
  out[c.name] = rows;
  out[`growthExponent_${c.name}`] = Number((Math.log(last.wallSeconds / first.wallSeconds) / Math.log(last.requests / first.requests)).toFixed(3));
  out[`growthExponentCpu_${c.name}`] = Number((Math.log(last.cpuSeconds / first.cpuSeconds) / Math.log(last.requests / first.requests)).toFixed(3));
  // Against the 1× run of the same process: how the rate holds as the trace grows.
  out[`rateRatio100xVs1x_${c.name}`] = Number((last.arrivalsPerSecond / first.arrivalsPerSecond).toFixed(3));
  // Against the fixed-peak baseline at the same size, in this run (CPU time: fair under load).
  out[`cpuRateRatioVsBaseline_${c.name}`] = rows.map((r, i) => Number((r.arrivalsPerCpuSecond / baseRows[i]!.arrivalsPerCpuSecond).toFixed(3)));
  out[`atLeast1MPerSecondAt1x_${c.name}`] = { wall: first.arrivalsPerSecond >= 1e6, cpu: first.arrivalsPerCpuSecond >= 1e6 };
}
console.log(JSON.stringify(out));
