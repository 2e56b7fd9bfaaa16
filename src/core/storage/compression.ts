/**
 * Compression measured, not assumed: which blocks of the user's files to compress (a seeded
 * sample when they are large) and what the measured blocks say about all of them.
 *
 * The population is every block of `blockBytes` of every file (a file's last block is shorter).
 * n blocks are drawn without replacement; each codec compresses each drawn block on its own. The
 * compressed size of everything is estimated with the ratio estimator
 *
 *   R = Σ out_i / Σ in_i,   SE(R) = √((1 − n/N) / n × Σ (out_i − R·in_i)² / (n − 1)) / mean(in_i)
 *
 * (Cochran, Sampling Techniques, §6.3), with the finite-population correction: when every block
 * is measured the error is 0. Blocks compressed apart lose the context a codec would carry across
 * them: for gzip (32 KiB window) that is nothing at 4 MiB blocks; brotli and zstd at high levels
 * may do slightly better on whole files than measured here.
 */
import { type Decimal, dec } from '../money.js';
import type { Rng } from '../rng.js';
import { GIB } from './prices.js';

export interface FileSize {
  path: string;
  sizeBytes: number;
}

export interface Block {
  path: string;
  offset: number;
  length: number;
}

export const MIN_SAMPLE = 30;

/** Blocks to measure: all when they fit in the budget, else a seeded sample of budget/blockBytes blocks (at least MIN_SAMPLE). */
export function sampleBlocks(files: FileSize[], blockBytes: number, budgetBytes: number, rng: Rng): { blocks: Block[]; populationBlocks: number } {
  const starts: number[] = [];
  let n = 0;
  for (const f of files) {
    starts.push(n);
    n += Math.ceil(f.sizeBytes / blockBytes);
  }
  const totalBytes = files.reduce((a, f) => a + f.sizeBytes, 0);
  // At least MIN_SAMPLE blocks: with fewer, the standard error is itself too uncertain to state.
  const want = totalBytes <= budgetBytes ? n : Math.min(n, Math.max(MIN_SAMPLE, Math.floor(budgetBytes / blockBytes)));
  // Partial Fisher–Yates over block numbers, kept sparse so a huge population costs nothing.
  const swapped = new Map<number, number>();
  const picked: number[] = [];
  for (let i = 0; i < want; i++) {
    const j = i + rng.int(n - i);
    const vj = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
    picked.push(vj);
  }
  picked.sort((a, b) => a - b);
  const blocks: Block[] = [];
  let fi = 0;
  for (const b of picked) {
    while (fi + 1 < files.length && starts[fi + 1]! <= b) fi++;
    const f = files[fi]!;
    const offset = (b - starts[fi]!) * blockBytes;
    blocks.push({ path: f.path, offset, length: Math.min(blockBytes, f.sizeBytes - offset) });
  }
  return { blocks, populationBlocks: n };
}

export interface Measured {
  inBytes: number;
  outBytes: number;
  /** CPU seconds the codec spent on the block. */
  cpuS: number;
}

export interface CodecEstimate {
  codec: string;
  sampledBlocks: number;
  populationBlocks: number;
  sampledBytes: number;
  /** Compressed ÷ original (0.25: a quarter of the size). */
  ratio: number;
  /** Standard error of the ratio from sampling; 0 when every block was measured. */
  ratioSe: number;
  totalBytes: number;
  compressedBytes: number;
  savedBytes: number;
  /** Compression speed on one core, MiB of input per CPU second. */
  mibPerCpuS: number;
  savedUsdPerMonth: Decimal;
  /** CPU cost of compressing everything once. */
  cpuUsd: Decimal;
  /** The saving for each TiB stored: (1 − ratio) × 1024 GiB × price. */
  savedUsdPerTibMonth: Decimal;
}

export function estimateCodec(codec: string, measured: Measured[], populationBlocks: number, totalBytes: number, priceUsdPerGibMonth: Decimal, cpuUsdPerHour: Decimal): CodecEstimate {
  const n = measured.length;
  const sx = measured.reduce((a, m) => a + m.inBytes, 0);
  const sy = measured.reduce((a, m) => a + m.outBytes, 0);
  const cpu = measured.reduce((a, m) => a + m.cpuS, 0);
  const ratio = sx === 0 ? 1 : sy / sx;
  let se = 0;
  if (n > 1 && n < populationBlocks) {
    const s2 = measured.reduce((a, m) => a + (m.outBytes - ratio * m.inBytes) ** 2, 0) / (n - 1);
    se = Math.sqrt(((1 - n / populationBlocks) / n) * s2) / (sx / n);
  }
  const compressed = Math.round(totalBytes * ratio);
  const saved = totalBytes - compressed;
  const cpuSAll = sx === 0 ? 0 : (cpu / sx) * totalBytes;
  return {
    codec,
    sampledBlocks: n,
    populationBlocks,
    sampledBytes: sx,
    ratio,
    ratioSe: se,
    totalBytes,
    compressedBytes: compressed,
    savedBytes: saved,
    mibPerCpuS: cpu === 0 ? Infinity : sx / 1048576 / cpu,
    savedUsdPerMonth: dec(saved).div(GIB).times(priceUsdPerGibMonth),
    cpuUsd: dec(cpuSAll.toFixed(6)).div(3600).times(cpuUsdPerHour),
    savedUsdPerTibMonth: dec(1).minus(dec(ratio.toPrecision(15))).times(1024).times(priceUsdPerGibMonth),
  };
}

/** Whole files to convert (Parquet): seeded order, taken while they fit the budget (at least one). */
export function sampleFiles(files: FileSize[], budgetBytes: number, rng: Rng): FileSize[] {
  const order = files.map((f) => f);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const out: FileSize[] = [];
  let used = 0;
  for (const f of order) {
    if (out.length > 0 && used + f.sizeBytes > budgetBytes) continue;
    out.push(f);
    used += f.sizeBytes;
  }
  return out;
}
