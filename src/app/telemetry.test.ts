import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sharedFile } from '../../test/shared-data.js';
import { telemetryIo } from '../adapters/importers/telemetry-io.js';
import { SqlTelemetryStore } from '../adapters/store/sql-telemetry-store.js';
import type { SqlStore } from '../adapters/store/sql-store.js';
import { openMemoryStore } from '../adapters/store/workspace.js';
import { InvalidInput } from '../core/errors.js';
import { dec } from '../core/money.js';
import { silentProgress } from './ports.js';
import { detect, gpuUsageReport, gpuWasteReport, ingestNvidiaSmi } from './telemetry.js';

const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
const dir = mkdtempSync(join(tmpdir(), 'penny-teltest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let store: SqlStore;
let tel: SqlTelemetryStore;
beforeEach(async () => {
  store = await openMemoryStore();
  tel = new SqlTelemetryStore(store.session);
});
afterEach(() => store.close());

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

// Fields in a different order and subset than the real log, with the units nvidia-smi writes.
const HEADER = 'index, power.draw [W], timestamp, utilization.gpu [%], memory.used [MiB], name';
const row = (i: number, s: number, u: string, p: string) => `${i}, ${p}, 2024/05/01 12:00:${String(s).padStart(2, '0')}.000, ${u}, 100 MiB, NVIDIA A10G`;

describe('nvidia-smi ingest', () => {
  it('detects the format from the header', () => {
    expect(detect(HEADER.split(',').map((s) => s.trim()))).toBe('nvidia-smi');
    expect(detect(['BillingPeriodStart', 'BilledCost'])).toBeUndefined();
  });

  it('reads any field order, [N/A] as missing, and is idempotent by content', async () => {
    // The header repeated mid-file, as when nvidia-smi restarts and appends to the same log.
    const f = write('a.csv', [HEADER, row(0, 0, '0 %', '50.00 W'), row(1, 0, '[N/A]', '60.00 W'), HEADER, row(0, 1, '100 %', '[N/A]'), row(1, 1, '50 %', '70.00 W')].join('\n') + '\n');
    const first = await ingestNvidiaSmi(tel, clock, telemetryIo, f, silentProgress);
    expect(first).toMatchObject({ created: true, gpus: 2, samples: 4 });
    const again = await ingestNvidiaSmi(tel, clock, telemetryIo, f, silentProgress);
    expect(again).toMatchObject({ created: false, sourceId: first.sourceId, samples: 0 });
    expect(await tel.sampleCount()).toBe(4);
    expect((await tel.listGpus()).map((g) => [g.gpuId, g.model])).toEqual([['localhost:0', 'NVIDIA A10G'], ['localhost:1', 'NVIDIA A10G']]);
    const s1 = await tel.samples('localhost:1');
    expect(s1.map((s) => [s.utilGpuPct, s.powerW])).toEqual([[null, 60], [50, 70]]);
  });

  it('names bad rows by file and line, and stores nothing from that file', async () => {
    const f = write('bad.csv', [HEADER, row(0, 0, '0 %', '50.00 W'), row(0, 1, 'lots', '50.00 W'), row(0, 2, '0 %', '50.00 MHz'), '0, 50 W, 2024/13/01 00:00:00, 0 %, 1 MiB, x'].join('\n'));
    const err = await ingestNvidiaSmi(tel, clock, telemetryIo, f, silentProgress).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInput);
    expect(err.message).toContain('3 bad row(s)');
    expect(err.issues.map((i: { line: number; path: string; file: string }) => [i.line, i.path, i.file])).toEqual([
      [3, 'utilization.gpu [%]', f],
      [4, 'power.draw [W]', f],
      [5, 'timestamp', f],
    ]);
    expect(await tel.sampleCount()).toBe(0);
    expect(await tel.listSources()).toEqual([]);
  });

  it('refuses negative watts and MiB, which gave negative energy and cost', async () => {
    const f = write('neg.csv', [HEADER, row(0, 0, '50 %', '-3000.00 W'), `0, 50 W, 2024/05/01 12:00:01.000, 50 %, -100 MiB, NVIDIA A10G`].join('\n'));
    const err = await ingestNvidiaSmi(tel, clock, telemetryIo, f, silentProgress).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInput);
    expect(err.issues.map((i: { line: number; path: string; found: string }) => [i.line, i.path, i.found])).toEqual([
      [2, 'power.draw [W]', '-3000'],
      [3, 'memory.used [MiB]', '-100'],
    ]);
    expect(await tel.sampleCount()).toBe(0);
  });

  it('counts exact repeats of a row as repeats, not as samples already stored', async () => {
    // A log appended twice (`cat a.csv a.csv`): the second copy's rows are the first's again.
    const rows = [row(0, 0, '10 %', '50.00 W'), row(0, 1, '20 %', '60.00 W')];
    const f = write('twice.csv', [HEADER, ...rows, ...rows].join('\n'));
    const r = await ingestNvidiaSmi(tel, clock, telemetryIo, f, silentProgress);
    expect(r).toMatchObject({ created: true, samples: 2, repeatedRows: 2, duplicates: 0 });
  });

  it('refuses two different readings of one GPU at one time, naming both lines', async () => {
    // Two loggers in one file: GPU 0 at 12:00:01 reads 20 % on line 3 and 90 % on line 4.
    const f = write('clash.csv', [HEADER, row(0, 0, '10 %', '50.00 W'), row(0, 1, '20 %', '60.00 W'), row(0, 1, '90 %', '300.00 W')].join('\n'));
    const err = await ingestNvidiaSmi(tel, clock, telemetryIo, f, silentProgress).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInput);
    expect(err.message).toContain('1 row(s) that contradict an earlier reading');
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatchObject({ line: 4, path: 'timestamp', file: f });
    expect(err.issues[0].message).toContain('(line 3)');
    expect(err.issues[0].found).toContain('90 %');
    expect(err.hint).toMatch(/two loggers/i);
    expect(await tel.sampleCount()).toBe(0);
  });

  it('refuses a several-GPU log without an index or uuid column rather than keep one GPU of each instant', async () => {
    // Before: the second GPU's rows were "already stored, skipped", and the fleet looked like one GPU.
    const header = 'timestamp, utilization.gpu [%], power.draw [W]';
    const f = write('noindex.csv', [header, '2024/05/01 12:00:00.000, 0 %, 50 W', '2024/05/01 12:00:00.000, 100 %, 400 W'].join('\n'));
    const err = await ingestNvidiaSmi(tel, clock, telemetryIo, f, silentProgress).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInput);
    expect(err.issues[0].message).toContain('no index, uuid or pci.bus_id column');
    expect(err.hint).toContain('--query-gpu=timestamp,index,uuid');
    expect(await tel.sampleCount()).toBe(0);
  });

  it('refuses a CSV that is not an nvidia-smi log', async () => {
    const f = write('other.csv', 'a,b\n1,2\n');
    await expect(ingestNvidiaSmi(tel, clock, telemetryIo, f, silentProgress)).rejects.toThrow(/not an nvidia-smi CSV log/);
  });
});

