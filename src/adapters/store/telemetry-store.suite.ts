/** The TelemetryStore suite, run against every driver (like store.suite.ts). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentProgress } from '../../app/ports.js';
import { ingestNvidiaSmi } from '../../app/telemetry.js';
import type { TelemetryStore } from '../../app/telemetry-ports.js';
import { telemetryIo } from '../importers/telemetry-io.js';
import type { GpuSample } from '../../core/telemetry/model.js';

const sample = (gpuId: string, tsMs: number, u: number | null): GpuSample => ({ gpuId, tsMs, utilGpuPct: u, utilMemPct: null, memUsedMiB: 12.5, powerW: 71.81 });

export function telemetryStoreSuite(name: string, open: () => Promise<{ tel: TelemetryStore; close: () => Promise<void> }>) {
  describe(`telemetry store: ${name}`, () => {
    let tel: TelemetryStore;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ tel, close } = await open());
    });
    afterEach(async () => close());

    it('stores GPUs and samples, and reads them back in time order with nulls kept', async () => {
      await tel.upsertGpus([{ gpuId: 'g1', host: 'h', index: '0', model: null, memoryTotalMiB: null }]);
      await tel.upsertGpus([{ gpuId: 'g1', host: 'h', index: '0', model: 'NVIDIA H100', memoryTotalMiB: 81559 }]);
      expect(await tel.listGpus()).toEqual([{ gpuId: 'g1', host: 'h', index: '0', model: 'NVIDIA H100', memoryTotalMiB: 81559 }]);
      const n = await tel.addSamples('s1', [sample('g1', 2000, null), sample('g1', 1000, 5), sample('g1', 1000, 6)]);
      expect(n).toBe(2);
      expect(await tel.samples('g1')).toEqual([sample('g1', 1000, 5), sample('g1', 2000, null)]);
      expect(await tel.samples('g1', { fromMs: 1500 })).toEqual([sample('g1', 2000, null)]);
    });

    it('lists GPUs by host byte by byte on every driver, whatever the database\'s collation', async () => {
      const hosts = ['node-b', 'Node-a', 'node_c', 'nodea', 'gpu-10', 'gpu-9'];
      await tel.upsertGpus(hosts.map((host) => ({ gpuId: `GPU-${host}`, host, index: '0', model: null, memoryTotalMiB: null })));
      await tel.addSamples('s1', hosts.map((host) => sample(`GPU-${host}`, 1000, 1)));
      const bytes = [...hosts].sort();
      expect((await tel.listGpus()).map((g) => g.host)).toEqual(bytes);
      expect((await tel.sampleSpans()).map((s) => s.gpuId)).toEqual(bytes.map((h) => `GPU-${h}`));
    });

    it('takes overlapping logs from ingests at once: every GPU and sample once, no error', async () => {
      // A server on PostgreSQL runs uploads side by side (a client each): each looked for the GPU
      // and the samples, found none of the other's uncommitted ones, and failed on the key.
      const dir = mkdtempSync(join(tmpdir(), 'penny-tel-race-'));
      try {
        const header = 'timestamp, index, uuid, name, utilization.gpu [%], power.draw [W]';
        const lines = Array.from({ length: 600 }, (_, i) => `2024/05/01 ${String(8 + Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00.000, 0, GPU-race, NVIDIA H100 80GB HBM3, ${i % 100} %, 300.5 W`);
        const a = join(dir, 'a.csv');
        const grown = join(dir, 'grown.csv');
        writeFileSync(a, [header, ...lines].join('\n') + '\n');
        writeFileSync(grown, [header, ...lines, '2024/05/01 18:00:00.000, 0, GPU-race, NVIDIA H100 80GB HBM3, 1 %, 300.5 W'].join('\n') + '\n');
        const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
        const runs = await Promise.all([a, a, grown, a, grown].map((f) => ingestNvidiaSmi(tel, clock, telemetryIo, f, silentProgress)));
        expect(runs.filter((r) => r.created)).toHaveLength(2);
        expect(runs.reduce((n, r) => n + r.samples, 0)).toBe(601);
        expect(await tel.sampleCount()).toBe(601);
        expect((await tel.listGpus()).map((g) => g.gpuId)).toEqual(['GPU-race']);
        expect(await tel.listSources()).toHaveLength(2);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('skips samples already stored for the same GPU and time', async () => {
      await tel.addSamples('s1', [sample('g1', 1000, 5), sample('g1', 2000, 5)]);
      expect(await tel.addSamples('s2', [sample('g1', 2000, 9), sample('g1', 3000, 9)])).toBe(1);
      expect(await tel.sampleCount()).toBe(3);
    });

    it('rolls a failed transaction back entirely', async () => {
      await expect(
        tel.transaction(async (tx) => {
          await tx.addSamples('s1', [sample('g1', 1000, 5)]);
          await tx.addSource({ id: 's1', kind: 'nvidia-smi', location: 'f', contentHash: 'h', samples: 1, ingestedAt: 't' });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await tel.sampleCount()).toBe(0);
      expect(await tel.findSource('h')).toBeUndefined();
    });

    it('bulk-inserts many samples', async () => {
      const xs = Array.from({ length: 8_000 }, (_, i) => sample(`g${i % 4}`, i * 500, i % 101));
      expect(await tel.addSamples('s1', xs)).toBe(8_000);
      expect(await tel.sampleCount()).toBe(8_000);
      expect((await tel.samples('g3')).length).toBe(2000);
    });
  });
}
