/**
 * `penny storage compress`: codecs measured on the user's own files (sampled when large), with
 * bytes saved, money a month at a storage tier's price and the CPU cost of compressing it all.
 */
import { InvalidInput } from '../core/errors.js';
import { type Decimal, dec, toPlain } from '../core/money.js';
import { type Block, type CodecEstimate, type FileSize, type Measured, estimateCodec, sampleBlocks, sampleFiles } from '../core/storage/compression.js';
import { BUILTIN_STORAGE_CATALOG, type StorageTier } from '../core/storage/prices.js';
import { seededRng } from '../core/rng.js';
import { type Progress, silentProgress } from './ports.js';

/** What measuring needs from the outside (adapters/importers/compression-probe.ts). */
export interface CompressionProbe {
  listFiles(paths: string[]): Promise<FileSize[]>;
  measure(blocks: Block[], codecs: string[], progress: Progress): Promise<Record<string, Measured[]>>;
  parquet(files: FileSize[], progress: Progress): Promise<{ measured: Measured[]; skipped: { path: string; reason: string }[] }>;
  isTabular(path: string): boolean;
  knownCodecs: string[];
  parquetCodec: string;
}

export interface CompressOptions {
  codecs: string[];
  sampleBytes: number;
  blockBytes: number;
  seed: number;
  tierId: string;
  /** Price of one CPU core for an hour (default: an on-demand vCPU). */
  cpuUsdPerHour: Decimal;
}

/** AWS c7i.large on-demand in us-east-1 (2025-03): 0.08925 USD/h for 2 vCPUs. */
export const DEFAULT_CPU_USD_PER_HOUR = dec('0.044625');
export const DEFAULT_CODECS = ['gzip-1', 'gzip-6', 'gzip-9', 'brotli-5', 'brotli-9', 'parquet-zstd'];

export interface CompressReport {
  files: number;
  totalBytes: number;
  tabularFiles: number;
  tabularBytes: number;
  tier: StorageTier;
  cpuUsdPerHour: Decimal;
  blockBytes: number;
  seed: number;
  estimates: CodecEstimate[];
  skipped: { path: string; reason: string }[];
}

export async function measureCompression(probe: CompressionProbe, paths: string[], opts: CompressOptions, progress: Progress = silentProgress): Promise<CompressReport> {
  const unknown = opts.codecs.filter((c) => !probe.knownCodecs.includes(c));
  if (unknown.length) throw new InvalidInput(`unknown codec ${unknown.join(', ')}`, [{ path: '--codecs', message: 'not a codec Penny measures', found: unknown.join(','), expected: probe.knownCodecs.join(', ') }], `Use some of: ${probe.knownCodecs.join(', ')}.`);
  const tier = BUILTIN_STORAGE_CATALOG.tiers.find((t) => t.id === opts.tierId);
  if (!tier) throw new InvalidInput(`unknown tier ${opts.tierId}`, [{ path: '--tier', message: 'not in the price catalog', found: opts.tierId }], 'See penny storage prices for the tier ids (aws:STANDARD, gcp:NEARLINE, …).');
  const files = await probe.listFiles(paths);
  if (files.length === 0) throw new InvalidInput('no files to measure', [{ path: '', message: 'the paths hold no non-empty files' }], 'Give files or folders with data.');
  const totalBytes = files.reduce((a, f) => a + f.sizeBytes, 0);
  const rng = seededRng(opts.seed);
  const estimates: CodecEstimate[] = [];
  const blockCodecs = opts.codecs.filter((c) => c !== probe.parquetCodec);
  if (blockCodecs.length) {
    const { blocks, populationBlocks } = sampleBlocks(files, opts.blockBytes, opts.sampleBytes, rng);
    const measured = await probe.measure(blocks, blockCodecs, progress);
    for (const c of blockCodecs) estimates.push(estimateCodec(c, measured[c]!, populationBlocks, totalBytes, tier.storageUsdPerGibMonth, opts.cpuUsdPerHour));
  }
  const tabular = files.filter((f) => probe.isTabular(f.path));
  const tabularBytes = tabular.reduce((a, f) => a + f.sizeBytes, 0);
  let skipped: { path: string; reason: string }[] = [];
  if (opts.codecs.includes(probe.parquetCodec) && tabular.length) {
    const chosen = sampleFiles(tabular, opts.sampleBytes, rng);
    const r = await probe.parquet(chosen, progress);
    skipped = r.skipped;
    if (r.measured.length) estimates.push(estimateCodec(probe.parquetCodec, r.measured, tabular.length - r.skipped.length, tabularBytes - r.skipped.reduce((a, s) => a + (tabular.find((t) => t.path === s.path)?.sizeBytes ?? 0), 0), tier.storageUsdPerGibMonth, opts.cpuUsdPerHour));
  }
  return { files: files.length, totalBytes, tabularFiles: tabular.length, tabularBytes, tier, cpuUsdPerHour: opts.cpuUsdPerHour, blockBytes: opts.blockBytes, seed: opts.seed, estimates, skipped };
}

export function compressReportToJson(r: CompressReport) {
  return {
    files: r.files,
    totalBytes: r.totalBytes,
    tabularFiles: r.tabularFiles,
    tabularBytes: r.tabularBytes,
    tier: r.tier.id,
    storageUsdPerGibMonth: toPlain(r.tier.storageUsdPerGibMonth),
    cpuUsdPerHour: toPlain(r.cpuUsdPerHour),
    blockBytes: r.blockBytes,
    seed: r.seed,
    codecs: r.estimates.map((e) => ({
      codec: e.codec,
      sampledBlocks: e.sampledBlocks,
      populationBlocks: e.populationBlocks,
      sampledBytes: e.sampledBytes,
      ratio: e.ratio,
      ratioSe: e.ratioSe,
      ratio95: [Math.max(0, e.ratio - 1.96 * e.ratioSe), e.ratio + 1.96 * e.ratioSe],
      totalBytes: e.totalBytes,
      compressedBytes: e.compressedBytes,
      savedBytes: e.savedBytes,
      mibPerCpuS: Number.isFinite(e.mibPerCpuS) ? e.mibPerCpuS : null,
      savedUsdPerMonth: toPlain(e.savedUsdPerMonth),
      cpuUsd: toPlain(e.cpuUsd),
      savedUsdPerTibMonth: toPlain(e.savedUsdPerTibMonth),
    })),
    skipped: r.skipped,
  };
}
