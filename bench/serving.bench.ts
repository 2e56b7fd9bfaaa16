/**
 * Serving simulator throughput: simulated arrivals per second on the real Azure LLM code trace
 * (8,819 requests, when ../shared/data is there; otherwise a synthetic trace of the same rate and
 * token mix) repeated back to back 1×, 10× and 100× (up to 0.88 M requests), with the replicas the
 * trace needs always on (fixed-peak, least-outstanding) and with the spot mix behind consistent
 * hashing on a spot trace with preemptions. Growth: the exponent k in time ∝ n^k from 1× to 100×
 * (1 is linear). Best of three per size (seven at 1×), CPU seconds beside the wall time (on a shared
 * machine a wall time well above the CPU time means others held the core). One JSON object.
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
  { name: 'spot-mix/consistent-hash', balancer: 'consistent-hash', make: () => spotMix(reactive({ initial: 9, min: 9, targetInFlight: 4, cooldownS: 300 }), { hedge: 1 }) },
];

const out: Record<string, unknown> = { trace: file ? 'azure-llm-2023 code (real)' : 'synthetic (shared data absent)', requests1x: base.arrivalS.length };
for (const c of configs) {
  const rows = [1, 10, 100].map((k) => {
    const w = repeat(base, k);
    const run = () => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const r = simulateServing({ workload: w, profile, onDemandUsdPerHour: new Decimal('3.40'), spotUsdPerHour: new Decimal('1.23'), balancer: c.balancer, autoscaler: c.make(), slo: { ttftS: 2, attainment: 0.99 }, intervalS: 60, spot, rng: seededRng(1) });
      const wallS = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      return { requests: w.arrivalS.length, events: r.events, wallSeconds: Number(wallS.toFixed(4)), cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(4)), arrivalsPerSecond: Math.round(w.arrivalS.length / wallS), arrivalsPerCpuSecond: Math.round((w.arrivalS.length * 1e6) / (cpu.user + cpu.system)), sloAttainment: Number(r.sloAttainment.toFixed(4)) };
    };
    run();
    const runs = Array.from({ length: k === 1 ? 7 : 3 }, run);
    return runs.reduce((a, b) => (b.wallSeconds < a.wallSeconds ? b : a));
  });
  const first = rows[0]!;
  const last = rows.at(-1)!;
  out[c.name] = rows;
  out[`growthExponent_${c.name}`] = Number((Math.log(last.wallSeconds / first.wallSeconds) / Math.log(last.requests / first.requests)).toFixed(3));
  // Against the 1× run of the same process: how the rate holds as the trace grows.
  out[`rateRatio100xVs1x_${c.name}`] = Number((last.arrivalsPerSecond / first.arrivalsPerSecond).toFixed(3));
}
console.log(JSON.stringify(out));
