/**
 * Default hourly prices per GPU model, used only when the user gives no `--gpu-price-per-hour`.
 * Each entry is a public on-demand list price for ONE GPU (the single-GPU instance where there is
 * one), with its source and the date that source was taken; the CLI prints the one it used.
 * TFLOPS: H100/H200 SXM 989, L40S 362, A100 312, A10 125 (A10G taken as the A10), T4 65.
 */
import { dec, type Decimal } from '../money.js';

export interface GpuPriceEntry {
  /** Matched against the model name nvidia-smi/DCGM report, e.g. `NVIDIA H100 80GB HBM3`. */
  model: string;
  match: RegExp;
  memoryGiB: number;
  onDemandUsdPerHour: Decimal;
  spotUsdPerHour: Decimal | undefined;
  /** Compute slices under MIG (7 on A100/H100/H200), 0 where MIG is not offered. */
  migSlices: number;
  /** Dense FP16/BF16 tensor TFLOPS from NVIDIA's datasheets: a coarse check that a smaller GPU keeps up. */
  tflops: number;
  source: string;
  asOf: string;
}

const NEBIUS = 'Nebius 1-GPU instance, SkyPilot catalog v8 (vms.csv)';
const FSDL = 'Full Stack Deep Learning cloud-gpus table';

export const GPU_PRICES: GpuPriceEntry[] = [
  { model: 'H200', tflops: 989, match: /H200/i, memoryGiB: 141, onDemandUsdPerHour: dec('3.50'), spotUsdPerHour: dec('1.45'), migSlices: 7, source: NEBIUS, asOf: '2025' },
  { model: 'H100', tflops: 989, match: /H100/i, memoryGiB: 80, onDemandUsdPerHour: dec('2.95'), spotUsdPerHour: dec('1.25'), migSlices: 7, source: NEBIUS, asOf: '2025' },
  { model: 'L40S', tflops: 362, match: /L40S/i, memoryGiB: 48, onDemandUsdPerHour: dec('1.5484'), spotUsdPerHour: undefined, migSlices: 0, source: NEBIUS, asOf: '2025' },
  { model: 'A100 80GB', tflops: 312, match: /A100.*80\s*GB/i, memoryGiB: 80, onDemandUsdPerHour: dec('1.50'), spotUsdPerHour: undefined, migSlices: 7, source: `${FSDL} (Lambda)`, asOf: '2025-03' },
  { model: 'A100 40GB', tflops: 312, match: /A100/i, memoryGiB: 40, onDemandUsdPerHour: dec('1.10'), spotUsdPerHour: undefined, migSlices: 7, source: `${FSDL} (Lambda)`, asOf: '2025-03' },
  { model: 'A10G', tflops: 125, match: /A10G?\b/i, memoryGiB: 24, onDemandUsdPerHour: dec('1.01'), spotUsdPerHour: dec('0.30'), migSlices: 0, source: `${FSDL} (AWS g5.xlarge)`, asOf: '2025-03' },
  { model: 'T4', tflops: 65, match: /\bT4\b/i, memoryGiB: 16, onDemandUsdPerHour: dec('0.53'), spotUsdPerHour: dec('0.16'), migSlices: 0, source: `${FSDL} (AWS g4dn.xlarge)`, asOf: '2025-03' },
];

export function defaultGpuPrice(model: string | null | undefined): GpuPriceEntry | undefined {
  if (!model) return undefined;
  return GPU_PRICES.find((p) => p.match.test(model));
}

/** A MIG instance's profile from its model name (`… MIG 3g.40gb`): compute slices and memory. */
export function migProfileOf(model: string | null | undefined): { slices: number; memoryGiB: number; profile: string } | undefined {
  const m = model ? /\bMIG\s+((\d+)g\.(\d+)gb\S*)/i.exec(model) : null;
  return m ? { profile: m[1]!, slices: Number(m[2]), memoryGiB: Number(m[3]) } : undefined;
}

/**
 * The price entry for a MIG instance: its share (slices / the GPU's slices) of the whole GPU's
 * prices and compute, its own memory, and no further MIG split. The whole GPU's entry otherwise.
 */
export function priceEntryFor(model: string | null | undefined): { entry: GpuPriceEntry; share?: { slices: number; of: number; profile: string } } | undefined {
  const e = defaultGpuPrice(model);
  if (!e) return undefined;
  const mig = migProfileOf(model);
  if (!mig || e.migSlices === 0) return { entry: e };
  const k = dec(mig.slices).div(e.migSlices);
  return {
    entry: { ...e, model: `${e.model} MIG ${mig.profile}`, memoryGiB: mig.memoryGiB, onDemandUsdPerHour: e.onDemandUsdPerHour.times(k), spotUsdPerHour: e.spotUsdPerHour?.times(k), tflops: (e.tflops * mig.slices) / e.migSlices, migSlices: 0 },
    share: { slices: mig.slices, of: e.migSlices, profile: mig.profile },
  };
}
