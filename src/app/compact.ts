/**
 * Retention for Penny's own telemetry (`penny gpu compact`): raw samples are kept `rawDays`,
 * then rolled up per minute (count, min, mean, max of each reading, and the additive usage
 * figures); minutes older than `minuteDays` are rolled into hours. The windowed average alone
 * would flatten peaks; min and max keep them. The usage report adds the roll-ups to what is
 * left raw, so energy and busy time stay what they were (checked and returned here, per GPU).
 * Waste analysis (idle spells, low-use spells) reads raw samples only: it is about recent days.
 */
import { InvalidInput } from '../core/errors.js';
import { dec } from '../core/money.js';
import { toSeries, type GpuInfo, type GpuSample } from '../core/telemetry/model.js';
import { type GpuRollup, type RollupOptions, reRoll, rollUp, usageFromRollups } from '../core/telemetry/rollup.js';
import { DEFAULT_USAGE_OPTIONS, gpuUsage } from '../core/telemetry/usage.js';
import type { Clock } from './ports.js';

export interface StoreSize {
  samples: number;
  rollups: number;
  bytes: number | null;
  bytesBasis: string;
}

export interface RollupStore {
  transaction<T>(fn: (tx: RollupStore) => Promise<T>): Promise<T>;
  listGpus(): Promise<GpuInfo[]>;
  samples(gpuId: string): Promise<GpuSample[]>;
  deleteSamplesBefore(gpuId: string, beforeMs: number): Promise<void>;
  rollups(gpuId: string, range?: { fromMs?: number; toMs?: number }): Promise<GpuRollup[]>;
  putRollups(rows: GpuRollup[]): Promise<void>;
  deleteRollups(gpuId: string, bucketMs: number, beforeMs: number): Promise<void>;
  size(): Promise<StoreSize>;
}

export interface CompactOptions {
  rawDays: number;
  minuteDays: number;
  rollup?: RollupOptions;
}

export interface GpuCheck {
  gpuId: string;
  energyKwhBefore: number;
  energyKwhAfter: number;
  busySBefore: number;
  busySAfter: number;
  samplesRolled: number;
}

export interface CompactResult {
  rawCutMs: number;
  minuteCutMs: number;
  before: StoreSize;
  after: StoreSize;
  gpus: GpuCheck[];
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Energy and busy seconds of one GPU: raw samples plus roll-ups, as the usage report adds them. */
async function totals(store: RollupStore, gpu: GpuInfo, o: RollupOptions): Promise<{ energyKwh: number; busyS: number }> {
  const opts = { ...DEFAULT_USAGE_OPTIONS, ...o, pue: dec(1), currency: 'USD', gpuPricePerHour: () => undefined };
  const raw = gpuUsage([toSeries(gpu, await store.samples(gpu.gpuId))], opts);
  const rolled = usageFromRollups(await store.rollups(gpu.gpuId), opts, () => undefined);
  const all = [...raw, ...rolled];
  return { energyKwh: all.reduce((a, p) => a + p.energyKwh, 0), busyS: all.reduce((a, p) => a + p.busyS, 0) };
}

export async function compactTelemetry(store: RollupStore, clock: Clock, opts: CompactOptions): Promise<CompactResult> {
  if (!(opts.rawDays >= 0) || !(opts.minuteDays >= opts.rawDays)) {
    throw new InvalidInput('retention must keep raw samples at least 0 days and minutes at least as long as raw samples', [{ path: '--minute-days', message: 'must be ≥ --raw-days', found: `${opts.minuteDays} < ${opts.rawDays}` }], 'Example: --raw-days 7 --minute-days 90');
  }
  const o = opts.rollup ?? DEFAULT_USAGE_OPTIONS;
  const nowMs = clock.now().getTime();
  const rawCutMs = nowMs - opts.rawDays * DAY_MS;
  const minuteCutMs = Math.floor((nowMs - opts.minuteDays * DAY_MS) / HOUR_MS) * HOUR_MS;
  const before = await store.size();
  const gpus = await store.listGpus();
  const checks: GpuCheck[] = [];
  await store.transaction(async (tx) => {
    for (const g of gpus) {
      const b = await totals(tx, g, o);
      const s = toSeries(g, await tx.samples(g.gpuId));
      // The last sample before the cut stays raw: the interval after it is the raw side's first.
      let c = -1;
      for (let i = 0; i < s.tsMs.length && s.tsMs[i]! < rawCutMs; i++) c = i;
      let rolled = 0;
      if (c > 0) {
        const rows = rollUp(s, MINUTE_MS, s.tsMs[c]!, o);
        rolled = rows.reduce((a, r) => a + r.samples, 0);
        await tx.putRollups(rows);
        await tx.deleteSamplesBefore(g.gpuId, s.tsMs[c]!);
      }
      const oldMinutes = (await tx.rollups(g.gpuId, { toMs: minuteCutMs - 1 })).filter((r) => r.bucketMs === MINUTE_MS);
      if (oldMinutes.length) {
        await tx.deleteRollups(g.gpuId, MINUTE_MS, minuteCutMs);
        await tx.putRollups(reRoll(oldMinutes, HOUR_MS));
      }
      const a = await totals(tx, g, o);
      checks.push({ gpuId: g.gpuId, energyKwhBefore: b.energyKwh, energyKwhAfter: a.energyKwh, busySBefore: b.busyS, busySAfter: a.busyS, samplesRolled: rolled });
    }
  });
  const after = await store.size();
  return { rawCutMs, minuteCutMs, before, after, gpus: checks };
}
