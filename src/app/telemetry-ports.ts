/** What the telemetry use cases need from the store (kept apart from Store so features don't collide). */
import type { GpuInfo, GpuSample } from '../core/telemetry/model.js';
import type { GpuRollup } from '../core/telemetry/rollup.js';

export interface TelemetrySourceRecord {
  id: string;
  kind: 'nvidia-smi' | 'prometheus';
  location: string;
  contentHash: string;
  samples: number;
  ingestedAt: string;
}

export interface TelemetryStore {
  /** Run writes as one transaction; an error rolls all of them back. */
  transaction<T>(fn: (tx: TelemetryStore) => Promise<T>): Promise<T>;
  findSource(contentHash: string): Promise<TelemetrySourceRecord | undefined>;
  addSource(s: TelemetrySourceRecord): Promise<void>;
  upsertGpus(gpus: GpuInfo[]): Promise<void>;
  /**
   * Bulk insert; a sample already stored for (gpuId, tsMs) is kept and the new one skipped, and so is
   * one inside a period already rolled up (penny gpu compact). Returns how many were new.
   */
  addSamples(sourceId: string, samples: GpuSample[]): Promise<number>;
  listGpus(): Promise<GpuInfo[]>;
  samples(gpuId: string, range?: { fromMs?: number; toMs?: number }): Promise<GpuSample[]>;
  sampleCount(): Promise<number>;
  /** Each GPU's first and last sample time (what a usage report over them would span). */
  sampleSpans(): Promise<{ gpuId: string; firstMs: number; lastMs: number }[]>;
  listSources(): Promise<TelemetrySourceRecord[]>;
  /** Roll-ups left by `penny gpu compact` (buckets starting in the range); absent: none kept. */
  rollups?(gpuId: string, range?: { fromMs?: number; toMs?: number }): Promise<GpuRollup[]>;
}
