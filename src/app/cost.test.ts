/** Recording a cost report: a total the store cannot hold is bad input, never a store failure. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqlStore } from '../adapters/store/sql-store.js';
import { openMemoryStore } from '../adapters/store/workspace.js';
import { InvalidInput } from '../core/errors.js';
import { scenarioSchema } from '../core/model/scenario.js';
import { renderError } from '../adapters/cli/errors.js';
import { costAndRecord } from './cost.js';

const clock = { now: () => new Date('2026-11-22T00:00:00Z') };
let store: SqlStore;
beforeEach(async () => {
  store = await openMemoryStore();
});
afterEach(() => store.close());

const servers = (purchasePrice: string) =>
  scenarioSchema.parse({ name: 'big', currency: 'USD', period: { years: 1 }, capex: 'expense', resources: [{ name: 'servers', kind: 'server', count: 100, purchasePrice }] });

describe('costAndRecord', () => {
  it('refuses a total of 10^26 or more (what the store keeps) as bad input, and records nothing', async () => {
    for (const price of ['1e24', '123456789012345678901234567890', '1e309']) {
      // The source is the scenario's text (what the CLI and the API record), not a file name.
      const source = `name: big\nresources:\n  - { name: servers, kind: server, count: 100, purchasePrice: ${price} }\n`;
      const err = await costAndRecord(store, clock, servers(price), source).catch((e: unknown) => e);
      expect(err, price).toBeInstanceOf(InvalidInput);
      expect((err as InvalidInput).message).toMatch(/total cost .* is too large to record/);
      // The issue names the field; the text is not shown as if it were a file name.
      expect(renderError(err).text).not.toContain('name: big');
    }
    expect(await store.listScenarios()).toEqual([]);
  });

  it('records a large total that fits, and reads the same total back', async () => {
    const r = await costAndRecord(store, clock, servers('9999999999999999999999'), 'big.yaml');
    expect(r.report.total.toFixed()).toBe('999999999999999999999900');
    expect((await store.latestCostReport())?.total).toBe('999999999999999999999900');
  });
});
