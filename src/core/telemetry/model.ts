/** GPU telemetry as Penny keeps it, whatever the source (nvidia-smi logs, DCGM via Prometheus). */

/** One GPU as seen by a source. `gpuId` is its UUID when known, else `host:index`. */
export interface GpuInfo {
  gpuId: string;
  host: string;
  index: string;
  model: string | null;
  memoryTotalMiB: number | null;
}

/** One sample; missing readings are null (nvidia-smi's `[N/A]`). */
export interface GpuSample {
  gpuId: string;
  /** Milliseconds since the Unix epoch, UTC. */
  tsMs: number;
  utilGpuPct: number | null;
  utilMemPct: number | null;
  memUsedMiB: number | null;
  powerW: number | null;
}

/** Samples of one GPU in columns, sorted by time: what the analysis reads (fleets have millions). */
export interface GpuSeries {
  gpu: GpuInfo;
  tsMs: Float64Array;
  utilGpuPct: Float64Array; // NaN = missing
  memUsedMiB: Float64Array;
  powerW: Float64Array;
}

export function toSeries(gpu: GpuInfo, samples: GpuSample[]): GpuSeries {
  const s = [...samples].sort((a, b) => a.tsMs - b.tsMs);
  const n = s.length;
  const out: GpuSeries = { gpu, tsMs: new Float64Array(n), utilGpuPct: new Float64Array(n), memUsedMiB: new Float64Array(n), powerW: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const x = s[i]!;
    out.tsMs[i] = x.tsMs;
    out.utilGpuPct[i] = x.utilGpuPct ?? NaN;
    out.memUsedMiB[i] = x.memUsedMiB ?? NaN;
    out.powerW[i] = x.powerW ?? NaN;
  }
  return out;
}