describe('the real H100 log (../shared/data/gpu-telemetry)', () => {
  const csv = sharedFile('gpu-telemetry/nvidia-smi.csv');
  const events = sharedFile('gpu-telemetry/workload_events.jsonl');

  it.skipIf(!csv || !events)('finds idle periods where the workload was idle, its energy, and a recommendation', async () => {
    await ingestNvidiaSmi(tel, clock, telemetryIo, csv!, silentProgress);
    const log = readFileSync(csv!, 'utf8').trim().split('\n');
    const firstTs = Date.parse(log[1]!.split(',')[0]!.replace(/\//g, '-').replace(' ', 'T') + 'Z');
    const lastTs = Date.parse(log.at(-1)!.split(',')[0]!.replace(/\//g, '-').replace(' ', 'T') + 'Z');

    // Idle windows from the workload's own event log: before the first phase, between phases, idle_after.
    const ev = readFileSync(events!, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; phase?: string; t: number });
    const phases = ev.filter((e) => e.kind === 'phase_start' || e.kind === 'phase_end');
    const idleWindows: [number, number][] = [[firstTs, phases[0]!.t * 1000]];
    for (let i = 1; i + 1 < phases.length; i += 2) {
      const end = phases[i]!;
      const next = phases[i + 1]!;
      // After idle_after the workload is done and the GPU stays idle to the end of the log.
      if (next.phase === 'idle_after') idleWindows.push([next.t * 1000, lastTs]);
      else if (next.t - end.t > 5) idleWindows.push([end.t * 1000, next.t * 1000]);
    }
    expect(idleWindows.length).toBe(3); // before inference, between under-used kernels and training, idle_after

    const w = await gpuWasteReport(tel, { minIdleS: 5, gpuPricePerHour: dec('2.95') });
    expect(w.gpus).toHaveLength(1);
    const found = w.gpus[0]!.idlePeriods;
    const tolMs = 2000;
    for (const [a, b] of idleWindows) {
      // Each idle window is found, both ends within the tolerance.
      const hit = found.find((p) => Math.abs(p.startMs - a) <= tolMs && Math.abs(p.endMs - b) <= tolMs);
      expect(hit, `idle ${new Date(a).toISOString()}–${new Date(b).toISOString()}`).toBeDefined();
    }
    // Long idle periods (≥ 8 s) are only where the workload was idle: none inside training.
    for (const p of found.filter((x) => x.durationS >= 8)) {
      expect(idleWindows.some(([a, b]) => p.startMs >= a - tolMs && p.endMs <= b + tolMs)).toBe(true);
    }
    const training = phases.filter((e) => e.phase === 'training').map((e) => e.t * 1000);
    expect(found.some((p) => p.endMs > training[0]! + tolMs && p.startMs < training[1]! - tolMs)).toBe(false);

    // The under-used kernels phase shows as the longest low-use spell (busy at a few percent).
    const under = phases.filter((e) => e.phase === 'underutilised').map((e) => e.t * 1000);
    const spell = [...w.gpus[0]!.lowUseSpells].sort((a, b) => b.durationS - a.durationS)[0]!;
    expect(Math.abs(spell.startMs - under[0]!)).toBeLessThanOrEqual(3000);
    expect(Math.abs(spell.endMs - under[1]!)).toBeLessThanOrEqual(3000);

    // Energy: cross-checked against a simple left-rectangle sum over the raw lines.
    const u = await gpuUsageReport(tel, { minIdleS: 5, pricePerKwh: dec('0.20'), pue: dec('1.2') });
    let naiveKwh = 0;
    const rows = log.slice(1).map((l) => l.split(',').map((c) => c.trim()));
    const pi = log[0]!.split(',').map((c) => c.trim()).indexOf('power.draw [W]');
    for (let i = 0; i + 1 < rows.length; i++) {
      const t0 = Date.parse(rows[i]![0]!.replace(/\//g, '-').replace(' ', 'T') + 'Z');
      const t1 = Date.parse(rows[i + 1]![0]!.replace(/\//g, '-').replace(' ', 'T') + 'Z');
      naiveKwh += (parseFloat(rows[i]![pi]!) * (t1 - t0)) / 1000 / 3_600_000;
    }
    const kwh = u.periods[0]!.energyKwh;
    expect(kwh).toBeGreaterThan(0.005);
    expect(Math.abs(kwh - naiveKwh) / naiveKwh).toBeLessThan(0.02);
    expect(u.periods[0]!.energyCost!.toNumber()).toBeCloseTo(kwh * 1.2 * 0.2, 9);
    console.log(`real H100 log: ${kwh.toFixed(5)} kWh (simple sum ${naiveKwh.toFixed(5)}), idle periods ${found.map((p) => p.durationS.toFixed(1) + ' s').join(', ')}`);

    // And a recommendation with a monthly saving at the stated price.
    const autostop = w.recommendations.find((r) => r.action === 'autostop');
    expect(autostop).toBeDefined();
    expect(autostop!.saving.gt(0)).toBe(true);
    expect(autostop!.basis).toContain('2.95 USD/h');
    // Its peak memory (~19 GiB of 80) and under-half mean busy utilisation fit in a MIG share.
    const all = w.recommendations.flatMap((r) => [r, ...(r.alternatives ?? [])]);
    expect(all.find((r) => r.action === 'share')?.title).toMatch(/MIG \d\/7/);
    // Share, a smaller GPU and spot price the same busy hours: one of them counts, the others are its alternatives.
    expect(w.recommendations.filter((r) => r.exclusiveGroup).length).toBe(1);
    expect(all.filter((r) => r.exclusiveGroup).length).toBeGreaterThan(1);
  });
});
