/**
 * DCGM exporter metrics read back from a Prometheus server's HTTP API (`/api/v1/query_range`):
 * DCGM_FI_DEV_GPU_UTIL (%), DCGM_FI_PROF_GR_ENGINE_ACTIVE (ratio), DCGM_FI_DEV_MEM_COPY_UTIL (%),
 * DCGM_FI_DEV_POWER_USAGE (W), DCGM_FI_DEV_FB_USED and DCGM_FI_DEV_FB_FREE (MiB), joined per GPU
 * and timestamp. A GPU is named by its UUID label, else `Hostname:gpu` (else `instance:gpu`).
 *
 * MIG: the exporter labels a MIG instance's series with its parent's UUID plus GPU_I_ID and
 * GPU_I_PROFILE, so each instance is its own GPU here (`UUID/gi<GPU_I_ID>`, model suffixed
 * `MIG <profile>`): merging them would take one busy instance for an idle GPU. Its use is the
 * profiling metric NVIDIA recommends under MIG, DCGM_FI_PROF_GR_ENGINE_ACTIVE (× 100 %);
 * DCGM_FI_DEV_GPU_UTIL is not measured per instance and is ignored there, as is power, a device
 * reading that would be counted once per instance. A whole GPU uses DCGM_FI_DEV_GPU_UTIL, or
 * GR_ENGINE_ACTIVE where that is all there is.
 */
import { InvalidInput, type Issue } from '../../core/errors.js';
import type { GpuInfo, GpuSample } from '../../core/telemetry/model.js';

export interface PromRange {
  fromMs: number;
  toMs: number;
  stepS: number;
}

