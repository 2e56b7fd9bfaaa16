/**
 * Telemetry use cases: ingest (nvidia-smi logs, DCGM through Prometheus) into the TelemetryStore,
 * then usage/energy and waste reports. Reading files and the network is done by the adapters
 * passed in (TelemetryIo), so this stays testable with fakes.
 */
import { createHash } from 'node:crypto';
import { InvalidInput } from '../core/errors.js';
import type { Recommendation } from '../core/finops/scenario-savings.js';
import { dec, type Decimal } from '../core/money.js';
import { priceEntryFor } from '../core/telemetry/gpu-prices.js';
import { toSeries, type GpuInfo, type GpuSample } from '../core/telemetry/model.js';
import { isNvidiaSmiHeader } from '../core/telemetry/nvidia-smi.js';
import { mergeUsage, usageFromRollups } from '../core/telemetry/rollup.js';
import { gpuUsage, idlePeriods, lowUseSpells, DEFAULT_USAGE_OPTIONS, type UsageOptions, type UsagePeriod } from '../core/telemetry/usage.js';
import { gpuWaste, type GpuPrice, type GpuWaste } from '../core/telemetry/waste.js';
import type { Clock, Progress, Store } from './ports.js';
import { scenarioSchema } from '../core/model/scenario.js';
import { costScenario } from './cost.js';
import type { TelemetrySourceRecord, TelemetryStore } from './telemetry-ports.js';

export interface TelemetryBatch {
  gpus: GpuInfo[];
  samples: GpuSample[];
  /** Rows the reader skipped because they repeat an earlier row of the same source exactly. */
  repeatedRows?: number;
}

/** The edge work the use cases need: wired from src/adapters/importers (see telemetry-io.ts). */
export interface TelemetryIo {
  hashFile(path: string): Promise<string>;
  readNvidiaSmi(path: string, opts: { host?: string; utcOffsetMinutes?: number; onBytes?: (read: number, total: number) => void }): Promise<TelemetryBatch>;
  readPrometheus(baseUrl: string, range: { fromMs: number; toMs: number; stepS: number }, onChunk?: (done: number, total: number) => void): Promise<TelemetryBatch>;
}

export type TelemetryFormat = 'nvidia-smi' | 'prometheus';

/** Which telemetry format a CSV header is, or undefined (for the generic `penny ingest`). */
export function detect(header: string[]): TelemetryFormat | undefined {
  return isNvidiaSmiHeader(header) ? 'nvidia-smi' : undefined;
}

export interface IngestResult {
  sourceId: string;
  created: boolean;
  gpus: number;
  samples: number;
  /** Samples skipped because the store already had one for that GPU and time (from another source), or a roll-up of it. */
  duplicates: number;
  /** Rows skipped because they repeat an earlier row of this same file exactly (a log appended twice). */
  repeatedRows: number;
}

export async function ingestNvidiaSmi(
  store: TelemetryStore,
  clock: Clock,
  io: TelemetryIo,
  path: string,
  progress: Progress,
  opts: { host?: string; utcOffsetMinutes?: number } = {},
): Promise<IngestResult> {
  const hash = await io.hashFile(path);
  const found = await store.findSource(hash);
  if (found) return { sourceId: found.id, created: false, gpus: 0, samples: 0, duplicates: 0, repeatedRows: 0 };
  progress.start(100, `reading ${path}`);
  const batch = await io.readNvidiaSmi(path, { ...opts, onBytes: (r, t) => progress.tick(t ? Math.floor((r / t) * 100) : 0) });
  progress.finish();
  return save(store, clock, { kind: 'nvidia-smi', location: path, contentHash: hash }, batch);
}

