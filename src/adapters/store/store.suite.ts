/**
 * The one store test suite, run against every driver (Drizzle's habit): a new driver passes this
 * before it is wired in.
 */
import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import type { Store } from '../../app/ports.js';
import { costAndRecord, scenarioHash } from '../../app/cost.js';
import { scenarioSchema } from '../../core/model/scenario.js';

const clock = { now: () => new Date('2026-01-02T03:04:05Z') };
const scenario = scenarioSchema.parse({
  name: 'suite',
  resources: [{ name: 'a', kind: 'instance', pricePerHour: '1.000000000001', count: 3 }],
});

export function storeSuite(name: string, open: () => Promise<Store>) {
  describe(`store: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('is migrated on open', async () => {
      expect(await store.schemaVersion()).toBeGreaterThanOrEqual(1);
    });

    it('stores a scenario once, by content', async () => {
      const rec = { name: 'suite', source: 'x', scenario, contentHash: scenarioHash(scenario), createdAt: clock.now().toISOString() };
      const first = await store.saveScenario(rec);
      const again = await store.saveScenario(rec);
      expect(first.created).toBe(true);
      expect(again).toEqual({ id: first.id, created: false });
      expect((await store.listScenarios()).length).toBe(1);
      expect((await store.getScenario('suite'))?.id).toBe(first.id);
    });

    it('keeps money exact in and out', async () => {
      const { reportId } = await costAndRecord(store, clock, scenario, 'src');
      const latest = await store.latestCostReport('suite');
      expect(latest?.id).toBe(reportId);
      expect(latest?.total).toBe('26280.00000002628');
      // Capex amortised over 3 years for 1,000 hours: a total with more digits than the column's
      // 12 decimals. What is read back is the report's own total, not the column's rounding.
      const amortised = scenarioSchema.parse({ name: 'amortised', period: { hours: 1000 }, capex: 'amortise', resources: [{ name: 's', kind: 'server', count: 1, purchasePrice: 100000, lifetimeYears: 3 }] });
      const r = await costAndRecord(store, clock, amortised, 'src');
      const back = await store.latestCostReport('amortised');
      expect(r.report.total.toFixed()).toMatch(/^3805\.1750380517503805\d{10,}$/);
      expect(back?.total).toBe(r.report.total.toFixed());
      expect((back?.report as { total: string }).total).toBe(back?.total);
    });

    it('records runs once per kind and inputs, newest first', async () => {
      const base = { kind: 'plan', name: 'week', summary: { total: '1.5' }, result: { x: [1, 2] }, createdAt: '2026-01-01T00:00:00Z' };
      const a = await store.saveRun({ ...base, inputHash: 'h1' });
      const again = await store.saveRun({ ...base, inputHash: 'h1', summary: { total: '2' }, createdAt: '2026-01-02T00:00:00Z' });
      await store.saveRun({ ...base, kind: 'forecast', inputHash: 'h2' });
      expect(again).toBe(a);
      const plans = await store.listRuns('plan');
      expect(plans).toHaveLength(1);
      expect(plans[0]!.summary).toEqual({ total: '2' });
      expect((await store.getRun(a))?.result).toEqual({ x: [1, 2] });
      expect(await store.listRuns()).toHaveLength(2);
      expect(await store.getRun('run_nope')).toBeUndefined();
    });

    it('takes the same scenario, cost and run from many callers at once: one record each, no error', async () => {
      // A server on PostgreSQL runs these side by side (a client each): each looked first, found
      // nothing, and all but one failed on the unique key.
      const rec = { name: 'suite', source: 'x', scenario, contentHash: scenarioHash(scenario), createdAt: clock.now().toISOString() };
      const saved = await Promise.all(Array.from({ length: 12 }, () => store.saveScenario(rec)));
      expect(new Set(saved.map((s) => s.id)).size).toBe(1);
      expect(saved.filter((s) => s.created)).toHaveLength(1);
      const costed = await Promise.all(Array.from({ length: 12 }, () => costAndRecord(store, clock, scenario, 'src')));
      expect(new Set(costed.map((c) => c.scenarioId)).size).toBe(1);
      expect(await store.listScenarios()).toHaveLength(1);
      const base = { kind: 'plan', name: 'week', summary: { total: '1.5' }, result: { x: [1] }, inputHash: 'h1' };
      const runs = await Promise.all(Array.from({ length: 12 }, (_, i) => store.saveRun({ ...base, summary: { total: String(i) }, createdAt: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z` })));
      expect(new Set(runs).size).toBe(1);
      expect(await store.listRuns('plan')).toHaveLength(1);
    });

    it('rolls a failed transaction back whole', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.saveScenario({ name: 'suite', source: 'x', scenario, contentHash: 'h1', createdAt: clock.now().toISOString() });
          throw new Error('boom in the middle');
        }),
      ).rejects.toThrow('boom');
      expect(await store.listScenarios()).toEqual([]);
    });

    it('keeps every confirmed write when a concurrent transaction fails', async () => {
      // A failing bulk write holds its transaction open while others arrive; none of them may join
      // it (and vanish with its rollback), and each that resolved must be there afterwards.
      let inside!: () => void;
      const opened = new Promise<void>((r) => (inside = r));
      let fail!: () => void;
      const failNow = new Promise<void>((r) => (fail = r));
      const failing = store.transaction(async (tx) => {
        await tx.saveRun({ kind: 'plan', name: 'doomed', inputHash: 'doomed', summary: {}, result: {}, createdAt: 't' });
        inside();
        await failNow;
        throw new Error('upload failed half way');
      });
      await opened;
      const writes = [
        ...Array.from({ length: 20 }, (_, i) => store.saveRun({ kind: 'plan', name: `p${i}`, inputHash: `h${i}`, summary: { i }, result: {}, createdAt: 't' })),
        store.saveScenario({ name: 'kept', source: 'x', scenario, contentHash: 'kept', createdAt: 't' }),
        store.transaction(async (tx) => tx.saveRun({ kind: 'forecast', name: 'f', inputHash: 'f', summary: {}, result: {}, createdAt: 't' })),
      ];
      // Reads outside the failing transaction never see its uncommitted rows.
      expect((await store.listRuns()).map((r) => r.name)).not.toContain('doomed');
      fail();
      await expect(failing).rejects.toThrow('half way');
      const settled = await Promise.allSettled(writes);
      expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
      const names = (await store.listRuns()).map((r) => r.name).sort();
      expect(names).toEqual([...Array.from({ length: 20 }, (_, i) => `p${i}`), 'f'].sort());
      expect((await store.listScenarios()).map((s) => s.name)).toEqual(['kept']);
    });

    it('runs concurrent transactions one after another, never inside each other', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) =>
          store.transaction(async (tx) => {
            await tx.saveRun({ kind: 'sim', name: `s${i}`, inputHash: `s${i}`, summary: {}, result: {}, createdAt: 't' });
            await new Promise((r) => setTimeout(r, 1));
            if (i % 3 === 0) throw new Error(`fail ${i}`);
            await tx.saveRun({ kind: 'sim2', name: `s${i}`, inputHash: `s${i}`, summary: {}, result: {}, createdAt: 't' });
            return i;
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 'rejected' : 'fulfilled')));
      const kept = (await store.listRuns()).map((r) => `${r.kind}:${r.name}`).sort();
      const want = Array.from({ length: 12 }, (_, i) => i).filter((i) => i % 3 !== 0).flatMap((i) => [`sim:s${i}`, `sim2:s${i}`]).sort();
      expect(kept).toEqual(want);
    });

    it('lets a nested transaction join the outer one, so the outer rollback takes it too', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.transaction((inner) => inner.saveScenario({ name: 'inner', source: 'x', scenario, contentHash: 'inner', createdAt: 't' }));
          throw new Error('outer fails');
        }),
      ).rejects.toThrow('outer fails');
      expect(await store.listScenarios()).toEqual([]);
    });
  });
}