export const DCGM_METRICS = ['DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'DCGM_FI_DEV_MEM_COPY_UTIL', 'DCGM_FI_DEV_POWER_USAGE', 'DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_FB_FREE'] as const;

/**
 * What each metric can be, as the nvidia-smi importer checks its columns: a utilisation of 150% or
 * a power of -3,000 W is a broken exporter or recording rule, and would be summed into energy and
 * cost (negative power gave negative kWh).
 */
const DCGM_RANGE: Record<(typeof DCGM_METRICS)[number], { max: number; expected: string }> = {
  DCGM_FI_DEV_GPU_UTIL: { max: 100, expected: '0–100 (%)' },
  DCGM_FI_PROF_GR_ENGINE_ACTIVE: { max: 1, expected: 'a ratio 0–1' },
  DCGM_FI_DEV_MEM_COPY_UTIL: { max: 100, expected: '0–100 (%)' },
  DCGM_FI_DEV_POWER_USAGE: { max: Infinity, expected: 'watts, 0 or more' },
  DCGM_FI_DEV_FB_USED: { max: Infinity, expected: 'MiB, 0 or more' },
  DCGM_FI_DEV_FB_FREE: { max: Infinity, expected: 'MiB, 0 or more' },
};
const MAX_ISSUES = 20;

interface PromSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

// Prometheus refuses more than 11,000 points per series in one query: split long ranges.
const MAX_POINTS = 10_000;

export async function readPrometheusDcgm(baseUrl: string, range: PromRange, opts: { fetch?: typeof fetch; onChunk?: (done: number, total: number) => void; timeoutMs?: number } = {}): Promise<{ gpus: GpuInfo[]; samples: GpuSample[] }> {
  const f = opts.fetch ?? fetch;
  const base = baseUrl.replace(/\/+$/, '');
  const chunkMs = MAX_POINTS * range.stepS * 1000;
  const points = (range.toMs - range.fromMs) / 1000 / range.stepS;
  if (!(range.stepS > 0) || points > MAX_POINTS * 100) {
    throw new InvalidInput(`${Math.round(points).toLocaleString('en')} points per series is too many to fetch`, [{ path: '--step', message: `expected at most ${MAX_POINTS * 100} points per series`, found: `${range.stepS}s over ${((range.toMs - range.fromMs) / 3_600_000).toFixed(1)} h` }], 'Raise --step (e.g. 30s or 1m) or shorten --from/--to.');
  }
  const chunks: [number, number][] = [];
  for (let a = range.fromMs; a <= range.toMs; a += chunkMs + range.stepS * 1000) chunks.push([a, Math.min(range.toMs, a + chunkMs)]);
  const gpus = new Map<string, GpuInfo>();
  const rows = new Map<string, GpuSample & { grActive: number | null }>();
  const mig = new Set<string>();
  const issues: Issue[] = [];
  let outOfRange = 0;
  let done = 0;
  for (const metric of DCGM_METRICS) {
    for (const [a, b] of chunks) {
      const url = `${base}/api/v1/query_range?${new URLSearchParams({ query: metric, start: String(a / 1000), end: String(b / 1000), step: String(range.stepS) })}`;
      const series = await query(f, url, opts.timeoutMs ?? 30_000);
      opts.onChunk?.(++done, DCGM_METRICS.length * chunks.length);
      for (const s of series) {
        const l = s.metric;
        const gpuIndex = l.gpu ?? '0';
        const host = l.Hostname ?? l.instance ?? 'unknown';
        const instance = l.GPU_I_ID !== undefined && l.GPU_I_ID !== '' ? l.GPU_I_ID : undefined;
        const parent = l.UUID ?? l.uuid ?? `${host}:${gpuIndex}`;
        const gpuId = instance === undefined ? parent : `${parent}/gi${instance}`;
        if (instance !== undefined) mig.add(gpuId);
        const model = l.modelName ?? null;
        const index = instance === undefined ? gpuIndex : `${gpuIndex}/gi${instance}`;
        if (!gpus.has(gpuId)) gpus.set(gpuId, { gpuId, host, index, model: instance !== undefined && l.GPU_I_PROFILE ? `${model ?? 'GPU'} MIG ${l.GPU_I_PROFILE}` : model, memoryTotalMiB: null });
        if (instance !== undefined && metric === 'DCGM_FI_DEV_POWER_USAGE') continue;
        for (const [t, v] of s.values) {
          const tsMs = Math.round(t * 1000);
          const key = `${gpuId}\u0000${tsMs}`;
          let r = rows.get(key);
          if (!r) rows.set(key, (r = { gpuId, tsMs, utilGpuPct: null, utilMemPct: null, memUsedMiB: null, powerW: null, grActive: null }));
          const x = Number(v);
          if (!Number.isFinite(x)) continue;
          if (x < 0 || x > DCGM_RANGE[metric].max) {
            if (outOfRange++ < MAX_ISSUES) issues.push({ path: metric, message: `${gpuId} at ${new Date(tsMs).toISOString()}: out of range`, expected: DCGM_RANGE[metric].expected, found: String(v) });
            continue;
          }
          if (metric === 'DCGM_FI_DEV_GPU_UTIL') r.utilGpuPct = x;
          else if (metric === 'DCGM_FI_PROF_GR_ENGINE_ACTIVE') r.grActive = x;
          else if (metric === 'DCGM_FI_DEV_MEM_COPY_UTIL') r.utilMemPct = x;
          else if (metric === 'DCGM_FI_DEV_POWER_USAGE') r.powerW = x;
          else if (metric === 'DCGM_FI_DEV_FB_USED') r.memUsedMiB = x;
          else if (metric === 'DCGM_FI_DEV_FB_FREE') {
            // FB_FREE + FB_USED is the framebuffer size the GPU reports (reserved memory aside).
            const g = gpus.get(gpuId)!;
            if (r.memUsedMiB !== null && g.memoryTotalMiB === null) g.memoryTotalMiB = r.memUsedMiB + x;
          }
        }
      }
    }
  }
  if (issues.length) {
    throw new InvalidInput(`${outOfRange} DCGM value${outOfRange > 1 ? 's' : ''} out of range from ${base}; nothing was ingested`, issues, 'Check the exporter and any recording rules behind these metrics, or ingest a window without these values (--from/--to).');
  }
  const pct = (ratio: number | null) => (ratio === null ? null : Math.min(100, Math.max(0, ratio * 100)));
  const samples = [...rows.values()].map(({ gpuId, tsMs, utilGpuPct, grActive, utilMemPct, memUsedMiB, powerW }) => ({ gpuId, tsMs, utilGpuPct: mig.has(gpuId) ? pct(grActive) : utilGpuPct ?? pct(grActive), utilMemPct, memUsedMiB, powerW }));
  samples.sort((x, y) => (x.gpuId < y.gpuId ? -1 : x.gpuId > y.gpuId ? 1 : x.tsMs - y.tsMs));
  return { gpus: [...gpus.values()], samples };
}

async function query(f: typeof fetch, url: string, timeoutMs: number): Promise<PromSeries[]> {
  let res: Response;
  try {
    res = await f(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new InvalidInput(`cannot reach Prometheus at ${new URL(url).origin}: ${(e as Error).message}`, [], 'Check the URL (http://host:9090) and that the server is up.');
  }
  const text = await res.text();
  let body: { status?: string; error?: string; data?: { resultType?: string; result?: PromSeries[] } };
  try {
    body = JSON.parse(text);
  } catch {
    throw new InvalidInput(`${new URL(url).origin} did not answer as a Prometheus API (HTTP ${res.status})`, [{ path: '', message: 'response is not JSON', found: text.slice(0, 120) }], 'Give the server root, e.g. http://127.0.0.1:9090.');
  }
  if (!res.ok || body.status !== 'success' || body.data?.resultType !== 'matrix') {
    throw new InvalidInput(`Prometheus query failed (HTTP ${res.status}): ${body.error ?? 'unexpected answer'}`, [{ path: 'query', message: body.error ?? 'expected a matrix result', found: new URL(url).search.slice(0, 200) }], 'Check --from/--to/--step: Prometheus allows at most 11,000 points per series.');
  }
  return body.data.result ?? [];
}
