/** The TelemetryStore suite, run against every driver (like store.suite.ts). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TelemetryStore } from '../../app/telemetry-ports.js';
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