export async function ingestPrometheus(
  store: TelemetryStore,
  clock: Clock,
  io: TelemetryIo,
  baseUrl: string,
  range: { fromMs: number; toMs: number; stepS: number },
  progress: Progress,
): Promise<IngestResult> {
  if (!(range.toMs > range.fromMs) || !(range.stepS > 0)) {
    throw new InvalidInput('the Prometheus range is empty', [{ path: '--from/--to/--step', message: 'expected from < to and step > 0', found: `${new Date(range.fromMs).toISOString()} … ${new Date(range.toMs).toISOString()} step ${range.stepS}s` }], 'Pass --from and --to as ISO times, e.g. --from 2024-05-01T00:00Z --to 2024-05-02T00:00Z.');
  }
  let started = false;
  const batch = await io.readPrometheus(baseUrl, range, (done, total) => {
    if (!started) progress.start(total, `querying ${baseUrl}`);
    started = true;
    progress.tick(done);
  });
  if (started) progress.finish();
  // The content is the identity: the same answer ingested twice is one source.
  const hash = createHash('sha256').update(JSON.stringify([baseUrl, batch.gpus, batch.samples])).digest('hex');
  const found = await store.findSource(hash);
  if (found) return { sourceId: found.id, created: false, gpus: 0, samples: 0, duplicates: 0, repeatedRows: 0 };
  return save(store, clock, { kind: 'prometheus', location: `${baseUrl} ${new Date(range.fromMs).toISOString()}..${new Date(range.toMs).toISOString()} step ${range.stepS}s`, contentHash: hash }, batch);
}

async function save(store: TelemetryStore, clock: Clock, src: Pick<TelemetrySourceRecord, 'kind' | 'location' | 'contentHash'>, batch: TelemetryBatch): Promise<IngestResult> {
  const id = `tel_${src.contentHash.slice(0, 16)}`;
  return store.transaction(async (tx) => {
    // The same content may have been recorded since the look before reading it (another upload
    // of the same log at the same moment): that one counts, this one changes nothing.
    const found = await tx.findSource(src.contentHash);
    if (found) return { sourceId: found.id, created: false, gpus: 0, samples: 0, duplicates: 0, repeatedRows: 0 };
    await tx.upsertGpus(batch.gpus);
    const added = await tx.addSamples(id, batch.samples);
    await tx.addSource({ id, ...src, samples: added, ingestedAt: clock.now().toISOString() });
    return { sourceId: id, created: true, gpus: batch.gpus.length, samples: added, duplicates: batch.samples.length - added, repeatedRows: batch.repeatedRows ?? 0 };
  });
}

export interface TelemetryReportOptions {
  fromMs?: number;
  toMs?: number;
  intervalMs?: number;
  maxGapS?: number;
  idleUtilPct?: number;
  minIdleS?: number;
  pricePerKwh?: Decimal;
  pue?: Decimal;
  currency?: string;
  /** One price for every GPU (`--gpu-price-per-hour`); else the dated default table by model. */
  gpuPricePerHour?: Decimal;
  lowUtilPct?: number;
  lowMemPct?: number;
  /** Low-use spells: busy at or below this utilisation (%), default 10. */
  spellUtilPct?: number;
  autostopAfterS?: number;
  /** Owned GPUs and their cost per GPU-hour from the workspace's cost model (ownedGpuPrices). */
  owned?: OwnedGpuPrice[];
}

/** One owned resource's GPUs: cost per GPU-hour from the workspace's TCO model. */
export interface OwnedGpuPrice {
  resource: string;
  scenario: string;
  pricePerHour: Decimal;
  currency: string;
  source: string;
}

/**
 * Owned GPUs (server and gpu resources with GPUs in the workspace's latest costed scenario), each
 * priced at its TCO per GPU-hour: the resource's cost over the period (capex amortised, energy,
 * maintenance…) / (count × GPUs × period hours). Owning costs every hour, busy or not.
 */
export async function ownedGpuPrices(store: Store): Promise<OwnedGpuPrice[]> {
  const latest = await store.latestCostReport();
  const rec = latest && (await store.getScenario(latest.scenarioId));
  if (!rec) return [];
  const scenario = scenarioSchema.parse(rec.scenario);
  const report = costScenario(scenario).report;
  const out: OwnedGpuPrice[] = [];
  for (const r of scenario.resources) {
    if ((r.kind !== 'server' && r.kind !== 'gpu') || r.count === 0) continue;
    const gpus = r.gpus ?? (r.kind === 'gpu' ? 1 : 0);
    const cost = report.byResource.find((x) => x.name === r.name);
    if (!gpus || !cost) continue;
    const gpuHours = dec(r.count).times(gpus).times(report.periodHours);
    out.push({
      resource: r.name,
      scenario: scenario.name,
      currency: scenario.currency,
      pricePerHour: cost.total.div(gpuHours),
      source: `owned: ${r.name} in scenario ${scenario.name}, TCO ${cost.total.toDecimalPlaces(2).toFixed()} ${scenario.currency} / ${gpuHours.toFixed()} GPU-h (${r.count} × ${gpus} GPUs × ${report.periodHours} h)`,
    });
  }
  return out;
}

