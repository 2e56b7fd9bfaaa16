import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactTelemetry } from '../../app/compact.js';
import { gpuUsageReport } from '../../app/telemetry.js';
import { seededRng } from '../../core/rng.js';
import type { GpuSample } from '../../core/telemetry/model.js';
import { sharedFile } from '../../../test/shared-data.js';
import { readNvidiaSmiCsv } from '../importers/nvidia-smi.js';
import { SqlTelemetryRollups } from './sql-telemetry-rollups.js';
import { SqlTelemetryStore } from './sql-telemetry-store.js';
import { freshSchema, postgresUnavailable, startPostgres, type TestPostgres } from '../../../test/postgres.js';
import { openPostgresStore, openStore } from './workspace.js';
import type { SqlStore } from './sql-store.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const DAY = 86_400_000;

async function duckdbStore(): Promise<SqlStore> {
  const dir = mkdtempSync(join(tmpdir(), 'penny-compact-'));
  dirs.push(dir);
  return openStore(dir);
}

async function workspace(open: () => Promise<SqlStore> = duckdbStore) {
  const store = await open();
  return { store, tel: new SqlTelemetryStore(store.session), rollups: new SqlTelemetryRollups(store.session) };
}

async function usageTotals(tel: SqlTelemetryStore, intervalMs?: number) {
  const r = await gpuUsageReport(tel, { ...(intervalMs && { intervalMs }) });
  return { energy: r.periods.reduce((a, p) => a + p.energyKwh, 0), busy: r.periods.reduce((a, p) => a + p.busyS, 0), idle: r.periods.reduce((a, p) => a + p.idleS, 0) };
}

/** The same compaction on each database: what it keeps, what it drops, usage unchanged. */
async function compactTenDays(open: () => Promise<SqlStore>) {
    const { store, tel, rollups } = await workspace(open);
    // 10 days of 20 s samples of one GPU: busy days and idle nights, a 700 W spike on day 1.
    const t0 = Date.UTC(2025, 0, 1);
    const rng = seededRng(4);
    const samples: GpuSample[] = [];
    for (let t = 0; t < 10 * DAY; t += 20_000) {
      const day = new Date(t0 + t).getUTCHours() >= 8 && new Date(t0 + t).getUTCHours() < 20;
      const util = day ? 40 + Math.round(rng.next() * 60) : 0;
      samples.push({ gpuId: 'G', tsMs: t0 + t, utilGpuPct: util, utilMemPct: null, memUsedMiB: util * 500, powerW: t === DAY + 3_600_000 ? 700 : 70 + util * 4 });
    }
    await tel.upsertGpus([{ gpuId: 'G', host: 'h', index: '0', model: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559 }]);
    await tel.addSource({ id: 's', kind: 'nvidia-smi', location: 'x', contentHash: 'h', samples: samples.length, ingestedAt: '2025-01-11' });
    await tel.addSamples('s', samples);
    const before = await usageTotals(tel, 3_600_000);
    const r = await compactTelemetry(rollups, { now: () => new Date(t0 + 10 * DAY) }, { rawDays: 2, minuteDays: 5 });
    expect(r.before.samples).toBe(samples.length);
    // Raw: the last 2 days and the last sample before the cut.
    expect(r.after.samples).toBe(samples.filter((s) => s.tsMs >= t0 + 8 * DAY).length + 1);
    const rows = await rollups.rollups('G');
    expect(rows.filter((x) => x.bucketMs === 3_600_000)).toHaveLength(5 * 24);
    expect(rows.filter((x) => x.bucketMs === 60_000)).toHaveLength(3 * 24 * 60);
    expect(Math.max(...rows.map((x) => x.power.max))).toBe(700);
    expect(r.after.bytes!).toBeLessThan(r.before.bytes!);
    const after = await usageTotals(tel, 3_600_000);
    expect(after.energy).toBeCloseTo(before.energy, 9);
    expect(after.busy).toBeCloseTo(before.busy, 6);
    expect(after.idle).toBeCloseTo(before.idle, 6);
    expect(r.gpus[0]!.energyKwhAfter).toBeCloseTo(r.gpus[0]!.energyKwhBefore, 9);
    console.log(`10 days of 20 s samples: ${r.before.samples} samples → ${r.after.samples} + ${r.after.rollups} roll-up rows; database ${r.before.bytes} → ${r.after.bytes} bytes; energy ${before.energy.toFixed(6)} → ${after.energy.toFixed(6)} kWh`);
    // Compacting again changes nothing.
    const again = await compactTelemetry(rollups, { now: () => new Date(t0 + 10 * DAY) }, { rawDays: 2, minuteDays: 5 });
    expect(again.after.samples).toBe(r.after.samples);
    expect((await usageTotals(tel, 3_600_000)).energy).toBeCloseTo(before.energy, 9);
    // The same samples again (a log that grew since, the same rows under another name): those
    // rolled up are counted in the roll-ups already, those still raw are duplicates. Counting them
    // again doubled energy and observed hours.
    expect(await tel.addSamples('s2', samples)).toBe(0);
    const reingested = await usageTotals(tel, 3_600_000);
    expect(reingested.energy).toBeCloseTo(before.energy, 9);
    expect(reingested.busy).toBeCloseTo(before.busy, 6);
    // The minute cut through: its samples before the first raw one are rolled up, a sample after
    // that first raw one is new and kept.
    const cut = t0 + 8 * DAY;
    const at = (tsMs: number): GpuSample => ({ gpuId: 'G', tsMs, utilGpuPct: 50, utilMemPct: null, memUsedMiB: 1, powerW: 100 });
    expect(await tel.addSamples('s3', [at(cut - 50_000)])).toBe(0);
    expect(await tel.addSamples('s3', [at(cut - 10_000)])).toBe(1);
    await store.close();
}

