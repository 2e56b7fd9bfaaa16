/**
 * MIG instances kept apart and read from the graphics engine activity; GPUs of several hosts kept
 * apart. Fixtures: test/fixtures/telemetry.ts (one H100 as two 3g.40gb instances, one busy, one idle).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIG_RANGE, hostNvidiaSmiCsv, migNvidiaSmiCsv, migPrometheusFetch } from '../../test/fixtures/telemetry.js';
import { readPrometheusDcgm } from '../adapters/importers/prometheus-dcgm.js';
import { hostFromPath, telemetryIo } from '../adapters/importers/telemetry-io.js';
import { SqlTelemetryStore } from '../adapters/store/sql-telemetry-store.js';
import type { SqlStore } from '../adapters/store/sql-store.js';
import { openMemoryStore } from '../adapters/store/workspace.js';
import { totalSaving } from '../core/finops/scenario-savings.js';
import { dec } from '../core/money.js';
import { silentProgress } from './ports.js';
import { gpuWasteReport, ingestNvidiaSmi, ingestPrometheus, ownedGpuPrices, type TelemetryIo } from './telemetry.js';
import { costAndRecord } from './cost.js';
import { scenarioSchema } from '../core/model/scenario.js';

const clock = { now: () => new Date('2026-06-02T00:00:00Z') };
const dir = mkdtempSync(join(tmpdir(), 'penny-migtest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let store: SqlStore;
let tel: SqlTelemetryStore;
beforeEach(async () => {
  store = await openMemoryStore();
  tel = new SqlTelemetryStore(store.session);
});
afterEach(() => store.close());

const io: TelemetryIo = { ...telemetryIo, readPrometheus: (url, range) => readPrometheusDcgm(url, range, { fetch: migPrometheusFetch() }) };
// 3 of the H100's 7 slices at 2.95/h, a month of 730 h.
const instanceMonthly = dec('2.95').times(3).div(7).times(730);

async function waste() {
  const w = await gpuWasteReport(tel, {});
  return { w, by: new Map(w.gpus.map((g) => [g.gpu.gpuId, g])) };
}

describe('MIG instances', () => {
  it('DCGM: one GPU per instance (UUID + GPU_I_ID), use from DCGM_FI_PROF_GR_ENGINE_ACTIVE; only the idle one is released, at its slices\' price', async () => {
    const r = await ingestPrometheus(tel, clock, io, 'http://prom.test:9090', MIG_RANGE, silentProgress);
    expect(r.gpus).toBe(3);
    const gpus = await tel.listGpus();
    expect(gpus.map((g) => [g.gpuId, g.host, g.index, g.model]).sort()).toEqual([
      ['GPU-aaaa/gi1', 'node-mig', '0/gi1', 'NVIDIA H100 80GB HBM3 MIG 3g.40gb'],
      ['GPU-aaaa/gi2', 'node-mig', '0/gi2', 'NVIDIA H100 80GB HBM3 MIG 3g.40gb'],
      ['GPU-bbbb', 'node-mig', '1', 'NVIDIA H100 80GB HBM3'],
    ]);
    const busy = await tel.samples('GPU-aaaa/gi1');
    expect(new Set(busy.map((s) => s.utilGpuPct))).toEqual(new Set([85]));
    // Power is the device's, not the instance's: not counted once per instance.
    expect(busy.every((s) => s.powerW === null)).toBe(true);
    expect((await tel.samples('GPU-bbbb'))[0]!.utilGpuPct).toBe(42);

    const { w, by } = await waste();
    expect(by.get('GPU-aaaa/gi1')!.recommendations.map((x) => x.action)).not.toContain('release');
    expect(by.get('GPU-aaaa/gi1')!.meanUtilBusyPct).toBeCloseTo(85, 6);
    const release = by.get('GPU-aaaa/gi2')!.recommendations.find((x) => x.action === 'release')!;
    expect(release.saving.toDecimalPlaces(2).toFixed()).toBe(instanceMonthly.toDecimalPlaces(2).toFixed()); // 922.93, not the whole GPU's 2,153.50
    expect(by.get('GPU-aaaa/gi2')!.price!.source).toMatch(/^3\/7 of the GPU's H100 on-demand/);
    // A MIG instance is not offered a further MIG split.
    expect(w.recommendations.flatMap((x) => [x, ...(x.alternatives ?? [])]).some((x) => x.action === 'share' && x.resource.includes('/gi'))).toBe(false);
    expect(totalSaving(w.recommendations).gt(0)).toBe(true);
  });

  it('nvidia-smi style rows per instance: kept apart, use from gr_engine_active, [N/A] never read as idle', async () => {
    const f = join(dir, 'mig.csv');
    writeFileSync(f, migNvidiaSmiCsv());
    const r = await ingestNvidiaSmi(tel, clock, telemetryIo, f, silentProgress, { host: 'node-mig' });
    expect(r.gpus).toBe(2);
    const { by } = await waste();
    expect([...by.keys()].sort()).toEqual(['GPU-aaaa/gi1', 'GPU-aaaa/gi2']);
    expect(by.get('GPU-aaaa/gi1')!.meanUtilBusyPct).toBeCloseTo(85, 6);
    expect(by.get('GPU-aaaa/gi1')!.recommendations.map((x) => x.action)).not.toContain('release');
    expect(by.get('GPU-aaaa/gi2')!.recommendations.find((x) => x.action === 'release')!.saving.toDecimalPlaces(2).toFixed()).toBe(instanceMonthly.toDecimalPlaces(2).toFixed());
  });
});

describe('GPUs of several hosts', () => {
  it('a host per file: the file\'s folder or name, or a hostname column in it; GPU 0 of each host stays apart', async () => {
    expect(hostFromPath('/x/fleet/node-b/gpu.csv', '/x/fleet')).toBe('node-b');
    expect(hostFromPath('/x/fleet/node-a.csv.gz', '/x/fleet')).toBe('node-a');
    expect(hostFromPath('/x/node-c.log')).toBe('node-c');
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    const c = join(dir, 'c.csv');
    writeFileSync(a, hostNvidiaSmiCsv(2, (i) => (i === 0 ? 90 : 0)));
    writeFileSync(b, hostNvidiaSmiCsv(2, (i) => (i === 0 ? 0 : 90)));
    writeFileSync(c, hostNvidiaSmiCsv(1, () => 50, { hostColumn: 'node-c' }));
    await ingestNvidiaSmi(tel, clock, telemetryIo, a, silentProgress, { host: 'node-a' });
    await ingestNvidiaSmi(tel, clock, telemetryIo, b, silentProgress, { host: 'node-b' });
    await ingestNvidiaSmi(tel, clock, telemetryIo, c, silentProgress, { host: 'ignored' });
    const { w, by } = await waste();
    expect([...by.keys()].sort()).toEqual(['node-a:0', 'node-a:1', 'node-b:0', 'node-b:1', 'node-c:0']);
    const released = w.recommendations.filter((x) => x.action === 'release').map((x) => x.resource).sort();
    expect(released).toEqual(['node-a:1', 'node-b:0']);
    // Each idle whole H100: 2.95 × 730 a month.
    expect(w.recommendations.find((x) => x.resource === 'node-b:0')!.saving.toFixed()).toBe('2153.5');
  });
});

describe('owned GPUs', () => {
  it('are priced from the workspace\'s cost model (TCO per GPU-hour, its currency), the source stated; no cloud spot or smaller GPU in another currency', async () => {
    // One 8-GPU server bought for 292,000 EUR over 5 years: 58,400 a year / (8 × 8,760 GPU-h).
    const scenario = scenarioSchema.parse({ name: 'lab', currency: 'EUR', period: { years: 1 }, resources: [{ name: 'dgx', kind: 'server', gpus: 8, purchasePrice: 292000, lifetimeYears: 5 }] });
    await costAndRecord(store, clock, scenario, 'lab.yaml');
    const f = join(dir, 'dgx-01.csv');
    writeFileSync(f, hostNvidiaSmiCsv(2, (i) => (i === 0 ? 0 : 90)));
    await ingestNvidiaSmi(tel, clock, telemetryIo, f, silentProgress, { host: 'dgx-01' });
    const owned = await ownedGpuPrices(store);
    expect(owned.map((o) => [o.resource, o.currency, o.pricePerHour.toFixed()])).toEqual([['dgx', 'EUR', dec(58400).div(8 * 8760).toFixed()]]);
    const w = await gpuWasteReport(tel, { owned });
    const release = w.recommendations.find((x) => x.resource === 'dgx-01:0')!;
    expect([release.action, release.currency, release.saving.toDecimalPlaces(2).toFixed()]).toEqual(['release', 'EUR', '608.33']); // 730 h × 58,400 / 70,080
    expect(release.basis).toMatch(/owned: dgx in scenario lab, TCO 58400 EUR \/ 70080 GPU-h/);
    // The busy one: the table's USD spot price is not compared with a EUR cost.
    expect(w.recommendations.filter((x) => x.resource === 'dgx-01:1')).toEqual([]);
    // Hosts that are not the owned resource keep the public price.
    expect((await gpuWasteReport(tel, { owned: [] })).recommendations.find((x) => x.resource === 'dgx-01:0')!.saving.toFixed()).toBe('2153.5');
  });
});