/** The owned resource a host belongs to: its name, or its name followed by -, ., _ or a digit (dgx-h100-01). */
export function ownerOf(host: string, owned: OwnedGpuPrice[]): OwnedGpuPrice | undefined {
  return owned.find((o) => host === o.resource || (host.startsWith(o.resource) && /^[-._\d]/.test(host.slice(o.resource.length))));
}

function resolveOptions(o: TelemetryReportOptions, prices: Map<string, GpuPrice | undefined>): UsageOptions {
  const currency = o.currency ?? 'USD';
  return {
    ...(o.fromMs !== undefined && { fromMs: o.fromMs }),
    ...(o.toMs !== undefined && { toMs: o.toMs }),
    ...(o.intervalMs !== undefined && { intervalMs: o.intervalMs }),
    maxGapS: o.maxGapS ?? DEFAULT_USAGE_OPTIONS.maxGapS,
    idleUtilPct: o.idleUtilPct ?? DEFAULT_USAGE_OPTIONS.idleUtilPct,
    minIdleS: o.minIdleS ?? DEFAULT_USAGE_OPTIONS.minIdleS,
    ...(o.pricePerKwh && { pricePerKwh: o.pricePerKwh }),
    pue: o.pue ?? dec(1),
    currency: o.currency ?? 'USD',
    // Idle cost is in the report's currency: a GPU priced in another (an owned GPU of a EUR
    // scenario in a USD report) has none rather than a mislabelled one.
    gpuPricePerHour: (id) => {
      const p = prices.get(id);
      return p && (p.currency ?? currency) === currency ? p.pricePerHour : undefined;
    },
  };
}

function priceOf(gpu: GpuInfo, o: TelemetryReportOptions): GpuPrice | undefined {
  const found = priceEntryFor(gpu.model);
  if (o.gpuPricePerHour) return { pricePerHour: o.gpuPricePerHour, currency: o.currency ?? 'USD', source: '--gpu-price-per-hour', entry: found?.entry };
  const owner = o.owned && ownerOf(gpu.host, o.owned);
  if (owner) {
    const share = found?.share ? dec(found.share.slices).div(found.share.of) : dec(1);
    return { pricePerHour: owner.pricePerHour.times(share), currency: owner.currency, source: `${found?.share ? `${found.share.slices}/${found.share.of} of the GPU, ` : ''}${owner.source}`, entry: found?.entry };
  }
  if (!found) return undefined;
  const e = found.entry;
  const share = found.share ? `${found.share.slices}/${found.share.of} of the GPU's ` : '';
  return { pricePerHour: e.onDemandUsdPerHour, currency: 'USD', source: `${share}${found.share ? e.model.replace(/ MIG .*/, '') : e.model} on-demand, ${e.source}, ${e.asOf}`, entry: e };
}

async function loadSeries(store: TelemetryStore, o: TelemetryReportOptions) {
  const gpus = await store.listGpus();
  if (gpus.length === 0) throw new InvalidInput('no GPU telemetry in the workspace', [], 'Ingest some first: penny gpu ingest nvidia-smi.csv');
  const series = [];
  for (const g of gpus) {
    const range = { ...(o.fromMs !== undefined && { fromMs: o.fromMs }), ...(o.toMs !== undefined && { toMs: o.toMs }) };
    series.push(toSeries(g, await store.samples(g.gpuId, range)));
  }
  const prices = new Map(gpus.map((g) => [g.gpuId, priceOf(g, o)] as const));
  return { gpus, series, prices };
}

export interface UsageReport {
  options: UsageOptions;
  gpus: GpuInfo[];
  prices: Map<string, GpuPrice | undefined>;
  periods: UsagePeriod[];
  /** Per GPU, the utilisation series (for sparklines), bucketed. */
  utilisation: Map<string, number[]>;
}