describe('penny gpu compact', () => {
  it('rolls raw samples into minutes and old minutes into hours, keeping usage, energy and peaks', { timeout: 120_000 }, () => compactTenDays(duckdbStore));

  it('refuses minutes kept shorter than raw samples', async () => {
    const { store, rollups } = await workspace();
    await expect(compactTelemetry(rollups, { now: () => new Date() }, { rawDays: 7, minuteDays: 1 })).rejects.toThrow(/at least as long/);
    await store.close();
  });

  const file = sharedFile('gpu-telemetry/nvidia-smi.csv');
  it.skipIf(!file)('keeps energy and busy time of the real H100 telemetry within 0.5% after rolling it all into hours', { timeout: 60_000 }, async () => {
    const { store, tel, rollups } = await workspace();
    const log = await readNvidiaSmiCsv(file!);
    await tel.upsertGpus(log.gpus);
    await tel.addSource({ id: 's', kind: 'nvidia-smi', location: file!, contentHash: 'h', samples: log.samples.length, ingestedAt: '2026-11-23' });
    await tel.addSamples('s', log.samples);
    const before = await usageTotals(tel);
    const last = Math.max(...log.samples.map((s) => s.tsMs));
    const r = await compactTelemetry(rollups, { now: () => new Date(last + 2 * DAY) }, { rawDays: 1, minuteDays: 1 });
    const after = await usageTotals(tel);
    expect(Math.abs(after.energy - before.energy) / before.energy).toBeLessThan(0.005);
    expect(Math.abs(after.busy - before.busy) / before.busy).toBeLessThan(0.005);
    expect(r.after.samples).toBe(1);
    console.log(`H100 telemetry: ${r.before.samples} samples → ${r.after.samples} + ${r.after.rollups} hour rows; energy ${before.energy.toFixed(6)} → ${after.energy.toFixed(6)} kWh; busy ${before.busy.toFixed(1)} → ${after.busy.toFixed(1)} s; database ${r.before.bytes} → ${r.after.bytes} bytes`);
    await store.close();
  });
});

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`skipping the PostgreSQL compaction test: ${unavailable}`);

describe.skipIf(!!unavailable)('penny gpu compact on PostgreSQL', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 120_000);
  afterAll(async () => pg?.stop());
  it('compacts the same way', { timeout: 180_000 }, () => compactTenDays(() => openPostgresStore(pg.url, { schema: freshSchema() })));
});