export async function gpuUsageReport(store: TelemetryStore, o: TelemetryReportOptions, sparkCells = 40): Promise<UsageReport> {
  const { gpus, series, prices } = await loadSeries(store, o);
  const options = resolveOptions(o, prices);
  let periods = gpuUsage(series, options);
  if (store.rollups) {
    // Time compacted by `penny gpu compact` is in roll-ups; the raw samples never cover it again.
    const range = { ...(o.fromMs !== undefined && { fromMs: o.fromMs }), ...(o.toMs !== undefined && { toMs: o.toMs }) };
    const rows = (await Promise.all(gpus.map((g) => store.rollups!(g.gpuId, range)))).flat();
    if (rows.length) periods = mergeUsage(periods, usageFromRollups(rows, options, options.gpuPricePerHour), options, options.gpuPricePerHour);
  }
  const utilisation = new Map<string, number[]>();
  for (const s of series) {
    const n = s.tsMs.length;
    if (n < 2) continue;
    const t0 = s.tsMs[0]!;
    const span = s.tsMs[n - 1]! - t0 || 1;
    const sums = new Array<number>(sparkCells).fill(0);
    const counts = new Array<number>(sparkCells).fill(0);
    for (let i = 0; i < n; i++) {
      const u = s.utilGpuPct[i]!;
      if (!Number.isFinite(u)) continue;
      const k = Math.min(sparkCells - 1, Math.floor(((s.tsMs[i]! - t0) / span) * sparkCells));
      sums[k]! += u;
      counts[k]!++;
    }
    utilisation.set(s.gpu.gpuId, sums.map((x, k) => (counts[k] ? x / counts[k]! : NaN)));
  }
  return { options, gpus, prices, periods, utilisation };
}

export interface WasteReport {
  options: UsageOptions;
  autostopAfterS: number;
  lowUtilPct: number;
  lowMemPct: number;
  gpus: GpuWaste[];
  recommendations: Recommendation[];
  /** What the findings do not cover (time compacted into roll-ups, read from raw samples only). */
  notes: string[];
}

export async function gpuWasteReport(store: TelemetryStore, o: TelemetryReportOptions): Promise<WasteReport> {
  const { gpus, series, prices } = await loadSeries(store, o);
  const options = resolveOptions({ ...o, intervalMs: undefined } as TelemetryReportOptions, prices);
  delete (options as { intervalMs?: number }).intervalMs;
  const autostopAfterS = o.autostopAfterS ?? options.minIdleS;
  const lowUtilPct = o.lowUtilPct ?? 40;
  const lowMemPct = o.lowMemPct ?? 25;
  const out: GpuWaste[] = [];
  for (const s of series) {
    const [usage] = gpuUsage([s], options);
    if (!usage) continue;
    const spells = lowUseSpells(s, { maxGapS: options.maxGapS, idleUtilPct: options.idleUtilPct, maxUtilPct: o.spellUtilPct ?? 10, minDurationS: options.minIdleS });
    out.push(gpuWaste(s.gpu, usage, idlePeriods(s, options), prices.get(s.gpu.gpuId), { lowUtilPct, lowMemPct, autostopAfterS, currency: options.currency }, spells));
  }
  const recommendations = out.flatMap((g) => g.recommendations).sort((a, b) => b.saving.cmp(a.saving) || a.id.localeCompare(b.id));
  const notes: string[] = [];
  if (store.rollups) {
    // Idle periods and low-use spells are found in raw samples; time `penny gpu compact` rolled up
    // is not read here, so a finding there would silently vanish: say how much is left out.
    const range = { ...(o.fromMs !== undefined && { fromMs: o.fromMs }), ...(o.toMs !== undefined && { toMs: o.toMs }) };
    const rows = (await Promise.all(gpus.map((g) => store.rollups!(g.gpuId, range)))).flat();
    if (rows.length) {
      const hours = rows.reduce((a, r) => a + r.observedS, 0) / 3600;
      const from = Math.min(...rows.map((r) => r.startMs));
      const to = Math.max(...rows.map((r) => r.startMs + r.bucketMs));
      notes.push(`${hours.toFixed(1)} GPU-hours from ${new Date(from).toISOString().slice(0, 16)} to ${new Date(to).toISOString().slice(0, 16)} UTC are compacted into roll-ups (penny gpu compact) and not analysed here: findings cover the raw samples only (penny gpu usage counts both)`);
    }
  }
  return { options, autostopAfterS, lowUtilPct, lowMemPct, gpus: out, recommendations, notes };
}
